"""Analytics tables: monthly salts, pseudonymous raw events, daily aggregates with no owner link at all;
feedback on results, error reports of failed jobs and bug reports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from nanobananas.vault.fields import SealedTextField


class MonthlySalt(models.Model):
    """The secret of one calendar month (UTC) that turns an owner id into that month's pseudonym.

    Destroyed by the hourly analytics job once its month is over: from then on nobody, not even the operator,
    can tell whose that month's events were, or join them to another month's."""

    month = models.CharField(max_length=7, primary_key=True)  # "2026-03"
    secret = models.BinaryField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"salt of {self.month}"


class Event(models.Model):
    """One usage event: a name from a fixed list, a few codes and a duration, never content.

    `pseudonym` is HMAC-SHA256(the month's salt, owner key): the same person has the same pseudonym within
    a month (daily active owners) and an unrelated one the next month. No foreign key, no address, no
    user-agent string (a browser family and a device class at most). Deleted after
    NANOBANANAS_ANALYTICS_RAW_DAYS (90)."""

    class OwnerKind(models.TextChoices):
        GUEST = "guest"
        ACCOUNT = "account"

    id = models.BigAutoField(primary_key=True)
    # Chosen when the event happens: a task that runs twice stores it once.
    event_id = models.UUIDField(unique=True)
    name = models.CharField(max_length=32)
    pseudonym = models.CharField(max_length=64)
    owner_kind = models.CharField(max_length=8, choices=OwnerKind.choices)
    # The event's one dimension (section, tool, provider, plan or error class) and its operation, as codes.
    label = models.CharField(max_length=40, blank=True, default="")
    operation = models.CharField(max_length=40, blank=True, default="")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    browser = models.CharField(max_length=16, blank=True, default="")
    device = models.CharField(max_length=8, blank=True, default="")
    at = models.DateTimeField()
    day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["day", "name"], name="analytics_event_day_name"),
            models.Index(fields=["at"], name="analytics_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.day}"


class DailyAggregate(models.Model):
    """One number of one day: how many `metric` events with this `dimension`, and their p50/p95 duration.

    The metric `active_owners` counts distinct pseudonyms of the day (dimension: the owner kind, or "" for
    all). Nothing here can point at a person: aggregates are kept after the raw events are deleted."""

    day = models.DateField()
    metric = models.CharField(max_length=32)
    dimension = models.CharField(max_length=40, blank=True, default="")
    count = models.PositiveIntegerField()
    p50_ms = models.PositiveIntegerField(null=True, blank=True)
    p95_ms = models.PositiveIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "metric", "dimension"], name="analytics_aggregate_unique"),
        ]
        indexes = [models.Index(fields=["metric", "day"], name="analytics_aggregate_metric")]

    def __str__(self) -> str:
        return f"{self.metric}[{self.dimension}] on {self.day}: {self.count}"


class Feedback(models.Model):
    """A thumbs up or down on one result, with an optional reason from a fixed list.

    It records how the result was made (a hash of the plan, the operation, the provider), never the
    picture or the words; `asset_id` is the result's id (not a foreign key) so that voting again
    changes the vote, and it points at nothing once the result is purged."""

    class Rating(models.TextChoices):
        UP = "up"
        DOWN = "down"

    class Reason(models.TextChoices):
        NONE = "", "no reason given"
        NOT_FOLLOWED = "not_followed", "didn't follow my request"
        LOW_QUALITY = "low_quality", "low quality"
        WRONG_TEXT = "wrong_text", "wrong text"
        OTHER = "other", "other"

    id = models.BigAutoField(primary_key=True)
    asset_id = models.UUIDField(unique=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_guest = models.ForeignKey("accounts.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rating = models.CharField(max_length=4, choices=Rating.choices)
    reason = models.CharField(max_length=16, choices=Reason.choices, blank=True, default="")
    plan_sha256 = models.CharField(max_length=64, blank=True, default="")
    operation = models.CharField(max_length=40, blank=True, default="")
    provider = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False, owner_guest__isnull=True)
                | Q(owner_user__isnull=True, owner_guest__isnull=False),
                name="analytics_feedback_exactly_one_owner",
            )
        ]
        indexes = [models.Index(fields=["provider", "operation"], name="analytics_feedback_made_by")]

    def __str__(self) -> str:
        return f"{self.rating} on {self.operation or 'a result'} by {self.provider or 'unknown'}"


class ErrorReport(models.Model):
    """What went wrong in a failed job, with no user content: the exception's class, where it was raised
    (file, line and function of each frame, no values, no source text, no message), the operation,
    provider and plan hash, and how long the job ran. Deleted after NANOBANANAS_ANALYTICS_RAW_DAYS."""

    id = models.BigAutoField(primary_key=True)
    job_id = models.UUIDField(unique=True)
    exception_class = models.CharField(max_length=120)
    operation = models.CharField(max_length=40, blank=True, default="")
    provider = models.CharField(max_length=40, blank=True, default="")
    plan_sha256 = models.CharField(max_length=64, blank=True, default="")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    frames = models.JSONField(default=list)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.exception_class} in job {self.job_id}"


class BugReport(models.Model):
    """A problem a person reported from any page: their words (sealed with their data key), the page's path,
    and, only with their explicit consent, one of their conversations that staff may open until
    `shared_until` (every opening is in the audit log)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_guest = models.ForeignKey("accounts.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sealed_text = SealedTextField(plain="text", context="bug_report", key_owner="sealing_owner")
    text: str
    page = models.CharField(max_length=200, blank=True, default="")
    conversation = models.ForeignKey(
        "studio.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False, owner_guest__isnull=True)
                | Q(owner_user__isnull=True, owner_guest__isnull=False),
                name="analytics_bug_report_exactly_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"bug report {self.id}"

    @property
    def sealing_owner(self) -> str:
        """The owner key whose data key seals the words (u<id> or g<id>)."""
        return f"u{self.owner_user_id}" if self.owner_user_id is not None else f"g{self.owner_guest_id}"


class LearnedPreferences(models.Model):
    """What the studio learned about one account's design habits from the results they kept (sizes per
    design kind, palette, fonts, provider), used for requests that leave those open.

    A cache of a count over their own results, kept so that what expired results taught is not forgotten;
    shown on Me -> Privacy, cleared by its reset button (`learned_since` then ignores older results),
    never used or kept while the personalization switch is off, deleted with the account."""

    owner_user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    learned = models.JSONField(default=dict)
    results_counted = models.PositiveIntegerField(default=0)
    # Results made before this moment are not learned from (set by the reset button).
    learned_since = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "learned preferences"

    def __str__(self) -> str:
        return f"learned preferences of user {self.owner_user_id}"
