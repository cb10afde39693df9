"""The data lifecycle (sweep, purge, storage repair, legal holds); privacy settings and their consent
ledger (the analytics switch among them: the events themselves live in `nanobananas.analytics`).

    created --(expires_at passes: sweep)--> queued (hidden at once) --(purge)--> gone, receipt kept
       +-- under legal hold: never queued by the sweep, never purged while held

Blob bytes are deleted only after the rows that describe them are gone (their names wait in
PendingBlobDeletion, so a failed delete is retried by every later purge); a crash in between can
leave bytes without a row, never a row without bytes. The integrity job removes such leftovers.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.audit.services import audit_record
from nanobananas.core.bulk import rows_delete, rows_insert
from nanobananas.core.exceptions import InvalidInput
from nanobananas.privacy.closed_accounts import closed_accounts_purge
from nanobananas.privacy.holds import active_holds, unheld
from nanobananas.privacy.models import (
    CleanupRun,
    CommercialImage,
    ConsentEvent,
    DeletionReceipt,
    LegalHold,
    PendingBlobDeletion,
    PrivacySettings,
)
from nanobananas.privacy.retention import guest_lifetime
from nanobananas.privacy.selectors import SETTING_NAMES
from nanobananas.registry.personal_data import Link, blob_columns, references

__all__ = [
    "CleanupResult",
    "IntegrityResult",
    "PurgeResult",
    "SweepResult",
    "blobs_delete_pending",
    "cleanup_run",
    "commercial_image_set",
    "integrity_check",
    "legal_hold_place",
    "legal_hold_release",
    "privacy_settings_carry_over",
    "privacy_settings_check",
    "privacy_settings_update",
    "retention_purge",
    "retention_sweep",
    "unheld",
]

logger = logging.getLogger(__name__)

BLOB_FOLDERS = ("assets", "uploads", "exports")


@dataclass
class SweepResult:
    queued: dict[str, int] = field(default_factory=dict)


@dataclass
class PurgeResult:
    purged: dict[str, int] = field(default_factory=dict)
    bytes_freed: int = 0
    receipts: int = 0
    blobs_deleted: int = 0
    blobs_failed: int = 0


@dataclass
class IntegrityResult:
    orphan_blobs_deleted: list[str] = field(default_factory=list)
    rows_missing_blobs: list[str] = field(default_factory=list)


@dataclass
class CleanupResult:
    sweep: SweepResult
    purge: PurgeResult
    due: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


def _models() -> dict[str, Any]:
    from nanobananas.studio.models import Asset, Conversation, Message

    return {"asset": Asset, "message": Message, "conversation": Conversation}


def _due(now: datetime) -> dict[str, QuerySet[Any]]:
    from nanobananas.studio.models import Lifecycle

    return {
        kind: unheld(model.objects.filter(state=Lifecycle.ACTIVE, expires_at__lte=now), kind=kind)
        for kind, model in _models().items()
    }


def retention_sweep(*, now: datetime | None = None) -> SweepResult:
    """Queue every item whose time has come. Queued items vanish from every page and API at once."""
    from nanobananas.studio.models import Lifecycle

    started = timezone.now()
    now = now or started
    result = SweepResult()
    with transaction.atomic():
        for kind, due in _due(now).items():
            result.queued[kind] = due.update(state=Lifecycle.QUEUED, queued_at=now, deletion_reason="retention")
        # A conversation going away takes its remaining text and images with it.
        models = _models()
        queued_conversations = models["conversation"].objects.filter(state=Lifecycle.QUEUED).values("id")
        for kind in ("message", "asset"):
            extra = unheld(
                models[kind].objects.filter(state=Lifecycle.ACTIVE, conversation_id__in=queued_conversations),
                kind=kind,
            ).update(state=Lifecycle.QUEUED, queued_at=now, deletion_reason="retention")
            result.queued[kind] += extra
        CleanupRun.objects.create(kind=CleanupRun.Kind.SWEEP, started_at=started, finished_at=timezone.now(),
                                  counts=result.queued)  # fmt: skip
    return result


def _sha256_of_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _owner_key(row: Any) -> str:
    return f"u{row.owner_user_id}" if row.owner_user_id is not None else f"g{row.owner_guest_id}"


# A long purge checkpoints SQLite's WAL every this many deleted rows (and always once at its end): often
# enough that the WAL stays small, rarely enough that pages written by many batches are copied once.
CHECKPOINT_ROWS = 10_000


def _checkpoint() -> None:
    """SQLite: move the WAL into the main file and truncate it, so deleted bytes leave both files."""
    # Inside an enclosing transaction (a caller's, or a test's) the checkpoint cannot run; the next
    # purge outside one does it.
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


_RECEIPT_COLUMNS = ("kind", "item_id", "owner_key", "conversation_id", "message_id", "number", "content_sha256",
                    "reason", "created_at", "expires_at", "queued_at", "purged_at")  # fmt: skip


def _asset_receipt(asset: dict[str, Any], purged_at: Any) -> tuple[Any, ...]:
    """A deletion receipt's values (in _RECEIPT_COLUMNS order) for an image row read as the database
    stores it (its id may be a UUID or 32 hex digits: the receipt names it the same way either way)."""
    user, guest = asset["owner_user_id"], asset["owner_guest_id"]
    reason = asset["deletion_reason"] or DeletionReceipt.Reason.RETENTION.value
    owner = f"u{user}" if user is not None else f"g{uuid.UUID(str(guest))}"
    return (DeletionReceipt.Kind.ASSET.value, str(uuid.UUID(str(asset["id"]))), owner,
            asset["conversation_id"], asset["message_id"], asset["number"], asset["sha256"], reason,
            asset["created_at"], asset["expires_at"], asset["queued_at"], purged_at)  # fmt: skip


def _purge_assets(batch: int, result: PurgeResult) -> int:
    """Delete one batch of queued images: their blobs go to the pending list, a receipt is written for
    each, then the rows go. Only the columns the receipts need are read, and rows are written and
    deleted in bulk (core/bulk.py): at this size, model instances cost more than the work."""
    from nanobananas.studio.models import Asset, Lifecycle

    now = timezone.now()
    columns = ("id", "blob_name", "owner_user_id", "owner_guest_id", "conversation_id", "message_id", "number",
               "sha256", "deletion_reason", "created_at", "expires_at", "queued_at", "byte_size")  # fmt: skip
    with transaction.atomic():
        # In the order of the (state, expires_at) index: each batch reads only the rows it takes, where an
        # order without an index would read and sort every queued row again for every batch.
        queued = unheld(Asset.objects.filter(state=Lifecycle.QUEUED), kind="asset").order_by("expires_at")
        # Read as the database stores them: the receipts take the same values back, with no conversion
        # to Python objects and back per value.
        sql, params = queued.select_for_update().values_list(*columns)[:batch].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        if not rows:
            return 0
        # A name already waiting (an earlier purge could not delete its bytes) keeps its row and attempts.
        pending = [(name, now, 0, "") for name in sorted({a["blob_name"] for a in rows})]
        rows_insert(PendingBlobDeletion, ("blob_name", "created_at", "attempts", "last_error"), pending,
                    ignore_conflicts=True)  # fmt: skip
        purged_at = connection.ops.adapt_datetimefield_value(now)  # once, in the database's own form
        rows_insert(DeletionReceipt, _RECEIPT_COLUMNS, [_asset_receipt(a, purged_at) for a in rows])
        rows_delete(Asset, [a["id"] for a in rows])
    result.purged["asset"] = result.purged.get("asset", 0) + len(rows)
    result.bytes_freed += sum(a["byte_size"] for a in rows)
    result.receipts += len(rows)
    return len(rows)


def _text_receipt(kind: str, row: Any, owner: Any, conversation_id: Any, text: str, purged_at: Any) -> tuple[Any, ...]:
    """A deletion receipt's values (in _RECEIPT_COLUMNS order) for a message or a conversation: the text
    is opened only to hash it."""
    reason = row.deletion_reason or DeletionReceipt.Reason.RETENTION.value
    return (kind, str(row.id), _owner_key(owner), conversation_id, None, None, _sha256_of_text(text), reason,
            row.created_at, row.expires_at, row.queued_at, purged_at)  # fmt: skip


def _purge_messages(batch: int, result: PurgeResult) -> int:
    """Delete one batch of queued messages without images: a receipt each (the hash of the text), then
    the rows, in bulk (core/bulk.py); their jobs go with them as the model's relations say."""
    from nanobananas.studio.models import Asset, Lifecycle, Message

    now = timezone.now()
    with transaction.atomic():
        queued = unheld(Message.objects.filter(state=Lifecycle.QUEUED), kind="message").exclude(
            Exists(Asset.objects.filter(message_id=OuterRef("id")))
        )
        fields = ("id", "sealed_text", "deletion_reason", "created_at", "expires_at", "queued_at", "conversation_id",
                  "conversation__owner_user_id", "conversation__owner_guest_id")  # fmt: skip
        rows = list(
            queued.select_related("conversation").only(*fields).order_by("expires_at")
            .select_for_update(of=("self",))[:batch]
        )  # fmt: skip
        if not rows:
            return 0
        purged_at = connection.ops.adapt_datetimefield_value(now)
        kind = DeletionReceipt.Kind.MESSAGE.value
        receipts = [_text_receipt(kind, m, m.conversation, m.conversation_id, m.text, purged_at) for m in rows]
        rows_insert(DeletionReceipt, _RECEIPT_COLUMNS, receipts)
        rows_delete(Message, [m.id for m in rows])
    result.purged["message"] = result.purged.get("message", 0) + len(rows)
    result.receipts += len(rows)
    return len(rows)


