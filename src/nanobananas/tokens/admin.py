"""Admin for API tokens: staff can see and revoke, never read a secret (only digests are stored)."""

from __future__ import annotations

from django.contrib import admin

from nanobananas.tokens.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "user", "scopes", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("id", "user", "prefix", "digest", "scopes", "created_at", "last_used_at")
    list_filter = ("revoked_at",)
