"""Export my data: a ZIP of everything a user has, built by a job, stored encrypted, fetched by a signed link."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import uuid
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.mail import mail_admins
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from nanobananas.audit.services import audit_record
from nanobananas.core.exceptions import NotFound
from nanobananas.privacy.exceptions import ExportLimited, LinkExpired
from nanobananas.privacy.models import DataExport, DeletionReceipt, PendingBlobDeletion
from nanobananas.registry.jobs import job_enqueue_on_commit
from nanobananas.registry.personal_data import ExportSection, exporters

__all__ = [
    "EXPORT_LIFETIME",
    "EXPORT_MAX_ATTEMPTS",
    "LINK_MAX_AGE",
    "REQUEST_INTERVAL",
    "SCHEMA_VERSION",
    "export_build",
    "export_download_url",
    "export_for_operator",
    "export_get",
    "export_link_open",
    "export_list",
    "export_request",
    "exports_expire",
    "exports_give_up",
    "exports_stalled",
]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
EXPORT_LIFETIME = timedelta(days=7)
REQUEST_INTERVAL = timedelta(hours=24)
LINK_MAX_AGE = timedelta(hours=24)
LINK_SALT = "nanobananas.privacy.export.download"
# A build still "running" this long after it started belongs to a worker that died; it may be taken over.
STALE_AFTER = timedelta(hours=1)
COPY_CHUNK_BYTES = 1024 * 1024
FAILED_MESSAGE = "The archive could not be built. Please ask for a new export."
# A build that fails is tried again by the next rescue (every 15 minutes), up to this many builds in all;
# then the export fails for good and the operator is alerted (ADMINS, NANOBANANAS_OPERATOR_EMAIL).
EXPORT_MAX_ATTEMPTS = 3
RETRY_STAGE = "Waiting to try again"
# The job (privacy/tasks.py) that builds an archive, enqueued by this name.
BUILD_JOB = "privacy.build_export"

# Who processes what, for README.txt: provider aliases as stored on images and billing records.
RECIPIENTS = {
    "builtin": "the built-in engine (runs on this server; nothing leaves it)",
    "fake": "the test engine (runs on this server; nothing leaves it)",
    "gemini": "Google (Gemini API): the prompt and the pictures of that request",
    "google": "Google (Gemini API): the prompt and the pictures of that request",
    "openai": "OpenAI (Images API) or a compatible server: the prompt and the pictures of that request",
    "stripe": "Stripe (payment processing): your email address and payment details",
    "offline": "offline test-mode payments (runs on this server; nothing leaves it)",
}


def _export_blob_name(export: DataExport) -> str:
    return f"exports/u{export.user_id}/{export.id}.zip"


# Reads.


def export_list(*, user_id: int) -> QuerySet[DataExport]:
    return DataExport.objects.filter(user_id=user_id).order_by("-requested_at")


def export_get(*, user_id: int, export_id: uuid.UUID) -> DataExport:
    export = DataExport.objects.filter(user_id=user_id, id=export_id).first()
    if export is None:
        raise NotFound("No export with this id.")
    return export


def _downloadable(export: DataExport, now: datetime) -> bool:
    return export.status == DataExport.Status.READY and export.expires_at is not None and export.expires_at > now


def export_download_url(*, export: DataExport) -> str | None:
    """A link (path) to the archive that works for its owner for 24 h; None while it cannot be downloaded."""
    if not _downloadable(export, timezone.now()):
        return None
    # Only the export's random id: the link's readable payload names no account (the owner is checked on use).
    token = signing.dumps({"export": str(export.id)}, salt=LINK_SALT)
    return reverse("api:export_download", kwargs={"token": token})


def export_link_open(*, token: str, user_id: int) -> DataExport:
    """The ready export a download link points at: 410 when the link or the archive is gone, 404 when not yours."""
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
        export_id = uuid.UUID(str(payload["export"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkExpired("This download link has expired or is not valid. Ask for a new one on the Me page.") from None
    export = export_get(user_id=user_id, export_id=export_id)
    if not _downloadable(export, timezone.now()):
        raise LinkExpired("This export has been deleted. Ask for a new one on the Me page.")
    return export


# Writes.


def export_request(*, user: User, link_base: str = "") -> DataExport:
    """Queue a new archive of `user`'s data; one per 24 h (a failed build does not count)."""
    from nanobananas.accounts.identity import Owner
    from nanobananas.analytics.services import analytics_record

    now = timezone.now()
    with transaction.atomic():
        # The user's row is the lock: two requests at once cannot both pass the check.
        User.objects.select_for_update().filter(pk=user.pk).first()
        latest = (
            DataExport.objects.filter(user_id=user.pk, requested_at__gt=now - REQUEST_INTERVAL)
            .exclude(status=DataExport.Status.FAILED)
            .order_by("-requested_at")
            .first()
        )
        if latest is not None:
            resets_at = latest.requested_at + REQUEST_INTERVAL
            raise ExportLimited(
                f"You can ask for one export every 24 hours. The next is possible at {resets_at:%Y-%m-%d %H:%M} UTC.",
                resets_at=resets_at,
            )
        export = DataExport.objects.create(user=user, requested_at=now, stage="Waiting in line", link_base=link_base)
        audit_record(
            kind="export.requested", actor=f"user:{user.pk}", owner_key=f"u{user.pk}",
            target_type="export", target_id=str(export.id),
        )  # fmt: skip
        analytics_record(Owner(user_id=user.pk), "export_requested")
        job_enqueue_on_commit(BUILD_JOB, str(export.id))
    return export


