"""Policy tables: versions of the privacy policy and terms, the notice sent for a version, acceptances."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

# Versions appear in links (/privacy/versions/<version>/), so a label is a plain URL path segment.
VERSION_LABEL = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", "Use letters, digits, '.', '-' and '_' only.")


class PolicyKind(models.TextChoices):
    PRIVACY = "privacy", "Privacy policy"
    TERMS = "terms", "Terms of use"


class PolicyDocument(models.Model):
    """One version of the privacy policy or the terms. A draft (no `published_at`) may be edited; a
    published version never changes: a change is a new version."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=16, choices=PolicyKind.choices)
    version = models.CharField(
        max_length=40,
        validators=[VERSION_LABEL],
        help_text='A short label users see and links use, e.g. "2026-11-30" or "2" (letters, digits, ".", "-", "_"). '
        "Unique per kind.",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(
        help_text='Plain text. "# " starts a heading, "## " a subheading, "- " a list item; a blank line '
        "ends a paragraph. HTML is shown as text, never run."
    )
    summary = models.TextField(blank=True, help_text="What changed, in a sentence or two (the banner and the email).")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["kind", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="policy_kind_version_unique"),
            models.CheckConstraint(condition=~Q(version=""), name="policy_version_not_empty"),
        ]
        indexes = [models.Index(fields=["kind", "-published_at"], name="policy_kind_published")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} version {self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PolicyNotice(models.Model):
    """The email telling one user about one published version. The row is claimed before the email goes
    out, so a notice job that runs twice (or on two workers) never sends a user two emails."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="notices")
    claim = models.UUIDField(default=uuid.uuid4, editable=False)
    claimed_at = models.DateTimeField()
    # Null while the email is being sent (or when a worker died mid-send: the user is then not mailed again).
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "document"], name="policy_notice_once")]
        indexes = [models.Index(fields=["document", "claim"], name="policy_notice_claim")]

    def __str__(self) -> str:
        return f"notice of {self.document_id} to user {self.user_id}"


class PolicyAcceptance(models.Model):
    """A user accepted a version: by pressing Accept, or by using the service after the notice reached them.
    Both can be recorded for one version (continued use first, the click later); each at most once."""

    class How(models.TextChoices):
        CLICKED = "clicked"
        CONTINUED_USE = "continued_use"

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="acceptances")
    at = models.DateTimeField()
    how = models.CharField(max_length=16, choices=How.choices)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "document", "how"], name="policy_acceptance_once")]

    def __str__(self) -> str:
        return f"user {self.user_id} accepted {self.document_id} ({self.how})"
