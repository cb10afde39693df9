"""Content review tables: the custom blocklist, known prohibited images, blocked attempts (the abuse
score), the staff review queue, evidence and every staff view of it.

Review items and blocked attempts belong to their owner and go with the account or the guest.
Evidence does not: it names the owner only by key and is kept until staff release it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from nanobananas.vault.fields import SealedTextField

ACTION_CHOICES = [("flag", "flag for review"), ("block", "block")]


class BlockedTerm(models.Model):
    """A deployment's own pattern (same syntax as the shipped term lists), checked on every prompt."""

    term = models.CharField(
        max_length=300,
        help_text="Words to match on word boundaries, e.g. “acme corp logo”; {a|b} alternatives, word* prefixes.",
    )
    category = models.CharField(max_length=40, default="custom")
    action = models.CharField(max_length=8, choices=ACTION_CHOICES, default="block")
    note = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


# The 64-bit pHash and dHash are also stored as four 16-bit parts each, in four indexes (below).
# Two hashes within Hamming distance d differ by at most d // 4 bits in at least one part (pigeonhole),
# so a near look-up probes the four pHash-part indexes for the parts within that radius, and drops the
# entries whose dHash has no part within it while still in the index, instead of reading every row.
HASH_PARTS = 4
HASH_PART_BITS = 16


class KnownImage(models.Model):
    """The fingerprints of a prohibited image (never the image): pixel SHA-256, pHash and dHash, and the
    algorithm that made the perceptual hashes (`moderation.imagehash.ALGORITHM`): only hashes of the
    current one are compared, so a row listed before a change is matched exactly until it is listed again."""

    class HashAlgorithm(models.TextChoices):
        DCT_V1 = "dct-v1", "hand-written DCT pHash and Lanczos dHash (before OpenCV)"
        OPENCV_V2 = "opencv-v2", "OpenCV pHash and dHash on area-averaged reductions"

    sha256 = models.CharField(max_length=64, unique=True)
    phash = models.CharField(max_length=16)
    dhash = models.CharField(max_length=16)
    hash_algorithm = models.CharField(max_length=16, choices=HashAlgorithm.choices, default=HashAlgorithm.OPENCV_V2)
    phash_0 = models.PositiveIntegerField(editable=False, help_text="pHash bits 63-48")
    phash_1 = models.PositiveIntegerField(editable=False, help_text="pHash bits 47-32")
    phash_2 = models.PositiveIntegerField(editable=False, help_text="pHash bits 31-16")
    phash_3 = models.PositiveIntegerField(editable=False, help_text="pHash bits 15-0")
    dhash_0 = models.PositiveIntegerField(editable=False, help_text="dHash bits 63-48")
    dhash_1 = models.PositiveIntegerField(editable=False, help_text="dHash bits 47-32")
    dhash_2 = models.PositiveIntegerField(editable=False, help_text="dHash bits 31-16")
    dhash_3 = models.PositiveIntegerField(editable=False, help_text="dHash bits 15-0")
    category = models.CharField(max_length=40)
    note = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # One index per pHash part, carrying the dHash parts and the algorithm: a probe is answered from
        # the index alone.
        indexes = [
            models.Index(
                fields=[f"phash_{i}", "dhash_0", "dhash_1", "dhash_2", "dhash_3", "hash_algorithm"],
                name=f"known_image_hashes_{i}",
            )
            for i in range(HASH_PARTS)
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.sha256[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phash_0, self.phash_1, self.phash_2, self.phash_3 = hash_parts(self.phash)
        self.dhash_0, self.dhash_1, self.dhash_2, self.dhash_3 = hash_parts(self.dhash)
        super().save(*args, **kwargs)


def hash_parts(hex_hash: str) -> tuple[int, int, int, int]:
    """The four 16-bit parts of a 64-bit hex hash, most significant first."""
    value = int(hex_hash, 16)
    mask = (1 << HASH_PART_BITS) - 1
    a, b, c, d = (value >> (HASH_PART_BITS * (HASH_PARTS - 1 - i)) & mask for i in range(HASH_PARTS))
    return a, b, c, d


class OwnedByUserOrGuest(models.Model):
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_guest = models.ForeignKey("accounts.Guest", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(owner_user__isnull=False, owner_guest__isnull=True)
                    | Q(owner_user__isnull=True, owner_guest__isnull=False)
                ),
                name="%(app_label)s_%(class)s_exactly_one_owner",
            )
        ]

    @property
    def owner_key(self) -> str:
        return f"u{self.owner_user_id}" if self.owner_user_id is not None else f"g{self.owner_guest_id}"


