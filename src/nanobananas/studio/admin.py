"""Staff views of conversations, messages and images: metadata only, content after an audited reason."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import quote, unquote
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from nanobananas.core.staff import UserContentAdmin, staff_content_view_granted
from nanobananas.studio.models import Asset, Conversation, Message, _owner_key

OWNER_FIELDS = ("owner_user", "owner_guest")
LIFECYCLE_FIELDS = ("state", "expires_at", "queued_at", "deletion_reason")


@admin.register(Conversation)
class ConversationAdmin(UserContentAdmin):
    list_display = ("id", "owner_user", "owner_guest", "state", "created_at", "updated_at", "expires_at")
    list_filter = ("state",)
    search_fields = ("=id", "=owner_user__id", "=owner_guest__id")
    fields = ("id", *OWNER_FIELDS, "created_at", "updated_at", *LIFECYCLE_FIELDS)
    readonly_fields = fields
    content_fields = ("sealed_title",)

    def owner_key_of(self, obj: Conversation) -> str:
        return _owner_key(obj)

    def content_html(self, request: HttpRequest, obj: Conversation) -> str:
        turns = format_html_join(
            "",
            "<li><strong>{}</strong> ({}): {}</li>",
            ((m.role, f"{m.created_at:%Y-%m-%d %H:%M}", m.text) for m in obj.messages.select_related("conversation")),
        )
        return format_html("<p>Title: {}</p><ol>{}</ol>", obj.title, turns)


@admin.register(Message)
class MessageAdmin(UserContentAdmin):
    list_display = ("id", "conversation", "role", "state", "created_at", "expires_at")
    list_filter = ("role", "state")
    search_fields = ("=id", "=conversation__id")
    fields = ("id", "conversation", "role", "created_at", *LIFECYCLE_FIELDS)
    readonly_fields = fields
    list_select_related = ("conversation",)
    content_fields = ("sealed_text",)

    def owner_key_of(self, obj: Message) -> str:
        return _owner_key(obj.conversation)

    def content_html(self, request: HttpRequest, obj: Message) -> str:
        return format_html('<p style="white-space: pre-wrap">{}</p>', obj.text)


@admin.register(Asset)
class AssetAdmin(UserContentAdmin):
    list_display = ("id", "kind", "number", "conversation", "owner_user", "owner_guest", "state", "created_at")
    list_filter = ("kind", "state", "provider")
    search_fields = ("=id", "=conversation__id", "sha256")
    fields = (
        "id", "conversation", "message", "kind", "number", "operation", "parent", "inputs", "content_type",
        "width", "height", "byte_size", "sha256", "provider", "model", "duration_ms", "created_at",
        *OWNER_FIELDS, *LIFECYCLE_FIELDS,
    )  # fmt: skip
    readonly_fields = fields
    content_fields = ("sealed_original_name", "sealed_plan", "sealed_steps")

    def owner_key_of(self, obj: Asset) -> str:
        return _owner_key(obj)

    def content_html(self, request: HttpRequest, obj: Asset) -> str:
        image_url = reverse(f"{self.admin_site.name}:studio_asset_image", args=[quote(obj.pk)])
        return format_html(
            '<p><img src="{}" alt="image {}" style="max-width: 480px; max-height: 480px"></p>'
            "<p>File name: {}</p><p>Plan:</p><pre>{}</pre><p>Steps:</p><pre>{}</pre>",
            image_url,
            obj.number,
            obj.original_name or "(none)",
            json.dumps(obj.plan, indent=2, ensure_ascii=False),
            json.dumps(obj.steps, indent=2, ensure_ascii=False),
        )

    def get_urls(self) -> list[Any]:
        image = path(
            "<path:object_id>/content/image/",
            self.admin_site.admin_view(self.image_view),
            name="studio_asset_image",
        )
        return [image, *super().get_urls()]

    def image_view(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        """The decrypted image, only to a session that gave a reason for this image."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj) or not staff_content_view_granted(request, obj):
            raise Http404("No such image, or no reason given to view it.")
        response = FileResponse(default_storage.open(obj.blob_name), content_type=obj.content_type)
        response["Cache-Control"] = "private, no-store"
        return response
