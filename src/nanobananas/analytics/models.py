"""Analytics tables: monthly salts, pseudonymous raw events, daily aggregates with no owner link at all."""

from __future__ import annotations

from django.db import models


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