def _claim(export_id: uuid.UUID, now: datetime) -> bool:
    claimable = Q(status=DataExport.Status.QUEUED) | Q(
        status=DataExport.Status.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = DataExport.objects.filter(claimable, id=export_id, attempts__lt=EXPORT_MAX_ATTEMPTS).update(
        status=DataExport.Status.RUNNING, started_at=now, progress=0, stage="Starting", error="",
        attempts=F("attempts") + 1,
    )  # fmt: skip
    return claimed == 1


def exports_stalled(*, now: datetime | None = None) -> list[uuid.UUID]:
    """Exports to enqueue again: a failed build waiting for its next try, a job lost (queued) or a worker
    that died (running) over an hour ago, while builds are left (EXPORT_MAX_ATTEMPTS)."""
    before = (now or timezone.now()) - STALE_AFTER
    stalled = DataExport.objects.filter(
        Q(status=DataExport.Status.QUEUED, requested_at__lt=before)
        | Q(status=DataExport.Status.QUEUED, attempts__gt=0)
        | Q(status=DataExport.Status.RUNNING, started_at__lt=before),
        attempts__lt=EXPORT_MAX_ATTEMPTS,
    )
    return list(stalled.values_list("id", flat=True))


def exports_give_up(*, now: datetime | None = None) -> list[uuid.UUID]:
    """Exports whose last allowed build died with its worker over an hour ago: failed, operator alerted."""
    before = (now or timezone.now()) - STALE_AFTER
    dead = DataExport.objects.filter(
        status=DataExport.Status.RUNNING, started_at__lt=before, attempts__gte=EXPORT_MAX_ATTEMPTS
    )
    given_up = []
    for export_id, started_at in dead.values_list("id", "started_at"):
        failed = DataExport.objects.filter(id=export_id, status=DataExport.Status.RUNNING, started_at=started_at)
        if failed.update(status=DataExport.Status.FAILED, stage="Failed", error=FAILED_MESSAGE):
            _operator_alert(export_id, cause="its worker stopped")
            given_up.append(export_id)
    return given_up


def _operator_alert(export_id: uuid.UUID, *, cause: str) -> None:
    """Tell the operator (log, audit and mail to ADMINS) that an export failed for good; ids only."""
    export = DataExport.objects.get(id=export_id)
    summary = f"Data export {export.id} of user {export.user_id} failed {export.attempts} times (last: {cause})"
    logger.error("%s; it was given up and the user was told to ask again", summary)
    audit_record(
        kind="export.failed", actor="system", owner_key=f"u{export.user_id}", target_type="export",
        target_id=str(export.id), details={"attempts": export.attempts, "cause": cause},
    )  # fmt: skip
    mail_admins(
        f"Data export failed {export.attempts} times",
        f"{summary}.\nIt was given up; the user sees: {FAILED_MESSAGE}\nThe worker logs have the error of each try.\n",
        fail_silently=True,
    )


def export_build(*, export_id: uuid.UUID) -> None:
    """Build, encrypt and store the archive, then mail its link. Safe to run twice: only a queued export (or
    one whose worker died) is built."""
    started = timezone.now()
    if not _claim(export_id, started):
        return
    export = DataExport.objects.select_related("user").get(id=export_id)
    attempt = DataExport.objects.filter(id=export_id, status=DataExport.Status.RUNNING, started_at=started)

    def progress(percent: int, stage: str) -> None:
        attempt.update(progress=percent, stage=stage)

    name = _export_blob_name(export)
    try:
        with tempfile.TemporaryFile() as handle:
            _archive_write(user=export.user, handle=handle, progress=progress)
            byte_size, sha256 = _size_and_digest(handle)
            progress(98, "Encrypting and storing the archive")
            if default_storage.exists(name):  # left by an attempt that died after storing it
                default_storage.delete(name)
            default_storage.save(name, File(handle, name))
    except Exception:
        tries = DataExport.objects.filter(id=export_id).values_list("attempts", flat=True).get()
        logger.exception("data export %s failed (build %d of %d)", export_id, tries, EXPORT_MAX_ATTEMPTS)
        if tries < EXPORT_MAX_ATTEMPTS:
            attempt.update(status=DataExport.Status.QUEUED, stage=RETRY_STAGE, progress=0)
        elif attempt.update(status=DataExport.Status.FAILED, stage="Failed", error=FAILED_MESSAGE):
            _operator_alert(export_id, cause="the build raised an error")
        return
    with transaction.atomic():
        ready_at = timezone.now()
        finished = attempt.update(
            status=DataExport.Status.READY,
            progress=100,
            stage="Ready",
            blob_name=name,
            byte_size=byte_size,
            sha256=sha256,
            ready_at=ready_at,
            expires_at=ready_at + EXPORT_LIFETIME,
        )
        if finished:
            audit_record(
                kind="export.ready", actor="system", owner_key=f"u{export.user_id}", target_type="export",
                target_id=str(export_id), details={"sha256": sha256, "bytes": byte_size},
            )  # fmt: skip
            transaction.on_commit(lambda: _mail_ready(export_id))


def _mail_ready(export_id: uuid.UUID) -> None:
    from nanobananas.accounts.mail import mail_send
    from nanobananas.accounts.selectors import profile_for

    export = DataExport.objects.select_related("user").get(id=export_id)
    link = export_download_url(export=export)
    if not export.user.email or link is None:
        return
    profile = profile_for(user_id=export.user_id)
    context = {
        "display_name": profile.display_name if profile else export.user.get_username(),
        "link": export.link_base.rstrip("/") + link,
        "link_expires_at": timezone.now() + LINK_MAX_AGE,
        "expires_at": export.expires_at,
        "size": filesizeformat(export.byte_size),
    }
    mail_send(to=export.user.email, template="export_ready", context=context)


def exports_expire(*, now: datetime | None = None) -> tuple[int, int]:
    """Archives 7 days past ready: their bytes go to the pending-blob queue, a receipt is written, the row
    stays as `expired` (no content). Returns how many and their bytes; the caller flushes the queue."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(DataExport.objects.select_for_update().filter(status=DataExport.Status.READY, expires_at__lte=now))
        if not due:
            return 0, 0
        PendingBlobDeletion.objects.bulk_create(
            [PendingBlobDeletion(blob_name=e.blob_name) for e in due], ignore_conflicts=True
        )
        DeletionReceipt.objects.bulk_create(
            [
                DeletionReceipt(
                    kind=DeletionReceipt.Kind.EXPORT,
                    item_id=str(e.id),
                    owner_key=f"u{e.user_id}",
                    content_sha256=e.sha256,
                    reason=DeletionReceipt.Reason.RETENTION,
                    created_at=e.ready_at,
                    expires_at=e.expires_at,
                    queued_at=now,
                    purged_at=now,
                )
                for e in due
            ]
        )
        DataExport.objects.filter(id__in=[e.id for e in due]).update(
            status=DataExport.Status.EXPIRED, stage="Deleted", blob_name=""
        )
    return len(due), sum(e.byte_size for e in due)


def export_for_operator(*, email: str, output: Path) -> Path:
    """Write the archive of the user with `email` to `output` now (the operator CLI); audited."""
    user = User.objects.filter(email__iexact=email.strip()).order_by("pk").first()
    if user is None:
        raise NotFound(f"No account with the email address {email.strip()!r}.")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Written next to `output` and renamed, so `output` is either the whole archive or absent.
    fd, partial = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w+b") as handle:
            _archive_write(user=user, handle=handle, progress=lambda percent, stage: None)
        os.replace(partial, output)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    audit_record(
        kind="export.operator", actor="operator", owner_key=f"u{user.pk}", target_type="user",
        target_id=str(user.pk), details={"sha256": _file_sha256(output)},
    )  # fmt: skip
    return output


# The archive.


def _file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return _size_and_digest(handle)[1]


def _size_and_digest(handle: IO[bytes]) -> tuple[int, str]:
    handle.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(COPY_CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return size, digest.hexdigest()


class _Archive:
    """A ZIP being written, remembering every file's size and SHA-256 for the manifest."""

    def __init__(self, handle: IO[bytes], *, written_at: datetime) -> None:
        self.bundle = zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED)
        self.date_time = written_at.timetuple()[:6]
        self.files: list[dict[str, Any]] = []
        self.paths: set[str] = set()

    def _info(self, path: str, compression: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        info.compress_type = compression
        info.external_attr = 0o600 << 16
        return info

    def write_text(self, path: str, text: str) -> None:
        data = text.encode()
        self.paths.add(path)
        self.bundle.writestr(self._info(path, zipfile.ZIP_DEFLATED), data)
        self.files.append({"path": path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})

    def write_json(self, path: str, value: Any) -> None:
        self.write_text(path, json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False) + "\n")

    def copy(self, path: str, source: IO[bytes]) -> None:
        """Copy chunk by chunk (stored, not compressed: images are compressed already)."""
        digest = hashlib.sha256()
        size = 0
        self.paths.add(path)
        with self.bundle.open(self._info(path, zipfile.ZIP_STORED), "w") as target:
            while chunk := source.read(COPY_CHUNK_BYTES):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        self.files.append({"path": path, "bytes": size, "sha256": digest.hexdigest()})

    def close(self, manifest: dict[str, Any]) -> None:
        self.write_json("manifest.json", {**manifest, "files": list(self.files)})
        self.bundle.close()