class BlockedAttempt(OwnedByUserOrGuest):
    """One blocked request: counts toward the owner's abuse score and the throttle. No content."""

    class Stage(models.TextChoices):
        PROMPT = "prompt"
        UPLOAD = "upload"
        RESULT = "result"
        PROVIDER = "provider"

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    category = models.CharField(max_length=40)
    verdict = models.JSONField(default=dict)

    class Meta(OwnedByUserOrGuest.Meta):
        indexes = [
            models.Index(fields=["owner_user", "at"], name="blocked_user_time"),
            models.Index(fields=["owner_guest", "at"], name="blocked_guest_time"),
        ]

    def __str__(self) -> str:
        return f"blocked {self.stage} ({self.category}) of {self.owner_key}"


class BlockedAddress(models.Model):
    """One blocked request counted against the network address it came from, so a guest who drops the
    session cookie stays throttled. The address is kept only as its pseudonym (`address_key`: a keyed
    hash, HMAC with the server's secret key), and the row is deleted once it leaves the throttle window."""

    id = models.BigAutoField(primary_key=True)
    address_key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address_key", "at"], name="blocked_address_time")]

    def __str__(self) -> str:
        return f"blocked request from {self.address_key[:12]} at {self.at:%Y-%m-%d %H:%M}"


class ReviewItem(OwnedByUserOrGuest):
    """An item in the staff review queue: flagged automatically, or reported by a user."""

    class Source(models.TextChoices):
        AUTOMATIC = "automatic"
        REPORT = "report"

    class Status(models.TextChoices):
        OPEN = "open"
        ALLOWED = "allowed"
        REMOVED = "removed"
        ESCALATED = "escalated"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(max_length=16, choices=Source.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    stage = models.CharField(max_length=16, blank=True, help_text="prompt, upload or result")
    category = models.CharField(max_length=40, db_index=True, help_text="the deciding category")
    categories = models.JSONField(default=list)
    score = models.FloatField(default=0.0)
    verdict = models.JSONField(default=dict, help_text="every check's action, category, score and rule")
    # The reporter's words, sealed with the reporter's data key: `reason` reads and writes the text,
    # which becomes unreadable once the reporter's account or guest session is deleted.
    sealed_reason = SealedTextField(plain="reason", context="report", key_owner="reported_by")
    reason: str
    reported_by = models.CharField(max_length=64, blank=True, help_text="owner key of the reporter")
    # Set when the reporter's or the owner's account is deleted: the words go, their SHA-256 stays.
    reason_sha256 = models.CharField(max_length=64, blank=True)
    conversation_id = models.UUIDField(null=True, blank=True)
    message_id = models.UUIDField(null=True, blank=True)
    asset_id = models.UUIDField(null=True, blank=True, db_index=True)
    job_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(OwnedByUserOrGuest.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.category or 'report'} ({self.status})"


class Evidence(models.Model):
    """An escalated item's context, kept under legal hold. Only staff with `moderation.view_evidence`
    see it, and every view is recorded (EvidenceAccess) and audited.

    The owner is named by key only, so the record survives the account or the guest. The prompt is
    copied sealed with the deployment's evidence key, so it stays readable after the owner's data key
    is destroyed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review_item = models.ForeignKey(ReviewItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner_key = models.CharField(max_length=64, db_index=True)
    category = models.CharField(max_length=40)
    conversation_id = models.UUIDField(null=True, blank=True)
    message_id = models.UUIDField(null=True, blank=True)
    asset_id = models.UUIDField(null=True, blank=True)
    context = models.JSONField(default=dict)
    # Sealed with the deployment's evidence key (`sealing_key`), not the owner's: `prompt` reads it.
    sealed_prompt = SealedTextField(plain="prompt", context="evidence", key_owner="sealing_key")
    prompt: str
    holds = models.JSONField(default=list, help_text="ids of the legal holds placed for this evidence")
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-escalated_at"]
        verbose_name_plural = "evidence"
        permissions = [("release_evidence", "Can release moderation evidence")]

    sealing_key = "evidence"

    def __str__(self) -> str:
        return f"evidence {self.id} ({self.category})"


class EvidenceAccess(models.Model):
    """One staff view of evidence, with the reason the viewer gave."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="accesses")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    why = models.TextField()
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"view of {self.evidence_id} at {self.at:%Y-%m-%d %H:%M}"