def _purge_conversations(batch: int, result: PurgeResult) -> int:
    """Delete one batch of queued conversations with no text or image left: a receipt each (the hash of
    the title), then the rows, in bulk (core/bulk.py)."""
    from nanobananas.studio.models import Asset, Conversation, Lifecycle, Message

    now = timezone.now()
    with transaction.atomic():
        queued = (
            unheld(Conversation.objects.filter(state=Lifecycle.QUEUED), kind="conversation")
            .exclude(Exists(Asset.objects.filter(conversation_id=OuterRef("id"))))
            .exclude(Exists(Message.objects.filter(conversation_id=OuterRef("id"))))
        )
        fields = ("id", "sealed_title", "owner_user_id", "owner_guest_id", "deletion_reason", "created_at",
                  "expires_at", "queued_at")  # fmt: skip
        rows = list(queued.only(*fields).order_by("expires_at").select_for_update()[:batch])
        if not rows:
            return 0
        purged_at = connection.ops.adapt_datetimefield_value(now)
        kind = DeletionReceipt.Kind.CONVERSATION.value
        receipts = [_text_receipt(kind, c, c, c.id, c.title, purged_at) for c in rows]
        rows_insert(DeletionReceipt, _RECEIPT_COLUMNS, receipts)
        rows_delete(Conversation, [c.id for c in rows])
    result.purged["conversation"] = result.purged.get("conversation", 0) + len(rows)
    result.receipts += len(rows)
    return len(rows)


