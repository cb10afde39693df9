"""Admin list of audit events: filters for investigations; nothing can be added, changed or deleted."""

from __future__ import annotations

from django.contrib import admin

from nanobananas.audit.models import AuditEvent
from nanobananas.core.staff import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "at", "kind", "actor", "owner_key", "target_type", "target_id")
    list_filter = ("kind",)
    search_fields = ("owner_key", "target_id", "actor", "hash")
    date_hierarchy = "at"
