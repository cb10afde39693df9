"""Staff tools for the lifecycle: legal holds (placed and released through the audited services),
deletion receipts and cleanup runs (read-only), data exports (the archive only after an audited reason)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from nanobananas.core.staff import ReadOnlyAdmin, UserContentAdmin, staff_content_view_granted
from nanobananas.privacy.models import CleanupRun, DataExport, DeletionReceipt, LegalHold
from nanobananas.privacy.services import legal_hold_place, legal_hold_release


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


@admin.register(DataExport)
class DataExportAdmin(UserContentAdmin):
    list_display = ("id", "user", "status", "progress", "requested_at", "ready_at", "expires_at", "byte_size")
    list_filter = ("status",)
    search_fields = ("=id", "=user__id")
    fields = (
        "id", "user", "status", "progress", "stage", "byte_size", "sha256",
        "requested_at", "started_at", "ready_at", "expires_at", "error",
    )  # fmt: skip
    readonly_fields = fields
    # The archive holds everything the user has; the link to it is content.
    content_fields = ("blob_name", "link_base")

    def owner_key_of(self, obj: DataExport) -> str:
        return f"u{obj.user_id}"

    def content_html(self, request: HttpRequest, obj: DataExport) -> str:
        if obj.status != DataExport.Status.READY or not obj.blob_name:
            return "No archive is stored for this export."
        url = reverse(f"{self.admin_site.name}:privacy_dataexport_archive", args=[quote(obj.pk)])
        return format_html('<a href="{}">Download the archive</a> ({} bytes)', url, obj.byte_size)

    def get_urls(self) -> list[Any]:
        archive = path(
            "<path:object_id>/content/archive/",
            self.admin_site.admin_view(self.archive_view),
            name="privacy_dataexport_archive",
        )
        return [archive, *super().get_urls()]

    def archive_view(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        """The decrypted archive, only to a session that gave a reason for this export."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj) or not staff_content_view_granted(request, obj):
            raise Http404("No such export, or no reason given to view it.")
        if obj.status != DataExport.Status.READY or not obj.blob_name:
            raise Http404("No archive is stored for this export.")
        response = FileResponse(
            default_storage.open(obj.blob_name), content_type="application/zip", as_attachment=True,
            filename=f"nanobananas-export-{obj.pk}.zip",
        )  # fmt: skip
        response["Cache-Control"] = "private, no-store"
        return response
