"""Admin for identities: guests, plans (editable), profiles, closed accounts (read only), the "under 13" action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from nanobananas.accounts.identity import request_account
from nanobananas.accounts.models import ClosedAccount, Guest, Plan, Profile
from nanobananas.core.exceptions import DomainError
from nanobananas.core.staff import ReadOnlyAdmin
from nanobananas.workflows.account_delete import account_delete_under_13


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at")
    readonly_fields = ("id", "created_at")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "daily_images", "monthly_images", "max_upload_bytes", "default_retention_hours")
    readonly_fields = ("code",)

    # The three plans are referenced by code; they are edited, never added or removed.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(ClosedAccount)
class ClosedAccountAdmin(ReadOnlyAdmin):
    """Tombstones of deleted accounts: when each was closed, when its data key went, when it is purged.
    Read-only: written only by account deletion and removed only by the retention purge."""

    list_display = ("user_id", "closed_at", "keys_shredded_at", "purge_after")
    readonly_fields = ("user", "closed_at", "keys_shredded_at", "purge_after")
    ordering = ("purge_after",)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ("display_name", "email_verified_at", "pending_email", "plan", "retention_hours")
    # The display name is sealed: shown here, changed only by its owner.
    readonly_fields = ("display_name", "email_verified_at", "pending_email")


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    inlines = [ProfileInline]
    actions = ["delete_under_13"]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        # Superusers are made only from the command line (`nanobananas createsuperuser`), and nobody
        # widens their own rights here: a posted value for a read-only field is ignored.
        readonly = [*super().get_readonly_fields(request, obj), "is_superuser"]
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["groups", "user_permissions"]
        return readonly

    @admin.action(description="Under 13: delete the account and all its data now (cannot be undone)")
    def delete_under_13(self, request: HttpRequest, queryset: QuerySet) -> None:
        deleted = 0
        for user_id in list(queryset.values_list("pk", flat=True)):
            try:
                account_delete_under_13(user_id=user_id, staff_user_id=request_account(request).pk)
            except DomainError as exc:
                self.message_user(request, f"Account {user_id}: {exc.message}", level=messages.ERROR)
            else:
                deleted += 1
        if deleted:
            self.message_user(request, f"Deleted {deleted} account(s) at once; the deletion is in the audit log.")
