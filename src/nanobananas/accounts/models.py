"""Identity tables: guests, profiles, plans, usage counters and the session table that can list sessions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q

from nanobananas.vault.fields import SealedTextField


class Guest(models.Model):
    """Created on a visitor's first write; its id lives only in their session."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"guest {self.id}"


class Plan(models.Model):
    """What a tier may do; rows are seeded by a migration and edited in the admin."""

    GUEST = "guest"
    FREE = "free"
    PRO = "pro"

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    is_paid = models.BooleanField(default=False)
    price_label = models.CharField(max_length=64, blank=True, help_text="Shown next to the upgrade button.")
    daily_images = models.PositiveIntegerField(help_text="Image generations per UTC day.")
    monthly_images = models.PositiveIntegerField(help_text="Image generations per calendar month (UTC).")
    daily_videos = models.PositiveIntegerField(help_text="Video generations per UTC day.")
    monthly_videos = models.PositiveIntegerField(help_text="Video generations per calendar month (UTC).")
    max_upload_bytes = models.PositiveBigIntegerField()
    max_resolution = models.PositiveIntegerField(help_text="Longest side of a result, in pixels.")
    video_seconds = models.PositiveIntegerField(help_text="Longest video, in seconds.")
    allowed_providers = models.JSONField(default=list, help_text='Provider aliases, e.g. ["builtin"].')
    retention_hours_options = models.JSONField(default=list, help_text="Retention choices in hours, e.g. [48, 168].")
    default_retention_hours = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """What Django's user lacks: display name, verified email, plan, retention choice."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    # What the person calls themselves: sealed with their data key (`display_name` reads and writes it).
    # A profile's id is only known after the insert, so the token is bound to the owner alone.
    sealed_display_name = SealedTextField(plain="display_name", context="profile.display_name", bind_pk=False)
    display_name: str
    # Lower-cased email with a unique index: two accounts can never share an address, even in a race.
    email_key = models.CharField(max_length=254, unique=True, null=True, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    pending_email = models.EmailField(blank=True)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Empty means Free."
    )
    retention_hours = models.PositiveIntegerField(null=True, blank=True, help_text="Empty means the plan default.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def owner_key(self) -> str:
        return f"u{self.user_id}"


class QuotaUsage(models.Model):
    """How much one owner used of one kind in one window; incremented only by a guarded UPDATE."""

    class Window(models.TextChoices):
        DAY = "day"
        MONTH = "month"

    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    window = models.CharField(max_length=8, choices=Window.choices)
    period_start = models.DateField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(owner_user__isnull=False, owner_guest__isnull=True)
                    | Q(owner_user__isnull=True, owner_guest__isnull=False)
                ),
                name="quota_usage_exactly_one_owner",
            ),
            models.UniqueConstraint(
                fields=["owner_user", "kind", "window", "period_start"],
                condition=Q(owner_user__isnull=False),
                name="quota_usage_user_window",
            ),
            models.UniqueConstraint(
                fields=["owner_guest", "kind", "window", "period_start"],
                condition=Q(owner_guest__isnull=False),
                name="quota_usage_guest_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.window} {self.period_start}: {self.used}"


class RateWindow(models.Model):
    """Requests (or a guest address's images) counted for one key in one fixed window; rows go once it ends.

    The key names the scope and the owner or the address's pseudonym (a keyed hash), never the address.
    """

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="The window's end; the hourly purge deletes the row after it.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="rate_window_key_start")]
        indexes = [models.Index(fields=["expires_at"], name="rate_window_expires")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%H:%M:%S}: {self.count}"


class UserSession(AbstractBaseSession):
    """Django's database session plus who it belongs to, so a user can see and end their sessions."""

    # Not the cookie's key: its keyed hash (`sessions.session_key_digest`), so a copy of the table signs no one in.
    session_key = models.CharField("session key digest", max_length=64, primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    device = models.CharField(max_length=120, blank=True)
    signed_in_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def get_session_store_class(cls) -> type:
        from nanobananas.accounts.sessions import SessionStore

        return SessionStore


class ClosedAccount(models.Model):
    """The tombstone of a deleted account: only what "account data for the account's life + 3 years" needs.

    The user row stays (inactive, no name, no email, no password) so that billing records and the consent
    log keep pointing at it; the retention purge deletes it, and everything still linked to it, once
    `purge_after` has passed.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="closed_account"
    )
    closed_at = models.DateTimeField()
    purge_after = models.DateTimeField(db_index=True)
    # Set by the purge once the account's content is gone and nothing of it is held: its data key is deleted.
    keys_shredded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"closed account {self.user_id} (purged after {self.purge_after:%Y-%m-%d})"