def _purge_guests(result: PurgeResult) -> None:
    """Guests with nothing left (and past their own lifetime) go too; their cookie then starts fresh.

    "Nothing left": no row the registry declares sealed with the guest's key, and no active hold."""
    from nanobananas.accounts.models import Guest

    now = timezone.now()
    cutoff = now - guest_lifetime()
    sealed = [ref for ref in references().values() if ref.sealed and ref.link == Link.GUEST]
    with transaction.atomic():
        empty = Guest.objects.filter(created_at__lte=cutoff).exclude(
            Exists(active_holds().filter(owner_guest_id=OuterRef("id")))
        )
        for ref in sealed:
            empty = empty.exclude(
                Exists(ref.model()._default_manager.filter(**{f"{ref.field_name}_id": OuterRef("id")}))
            )
        # A guest whose key still seals bytes of work carried over to an account stays until they have moved
        # (studio.asset_blobs_reseal): shredding the key now would leave the account's images unreadable.
        still_sealing = {key for column in blob_columns() for key in column.guest_keys_still_sealing()}
        empty = empty.exclude(id__in=[uuid.UUID(key[1:]) for key in still_sealing])
        ids = list(empty.values_list("id", flat=True))
        if not ids:
            return
        DeletionReceipt.objects.bulk_create(
            [
                DeletionReceipt(
                    kind=DeletionReceipt.Kind.GUEST,
                    item_id=str(guest_id),
                    owner_key=f"g{guest_id}",
                    reason=DeletionReceipt.Reason.RETENTION,
                    purged_at=now,
                )
                for guest_id in ids
            ]
        )
        Guest.objects.filter(id__in=ids).delete()
        transaction.on_commit(lambda: _shred_owner_keys([f"g{guest_id}" for guest_id in ids]))
    result.purged["guest"] = result.purged.get("guest", 0) + len(ids)
    result.receipts += len(ids)


def _purge_closed_accounts(result: PurgeResult) -> None:
    """Closed accounts: the data key goes once their content is gone, the tombstone once its 3 years are up."""
    purged = closed_accounts_purge()
    if purged:
        result.purged["account"] = purged
        result.receipts += purged


