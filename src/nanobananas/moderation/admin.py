"""Staff tools for content review: the review queue (allow, remove, escalate, suspend), the custom
blocklist, known prohibited images (added by upload; only fingerprints are kept) and evidence.

Evidence opens only for staff with `moderation.view_evidence`, on a page that asks why; every view is
recorded and audited. Release needs `moderation.release_evidence`.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache

from nanobananas.accounts.identity import Owner
from nanobananas.audit.services import audit_record
from nanobananas.core.exceptions import DomainError, NotFound
from nanobananas.core.staff import ReadOnlyAdmin, UserContentAdmin
from nanobananas.moderation.models import BlockedTerm, Evidence, KnownImage, ReviewItem
from nanobananas.moderation.selectors import abuse_score, review_item_prompt
from nanobananas.moderation.services import (
    WHY_MAX,
    WHY_MIN,
    account_suspend,
    evidence_release,
    evidence_view,
    known_image_add,
    review_item_allow,
    review_item_escalate,
    review_item_remove,
)
from nanobananas.moderation.terms import compile_pattern
from nanobananas.moderation.verdict import CATEGORIES

CATEGORY_CHOICES = [(key, f"{key}: {label}") for key, label in CATEGORIES.items()]


class BlockedTermForm(forms.ModelForm):
    category = forms.ChoiceField(choices=CATEGORY_CHOICES, initial="custom")

    class Meta:
        model = BlockedTerm
        fields = ("term", "category", "action", "note")

    def clean_term(self) -> str:
        term = str(self.cleaned_data["term"]).strip()
        try:
            compile_pattern(term, category="custom", rule="check")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return term


@admin.register(BlockedTerm)
class BlockedTermAdmin(admin.ModelAdmin):
    form = BlockedTermForm
    list_display = ("term", "category", "action", "note", "added_by", "added_at")
    list_filter = ("category", "action")
    search_fields = ("term", "note")

    def save_model(self, request: HttpRequest, obj: BlockedTerm, form: Any, change: bool) -> None:
        if not change:
            obj.added_by = request.user  # type: ignore[assignment]  # staff pages need a signed-in user
        super().save_model(request, obj, form, change)
        audit_record(
            kind="moderation.blocklist_changed", actor=f"staff:{request.user.pk}", target_type="blocked_term",
            target_id=str(obj.pk), details={"change": "edited" if change else "added", "action": obj.action,
                                            "category": obj.category},
        )  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: BlockedTerm) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        audit_record(kind="moderation.blocklist_changed", actor=f"staff:{request.user.pk}",
                     target_type="blocked_term", target_id=str(pk), details={"change": "deleted"})  # fmt: skip


class KnownImageForm(forms.ModelForm):
    image = forms.FileField(help_text="The image is fingerprinted and then discarded; it is never stored.")
    category = forms.ChoiceField(choices=CATEGORY_CHOICES)

    class Meta:
        model = KnownImage
        fields = ("category", "note")


@admin.register(KnownImage)
class KnownImageAdmin(admin.ModelAdmin):
    list_display = ("id", "category", "note", "sha256", "phash", "dhash", "hash_algorithm", "added_by", "added_at")
    # "dct-v1" rows match only exactly until their image is listed again (see moderation/imagehash.py).
    list_filter = ("category", "hash_algorithm")
    search_fields = ("sha256", "phash", "note")
    readonly_fields = ("sha256", "phash", "dhash", "hash_algorithm", "added_by", "added_at")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = KnownImageForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("image", "category", "note")
        return ("category", "note", *self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: KnownImage, form: Any, change: bool) -> None:
        upload = form.cleaned_data["image"]
        try:
            known = known_image_add(
                data=upload.read(), category=form.cleaned_data["category"], note=form.cleaned_data.get("note", ""),
                added_by_id=request.user.pk,
            )  # fmt: skip
        except DomainError as exc:
            raise _FormError(exc.message) from None
        obj.pk, obj.sha256, obj.phash, obj.dhash = known.pk, known.sha256, known.phash, known.dhash
        obj.hash_algorithm = known.hash_algorithm
        obj._state.adding = False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None) -> Any:
        try:
            return super().add_view(request, form_url, extra_context)
        except _FormError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponse(status=303, headers={"Location": request.get_full_path()})


class _FormError(Exception):
    """A known image that cannot be added (not an image, already listed): shown as an admin message."""


@admin.register(ReviewItem)
class ReviewItemAdmin(UserContentAdmin):
    list_display = ("created_at", "source", "status", "stage", "category", "categories", "score", "owner",
                    "owner_blocks", "asset_id")  # fmt: skip
    list_filter = ("status", "source", "stage", "category")
    search_fields = ("=id", "=asset_id", "=message_id", "=conversation_id", "=owner_user__id", "=owner_guest__id")
    date_hierarchy = "created_at"
    fields = ("id", "source", "status", "stage", "category", "categories", "score", "verdict_text", "owner_user",
              "owner_guest", "reported_by", "conversation_id", "message_id", "asset_id", "job_id", "created_at",
              "decided_at", "decided_by")  # fmt: skip
    readonly_fields = fields
    content_fields = ("sealed_reason",)
    actions = ("allow_items", "remove_items", "escalate_items", "suspend_owners")

    def owner_key_of(self, obj: ReviewItem) -> str:
        return obj.owner_key

    @admin.display(description="owner")
    def owner(self, obj: ReviewItem) -> str:
        return obj.owner_key

    @admin.display(description="owner's blocked requests")
    def owner_blocks(self, obj: ReviewItem) -> int:
        if obj.owner_user_id is not None:
            return abuse_score(owner=Owner(user_id=obj.owner_user_id))
        return abuse_score(owner=Owner(guest_id=obj.owner_guest_id))

    @admin.display(description="checks")
    def verdict_text(self, obj: ReviewItem) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.verdict, indent=2))

    def content_html(self, request: HttpRequest, obj: ReviewItem) -> str:
        from nanobananas.studio.models import Asset

        message = review_item_prompt(item=obj)
        asset = Asset.objects.filter(id=obj.asset_id).first() if obj.asset_id else None
        image = ""
        if asset is not None:
            url = reverse(f"{self.admin_site.name}:studio_asset_change", args=[quote(asset.pk)])
            image = format_html('<p>Image: <a href="{}">{}</a> (shown on its page after a reason)</p>', url, asset.pk)
        return format_html(
            "<p>Report reason: {}</p><p>Prompt:</p><p style='white-space: pre-wrap'>{}</p>{}",
            obj.reason or "(none)",
            message.text if message is not None else "(gone)",
            image,
        )

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("moderation.change_reviewitem"))

    def has_suspend_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("auth.change_user"))

    def _each(self, request: HttpRequest, queryset: QuerySet[ReviewItem], action: Any, done: str) -> None:
        count = 0
        for item in queryset:
            try:
                action(item_id=item.id, staff_id=request.user.pk)
                count += 1
            except DomainError as exc:
                self.message_user(request, f"{item.id}: {exc.message}", level=messages.WARNING)
        if count:
            self.message_user(request, f"{count} item(s) {done}.", level=messages.SUCCESS)

    @admin.action(description="Allow: the item is fine", permissions=["decide"])
    def allow_items(self, request: HttpRequest, queryset: QuerySet[ReviewItem]) -> None:
        self._each(request, queryset, review_item_allow, "allowed")

    @admin.action(description="Remove: queue the item for deletion", permissions=["decide"])
    def remove_items(self, request: HttpRequest, queryset: QuerySet[ReviewItem]) -> None:
        self._each(request, queryset, review_item_remove, "removed")

    @admin.action(description="Escalate to evidence (legal hold)", permissions=["decide"])
    def escalate_items(self, request: HttpRequest, queryset: QuerySet[ReviewItem]) -> None:
        self._each(request, queryset, review_item_escalate, "escalated to evidence")

    @admin.action(description="Suspend the owners' accounts", permissions=["suspend"])
    def suspend_owners(self, request: HttpRequest, queryset: QuerySet[ReviewItem]) -> None:
        users = {item.owner_user_id for item in queryset if item.owner_user_id is not None}
        if len(users) != queryset.count():
            self.message_user(request, "Guests have no account to suspend; the throttle applies to them.",
                              level=messages.WARNING)  # fmt: skip
        for user_id in sorted(users):
            try:
                account_suspend(user_id=user_id, staff_id=int(request.user.pk or 0))
                self.message_user(request, f"Account {user_id} suspended.", level=messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, f"Account {user_id}: {exc.message}", level=messages.WARNING)


class EvidenceWhyForm(forms.Form):
    why = forms.CharField(
        label="Why do you need to view this evidence?",
        min_length=WHY_MIN,
        max_length=WHY_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Recorded in the audit log with your account and the time (e.g. a case or legal request number).",
    )


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("id", "category", "owner_key", "escalated_at", "escalated_by", "released_at", "open_link")
    list_filter = ("category",)
    search_fields = ("=id", "owner_key", "=asset_id", "=conversation_id")
    date_hierarchy = "escalated_at"
    actions = ("release",)

    def has_release_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("moderation.release_evidence"))

    @admin.display(description="evidence")
    def open_link(self, obj: Evidence) -> str:
        url = reverse(f"{self.admin_site.name}:moderation_evidence_open", args=[obj.pk])
        return format_html('<a href="{}">Open (audited)</a>', url)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:  # fmt: skip
        # The only way to the content is the audited page.
        return HttpResponse(status=302, headers={"Location": reverse(
            f"{self.admin_site.name}:moderation_evidence_open", args=[object_id])})  # fmt: skip

    @admin.action(description="Release: end the legal holds (audited)", permissions=["release"])
    def release(self, request: HttpRequest, queryset: QuerySet[Evidence]) -> None:
        for evidence in queryset:
            try:
                evidence_release(evidence_id=evidence.id, staff=request.user)
                self.message_user(request, f"Evidence {evidence.id} released.", level=messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, f"{evidence.id}: {exc.message}", level=messages.WARNING)

    def get_urls(self) -> list[Any]:
        # Not wrapped in admin_view: anyone who is not staff gets 404 (not a sign-in page), and staff
        # without the permission get 403. The view checks both itself; never_cache adds "private,
        # no-store" so no cache keeps the content.
        opened = path("<uuid:evidence_id>/open/", never_cache(self.open_view), name="moderation_evidence_open")
        return [opened, *super().get_urls()]

    def open_view(self, request: HttpRequest, evidence_id: uuid.UUID) -> HttpResponse:
        user = request.user
        # The site's own check: active staff, and a TOTP-verified session when NANOBANANAS_ADMIN_OTP is on.
        if not self.admin_site.has_permission(request):
            raise Http404("No such page.")
        if not user.has_perm("moderation.view_evidence"):
            raise PermissionDenied("Viewing evidence needs the view_evidence permission.")
        evidence = Evidence.objects.filter(id=evidence_id).first()
        if evidence is None:
            raise Http404("No such evidence.")
        form = EvidenceWhyForm(request.POST if request.method == "POST" else None)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": evidence,
            "form": form,
            "title": "Evidence",
        }
        if request.method == "POST" and form.is_valid():
            try:
                content = evidence_view(evidence_id=evidence.id, viewer=user, why=form.cleaned_data["why"])
            except NotFound:
                raise Http404("No such evidence.") from None
            context.update(
                content=content,
                context_json=json.dumps(evidence.context, indent=2, ensure_ascii=False),
                image_data=base64.b64encode(content.image).decode() if content.image else "",
                image_type=content.image_type,
                accesses=evidence.accesses.select_related("viewer").order_by("-at")[:20],
            )
            response = TemplateResponse(request, "moderation/evidence_content.html", context)
        else:
            status = 400 if request.method == "POST" else 200
            response = TemplateResponse(request, "moderation/evidence_why.html", context, status=status)
        return response
