"""Staff tools for the lifecycle: legal holds (placed and released through the audited services),
deletion receipts and cleanup runs (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from nanobananas.privacy.models import CleanupRun, DeletionReceipt, LegalHold
from nanobananas.privacy.services import legal_hold_place, legal_hold_release


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    list_display = ("id", "target", "reason", "placed_by", "placed_at", "released_at")
    list_filter = ("released_at",)
    fields = ("asset_id", "conversation_id", "owner_user", "owner_guest", "reason")
    raw_id_fields = ("owner_user", "owner_guest")
    actions = ["release"]

    @admin.display(description="held")
    def target(self, hold: LegalHold) -> str:
        if hold.asset_id:
            return f"image {hold.asset_id}"
        if hold.conversation_id:
            return f"conversation {hold.conversation_id}"
        if hold.owner_user_id:
            return f"user {hold.owner_user_id}"
        return f"guest {hold.owner_guest_id}"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a hold is released (and audited), never deleted

    def save_model(self, request: HttpRequest, obj: LegalHold, form: Any, change: bool) -> None:
        placed = legal_hold_place(
            reason=obj.reason,
            placed_by_id=request.user.pk,
            asset_id=obj.asset_id,
            conversation_id=obj.conversation_id,
            owner_user_id=obj.owner_user_id,
            owner_guest_id=obj.owner_guest_id,
        )
        obj.pk = placed.pk
        obj.placed_at = placed.placed_at
        obj.placed_by_id = placed.placed_by_id

    @admin.action(description="Release the selected holds")
    def release(self, request: HttpRequest, queryset: QuerySet[LegalHold]) -> None:
        held = queryset.filter(released_at__isnull=True)
        count = 0
        for hold in held:
            legal_hold_release(hold_id=hold.id, released_by_id=request.user.pk)
            count += 1
        self.message_user(request, f"Released {count} hold(s) at {timezone.now():%H:%M}.", messages.SUCCESS)


@admin.register(DeletionReceipt)
class DeletionReceiptAdmin(ReadOnlyAdmin):
    list_display = ("kind", "item_id", "owner_key", "reason", "created_at", "purged_at")
    list_filter = ("kind", "reason")
    search_fields = ("item_id", "owner_key", "content_sha256")


@admin.register(CleanupRun)
class CleanupRunAdmin(ReadOnlyAdmin):
    list_display = ("kind", "started_at", "finished_at", "counts")
    list_filter = ("kind",)