def _shred_owner_keys(owner_keys: list[str]) -> None:
    """Crypto-shredding: with the data key gone, any copy of the owner's blobs is unreadable."""
    try:
        from nanobananas.vault.services import owner_keys_shred
    except ImportError:  # the vault app is optional in this release
        return
    for key in owner_keys:
        owner_keys_shred(owner_key=key)


def blobs_delete_pending(*, limit: int = 10_000) -> tuple[int, int]:
    """Delete the bytes of blobs whose rows are gone. Returns (deleted, failed); failures are retried later."""
    deleted: list[int] = []
    failed = 0
    for pending_id, blob_name, attempts in PendingBlobDeletion.objects.order_by("id").values_list(
        "id", "blob_name", "attempts"
    )[:limit]:
        try:
            default_storage.delete(blob_name)
        except Exception as exc:  # any storage failure: keep the name and try again next time
            failed += 1
            PendingBlobDeletion.objects.filter(id=pending_id).update(
                attempts=attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            logger.warning("could not delete blob %s: %s", blob_name, exc)
            continue
        deleted.append(pending_id)
    for start in range(0, len(deleted), 500):
        PendingBlobDeletion.objects.filter(id__in=deleted[start : start + 500]).delete()
    return len(deleted), failed


def _purge_exports(result: PurgeResult) -> None:
    """Data export archives go 7 days after they are ready; their bytes through the pending-blob queue."""
    from nanobananas.privacy.export import exports_expire

    count, freed = exports_expire()
    if count:
        result.purged["export"] = count
        result.bytes_freed += freed
        result.receipts += count


def retention_purge(*, batch: int | None = None) -> PurgeResult:
    """Physically delete everything queued: images (rows, then bytes), then text, then empty conversations."""
    started = timezone.now()
    batch = batch or settings.NANOBANANAS["PURGE_BATCH"]
    result = PurgeResult()
    _purge_exports(result)
    _flush_blobs(result)  # bytes a previous run could not delete (and the expired exports')
    unchecked = 0  # rows deleted since the last checkpoint
    for purge in (_purge_assets, _purge_messages, _purge_conversations):
        while True:
            done = purge(batch, result)
            if purge is _purge_assets:
                _flush_blobs(result)
            unchecked += done
            if unchecked >= CHECKPOINT_ROWS:
                _checkpoint()
                unchecked = 0
            if done < batch:
                break
    _purge_guests(result)
    _purge_closed_accounts(result)
    _checkpoint()
    counts = {**result.purged, "bytes_freed": result.bytes_freed, "blobs_failed": result.blobs_failed}
    with transaction.atomic():
        CleanupRun.objects.create(
            kind=CleanupRun.Kind.PURGE, started_at=started, finished_at=timezone.now(), counts=counts
        )
        if result.receipts:
            audit_record(
                kind="retention.purged",
                actor="system",
                details={
                    "purged": result.purged,
                    "bytes_freed": result.bytes_freed,
                    "receipts": result.receipts,
                    "blobs_failed": result.blobs_failed,
                },
            )
    return result


def _flush_blobs(result: PurgeResult) -> None:
    deleted, failed = blobs_delete_pending()
    result.blobs_deleted += deleted
    result.blobs_failed = failed  # what is still waiting after the latest attempt


def _stored_blob_names() -> list[str]:
    names: list[str] = []

    def walk(folder: str) -> None:
        if not default_storage.exists(folder):
            return
        directories, files = default_storage.listdir(folder)
        names.extend(f"{folder}/{name}" for name in files)
        for directory in directories:
            walk(f"{folder}/{directory}")

    for folder in BLOB_FOLDERS:
        walk(folder)
    return names


def integrity_check(*, repair: bool = True) -> IntegrityResult:
    """Blobs without a row (older than the grace period) are deleted; rows without a blob are reported.

    The tables whose rows own blobs are the ones the personal data registry declares (`Blobs`)."""
    started = timezone.now()
    result = IntegrityResult()
    grace = timedelta(hours=settings.NANOBANANAS["ORPHAN_GRACE_HOURS"])
    known = {name for column in blob_columns() for name in column.all_names()}
    pending = set(PendingBlobDeletion.objects.values_list("blob_name", flat=True))
    for name in _stored_blob_names():
        if name in known:
            continue
        if name not in pending and default_storage.get_modified_time(name) > started - grace:
            continue  # a job may be between writing its bytes and committing its row
        result.orphan_blobs_deleted.append(name)
        if repair:
            default_storage.delete(name)
            PendingBlobDeletion.objects.filter(blob_name=name).delete()
    for column in blob_columns():
        for row_id, blob in column.rows():
            if not default_storage.exists(blob):
                result.rows_missing_blobs.append(str(row_id))
                logger.error("%s %s has no stored bytes (%s)", column.model, row_id, blob)
    CleanupRun.objects.create(
        kind=CleanupRun.Kind.INTEGRITY,
        started_at=started,
        finished_at=timezone.now(),
        counts={"orphan_blobs": len(result.orphan_blobs_deleted), "rows_missing_blobs": len(result.rows_missing_blobs)},
    )
    return result


def cleanup_run(*, dry_run: bool = False) -> CleanupResult:
    """Sweep then purge, now. With `dry_run`, only count what is due and change nothing."""
    if dry_run:
        due = {kind: queryset.count() for kind, queryset in _due(timezone.now()).items()}
        return CleanupResult(sweep=SweepResult(), purge=PurgeResult(), due=due, dry_run=True)
    started = time.perf_counter()
    sweep = retention_sweep()
    purge = retention_purge()
    logger.info("cleanup: queued %s, purged %s in %.2fs", sweep.queued, purge.purged, time.perf_counter() - started)
    return CleanupResult(sweep=sweep, purge=purge)


def legal_hold_place(
    *,
    reason: str,
    placed_by_id: int | None,
    asset_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    owner_user_id: int | None = None,
    owner_guest_id: uuid.UUID | None = None,
) -> LegalHold:
    """Keep one target out of every deletion until released; queued items under it wait, unpurged."""
    if not reason.strip():
        raise ValueError("a legal hold needs a reason")
    with transaction.atomic():
        hold = LegalHold.objects.create(
            reason=reason.strip(),
            placed_by_id=placed_by_id,
            asset_id=asset_id,
            conversation_id=conversation_id,
            owner_user_id=owner_user_id,
            owner_guest_id=owner_guest_id,
        )
        audit_record(
            kind="hold.placed",
            actor=f"staff:{placed_by_id}" if placed_by_id else "system",
            owner_key=f"u{owner_user_id}" if owner_user_id else (f"g{owner_guest_id}" if owner_guest_id else ""),
            target_type="hold",
            target_id=str(hold.id),
            details={
                "asset": str(asset_id) if asset_id else "",
                "conversation": str(conversation_id) if conversation_id else "",
                "reason_sha256": hashlib.sha256(hold.reason.encode()).hexdigest(),
            },
        )
    return hold


def legal_hold_release(*, hold_id: uuid.UUID, released_by_id: int | None) -> None:
    """Release a hold; anything past its time goes at the next sweep."""
    with transaction.atomic():
        updated = LegalHold.objects.filter(id=hold_id, released_at__isnull=True).update(
            released_at=timezone.now(), released_by_id=released_by_id
        )
        if updated:
            audit_record(
                kind="hold.released",
                actor=f"staff:{released_by_id}" if released_by_id else "system",
                target_type="hold",
                target_id=str(hold_id),
            )


# Privacy settings and the consent ledger.

# Marketing email: guests have no address, so only accounts choose these.
ACCOUNT_ONLY_SETTINGS = ("email_product_news", "email_tips")


def _policy_version() -> str:
    """The privacy policy version in force, recorded with every consent; "" while no version is published."""
    from django.apps import apps

    if not apps.is_installed("nanobananas.policies"):
        return ""
    from nanobananas.policies.selectors import current_version

    document = current_version(kind="privacy")
    return str(document.version) if document is not None else ""


def _owner_fields(owner: Owner) -> dict[str, Any]:
    return {"owner_user_id": owner.user_id} if owner.user_id is not None else {"owner_guest_id": owner.guest_id}


def _actor(owner: Owner) -> str:
    return f"user:{owner.user_id}" if owner.user_id is not None else f"guest:{owner.guest_id}"


def _settings_row_locked(owner: Owner, changes: dict[str, bool]) -> PrivacySettings:
    """The owner's settings row locked for this transaction; created with the defaults when missing and
    `changes` differ from them (choosing a default changes nothing, so it stores nothing)."""
    row = PrivacySettings.objects.select_for_update().filter(owner_filter(owner)).first()
    if row is not None:
        return row
    defaults = PrivacySettings(**_owner_fields(owner))
    if all(getattr(defaults, name) == value for name, value in changes.items()):
        return defaults
    try:
        with transaction.atomic():
            PrivacySettings.objects.create(**_owner_fields(owner))
    except IntegrityError:
        pass  # created by a request running at the same time: take that one
    return PrivacySettings.objects.select_for_update().get(owner_filter(owner))


def privacy_settings_check(*, owner: Owner, changes: dict[str, Any]) -> None:
    """Raise InvalidInput for a change `privacy_settings_update` would reject; changes nothing."""
    unknown = sorted(set(changes) - set(SETTING_NAMES))
    if unknown:
        raise InvalidInput(f"Unknown privacy setting: {', '.join(unknown)}.", code="unknown_setting")
    for name, value in changes.items():
        if not isinstance(value, bool):
            raise InvalidInput(f"{name}: must be true or false.", code="invalid_setting")
    if owner.is_guest and any(name in ACCOUNT_ONLY_SETTINGS for name in changes):
        raise InvalidInput("Guests get no email; sign up to choose email preferences.", code="guest_no_email")


def privacy_settings_update(owner: Owner, **changes: bool) -> PrivacySettings:
    """Change some privacy settings; each real change (old != new) is appended to the consent ledger with
    the privacy policy version in force. Any bad name or value rejects the whole request, changing nothing."""
    privacy_settings_check(owner=owner, changes=changes)
    now = timezone.now()
    with transaction.atomic():
        row = _settings_row_locked(owner, changes)
        changed = [name for name in SETTING_NAMES if name in changes and getattr(row, name) != changes[name]]
        if not changed:
            return row
        version = _policy_version()
        ConsentEvent.objects.bulk_create(
            [
                ConsentEvent(
                    **_owner_fields(owner), setting=name, old_value=getattr(row, name), new_value=changes[name],
                    at=now, policy_version=version,
                )
                for name in changed
            ]
        )  # fmt: skip
        for name in changed:
            setattr(row, name, changes[name])
        row.save()
        audit_record(
            kind="privacy.settings_changed", actor=_actor(owner), owner_key=owner.key, target_type="privacy_settings",
            target_id=str(row.pk), details={name: changes[name] for name in changed},
        )  # fmt: skip
    return row


def commercial_image_set(*, owner: Owner, asset_id: uuid.UUID, commercial: bool) -> bool:
    """Mark (or unmark) one of the owner's images for commercial use; a change is ledgered. Returns the flag.
    Another owner's image, or one queued for deletion, is not found (404) and nothing changes."""
    from nanobananas.studio.selectors import asset_get

    with transaction.atomic():
        asset = asset_get(owner=owner, asset_id=asset_id)
        existing = CommercialImage.objects.select_for_update().filter(asset_id=asset.id).first()
        if (existing is not None) == commercial:
            return commercial
        now = timezone.now()
        if commercial:
            CommercialImage.objects.create(asset_id=asset.id, marked_at=now)
        else:
            CommercialImage.objects.filter(asset_id=asset.id).delete()
        ConsentEvent.objects.create(
            **_owner_fields(owner), setting="commercial_image", subject=str(asset.id),
            old_value=not commercial, new_value=commercial, at=now, policy_version=_policy_version(),
        )  # fmt: skip
    return commercial


def privacy_settings_carry_over(*, source: Owner, target: Owner) -> bool:
    """A guest's work moves into an account (sign-up): the guest's settings and ledger move with it unless
    the account has its own settings, which then win. The guest's events are copied (the ledger is
    append-only), marked `carried_over`, keeping their times and policy versions. Returns whether they moved."""
    if not source.is_guest or source == target:
        return False
    with transaction.atomic():
        guest_row = PrivacySettings.objects.filter(owner_filter(source)).first()
        if guest_row is None or PrivacySettings.objects.filter(owner_filter(target)).exists():
            return False
        PrivacySettings.objects.create(
            **_owner_fields(target), **{name: getattr(guest_row, name) for name in SETTING_NAMES}
        )
        ConsentEvent.objects.bulk_create(
            [
                ConsentEvent(
                    **_owner_fields(target), setting=e.setting, subject=e.subject, old_value=e.old_value,
                    new_value=e.new_value, at=e.at, policy_version=e.policy_version,
                    source=ConsentEvent.Source.CARRIED_OVER,
                )
                for e in ConsentEvent.objects.filter(owner_filter(source)).order_by("at", "id")
            ]
        )  # fmt: skip
    return True