# The order of the apps in the archive: account.json's parts first (in this order), then the small files,
# then each conversation with its images. An app not named here follows, by label.
EXPORT_ORDER = ("accounts", "tokens", "privacy", "policies", "billing", "analytics", "moderation", "studio")


def _archive_write(*, user: User, handle: IO[bytes], progress: Callable[[int, str], None]) -> None:
    """Write the whole archive of `user` into `handle`: what each app's exporter in the personal data registry
    yields (only live items, only theirs, no secrets), with README.txt and a manifest of every file."""
    written_at = timezone.now()
    progress(2, "Collecting your account data")
    declared = exporters(order=EXPORT_ORDER)
    providers = {alias for _, e in declared if e.recipients is not None for alias in e.recipients(user.pk)}
    total = sum(e.count(user.pk) for _, e in declared if e.count is not None)
    done = 0
    last_percent = -1

    def step(stage: str) -> None:
        nonlocal done, last_percent
        done += 1
        percent = 5 + (90 * done) // max(total, done, 1)
        if percent != last_percent:
            last_percent = percent
            progress(percent, stage)

    archive = _Archive(handle, written_at=written_at)
    archive.write_text("README.txt", _readme(user=user, providers=providers, written_at=written_at))
    sections: dict[str, dict[str, Any]] = {}  # JSON objects several apps fill, written before the next file
    section_owner: dict[tuple[str, str], str] = {}

    def flush() -> None:
        for path, values in sections.items():
            archive.write_json(path, values)
        sections.clear()

    for app, exporter in declared:
        for part in exporter.files(user.pk):
            if isinstance(part, ExportSection):
                if part.path in archive.paths:
                    raise ImproperlyConfigured(
                        f"{app} adds to {part.path} after it was written; order its exporter earlier"
                    )
                for key, value in part.values.items():
                    if (part.path, key) in section_owner:
                        raise ImproperlyConfigured(
                            f"{app} and {section_owner[part.path, key]} both export {part.path}: {key}"
                        )
                    section_owner[part.path, key] = app
                    sections.setdefault(part.path, {})[key] = value
                continue
            flush()
            if part.path in archive.paths:
                raise ImproperlyConfigured(f"{app} exports {part.path}, which is already in the archive")
            if part.blob_name:
                with default_storage.open(part.blob_name, "rb") as source:
                    archive.copy(part.path, source)
            else:
                archive.write_json(part.path, part.value)
            if part.stage:
                step(part.stage)
    flush()
    progress(96, "Writing the manifest")
    archive.close(
        {
            "format": "nanobananas-export",
            "schema_version": SCHEMA_VERSION,
            "generated_at": written_at,
            "user_id": user.pk,
        }
    )


