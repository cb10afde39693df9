"""Admin for identities."""

from django.contrib import admin

from nanobananas.accounts.models import Guest


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at")
    readonly_fields = ("id", "created_at")
