"""Staff tools for policies: drafts are edited here, published versions are read-only, "Publish" sends notices."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from nanobananas.core.exceptions import DomainError
from nanobananas.core.staff import ReadOnlyAdmin
from nanobananas.policies.models import PolicyAcceptance, PolicyDocument, PolicyNotice
from nanobananas.policies.services import policy_publish

EDITABLE = ("kind", "version", "title", "summary", "body")


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "version", "title", "published_at", "created_at")
    list_filter = ("kind", ("published_at", admin.EmptyFieldListFilter))
    fields = (*EDITABLE, "published_at", "created_by", "created_at")
    actions = ["publish"]

    def get_readonly_fields(self, request: HttpRequest, obj: PolicyDocument | None = None) -> tuple[str, ...]:
        if obj is not None and obj.is_published:
            return (*EDITABLE, "published_at", "created_by", "created_at")
        return ("published_at", "created_by", "created_at")

    def has_delete_permission(self, request: HttpRequest, obj: PolicyDocument | None = None) -> bool:
        # A published version is what people accepted: it stays. A draft may be thrown away.
        return obj is not None and not obj.is_published and super().has_delete_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: PolicyDocument | None = None) -> bool:
        # Published versions open read-only (Django's view page); a change is a new version.
        return (obj is None or not obj.is_published) and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: PolicyDocument, form: Any, change: bool) -> None:
        if not change:
            obj.created_by_id = request.user.pk
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish: make it the version in force and email every active user")
    def publish(self, request: HttpRequest, queryset: QuerySet[PolicyDocument]) -> None:
        for document in queryset.order_by("pk"):
            try:
                policy_publish(document=document, by=request.user, link_base=request.build_absolute_uri("/"))  # type: ignore[arg-type]
            except DomainError as problem:
                self.message_user(request, problem.message, messages.WARNING)
            else:
                self.message_user(request, f"Published {document}; the notice emails are on their way.")


@admin.register(PolicyAcceptance)
class PolicyAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ("user", "document", "how", "at")
    list_filter = ("how", "document")
    raw_id_fields = ("user",)


@admin.register(PolicyNotice)
class PolicyNoticeAdmin(ReadOnlyAdmin):
    list_display = ("user", "document", "claimed_at", "sent_at")
    list_filter = ("document",)
    raw_id_fields = ("user",)