def _readme(*, user: User, providers: set[str], written_at: datetime) -> str:
    from nanobananas.accounts.identity import Owner
    from nanobananas.accounts.selectors import retention_hours_for

    recipients = "\n".join(
        f"  - {alias}: {RECIPIENTS.get(alias, 'an external provider')}" for alias in sorted(providers)
    )
    return README.format(
        written_at=f"{written_at:%Y-%m-%d %H:%M} UTC",
        username=user.get_username(),
        schema_version=SCHEMA_VERSION,
        recipients=recipients or "  - none: nothing in this archive was processed by a third party",
        image_hours=retention_hours_for(owner=Owner(user_id=user.pk)),
        text_days=settings.NANOBANANAS["TEXT_RETENTION_DAYS"],
        export_days=EXPORT_LIFETIME.days,
        analytics_days=settings.NANOBANANAS["ANALYTICS_RAW_DAYS"],
        contact=settings.DEFAULT_FROM_EMAIL,
    )


README = """\
Your Nanobananas data
=====================

Made on {written_at} for the account "{username}". It holds everything the service still keeps
about you: your account, your conversations, your images (decrypted, as stored), your billing
records and any usage data linked to you. Nothing of anyone else is in it, and no secrets
(password hash, session keys, API token hashes, encryption keys). Items already queued for
deletion are not included.

Files (schema version {schema_version}; every JSON file is UTF-8, times are ISO 8601 in UTC)
---------------------------------------------------------------------------------------
README.txt                        this file
manifest.json                     {{"format", "schema_version", "generated_at", "user_id",
                                  "files": [{{"path", "bytes", "sha256"}}]}}: every other file with
                                  its size and SHA-256, so you can check that nothing is missing
account.json                      {{"user", "profile", "plan", "settings", "quota_usage",
                                  "sessions" (device and times, no keys), "api_tokens" (names,
                                  scopes and times, no secrets), "privacy_settings" (your
                                  choices on Me -> Privacy and "commercial_images": ids of images
                                  you marked for commercial use), "consents" (every change of a
                                  privacy setting, oldest first: {{"setting", "subject", "old",
                                  "new", "at", "policy_version", "source"}}), "policy_acceptances"}}
conversations/<id>.json           {{"id", "title", "created_at", "updated_at", "expires_at",
                                  "turns": [{{"id", "role", "text", "created_at", "expires_at",
                                  "images" (ids shown in the turn), "job" (status, provider,
                                  options, times) or null}}],
                                  "images": [{{"id", "kind" (upload or result), "number", "label",
                                  "file", "operation", "parent_id" (the version it was made from),
                                  "inputs", "plan", "steps", "provider", "model", "content_type",
                                  "width", "height", "byte_size", "sha256", "created_at",
                                  "expires_at"}}]}}
images/<conversation id>/         the pictures you uploaded (picture-<n>) and every version made
                                  (version-<n>), as stored
billing.json                      {{"subscriptions", "payment_customers", "invoices"}}
analytics.json                    this month's usage events, recorded only while analytics is on
                                  (off unless you switch it on): [{{"name", "at", "label",
                                  "operation", "duration_ms"}}]; never prompts or pictures. Earlier
                                  months' events carry a pseudonym whose key is destroyed when the
                                  month ends: nobody can tell them apart from anyone else's any more
feedback.json                     {{"feedback": your ratings of results (rating, reason, operation,
                                  provider, plan hash), "bug_reports": what you reported, and the
                                  conversation you agreed to share and until when}}

Why we process your data
------------------------
- To provide the service you ask for: store your conversations, make and edit images, show
  your history (performance of the contract).
- To bill a paid plan and keep the records the law requires (legal obligation).
- To keep the service safe: automated review of prompts and images, logs of generation events
  for audits, sign-in protection (legitimate interest and legal obligation).

Who received your data (recipients and third-party providers)
-------------------------------------------------------------
{recipients}
Each image in conversations/*.json names the provider and model that made it.

How long we keep it
-------------------
- Uploads, generated images and videos: {image_hours} hours after they are made (your current
  setting); guests' 24 hours.
- Conversation text: {text_days} days after each message.
- Account data and billing records: for the life of the account plus 3 years.
- Usage analytics: only while you have them switched on, never content, under a pseudonym
  that cannot be traced back once its month is over; raw events {analytics_days} days.
- This archive: deleted {export_days} days after it was made; its download link works 24 hours.

Your rights
-----------
You may access your data (this archive), correct your profile (Me page), delete single images,
conversations or the whole account, restrict or object to processing, withdraw consent at any
time (Me -> Privacy), and take this archive to another service (portability).

How to complain
---------------
Write to the operator of this service at {contact}. You may also lodge a complaint with the data
protection supervisory authority where you live or work.
"""
