"""The retention purge's part for closed accounts: their data key once their content is gone, their tombstone
after its years; which tables hold sealed content and what goes with a tombstone come from the registry."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import reduce
from operator import or_

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, ProtectedError, Q, RestrictedError, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from nanobananas.accounts.models import ClosedAccount
from nanobananas.audit.services import audit_record
from nanobananas.privacy.models import DeletionReceipt, LegalHold
from nanobananas.registry.personal_data import Link, handlers, references
from nanobananas.vault.models import DataKey
from nanobananas.vault.services import owner_keys_shred

__all__ = ["TOMBSTONE_PURGE_ORDER", "closed_accounts_purge"]

logger = logging.getLogger(__name__)

# The order in which the apps' tombstone handlers run, before the user row itself is deleted.
TOMBSTONE_PURGE_ORDER = ("billing", "privacy")


def _owner_has_content() -> Q:
    """Exists() filters for a ClosedAccount queryset: rows sealed with the account's data key are still stored
    (every reference the registry declares `sealed`)."""
    sealed = [ref for ref in references().values() if ref.sealed and ref.link == Link.USER]
    return reduce(
        or_,
        (
            Q(Exists(ref.model()._default_manager.filter(**{f"{ref.field_name}_id": OuterRef("user_id")})))
            for ref in sealed
        ),
    )


def closed_accounts_purge(*, now: datetime | None = None) -> int:
    """Returns how many tombstones were purged.

    A closed account's data key is deleted (crypto-shredding) once none of its content or archives is
    stored any more and no legal hold is on the owner. Its tombstone goes once `purge_after` has passed:
    what each app's `tombstone_purge` handler removes (billing rows, released holds), then the user row with
    what cascades from it (profile, tombstone, consent log), leaving a `DeletionReceipt` (kind "account").
    An owner under a legal hold, or with held content left, waits.
    """
    now = now or timezone.now()
    held = Exists(LegalHold.objects.filter(owner_user_id=OuterRef("user_id"), released_at__isnull=True))
    settled = ClosedAccount.objects.exclude(held).exclude(_owner_has_content())
    for user_id in list(settled.filter(keys_shredded_at__isnull=True).values_list("user_id", flat=True)):
        with transaction.atomic():
            if ClosedAccount.objects.filter(user_id=user_id, keys_shredded_at__isnull=True).update(
                keys_shredded_at=now
            ):
                owner_keys_shred(owner_key=f"u{user_id}")
                audit_record(
                    kind="account.keys_shredded", actor="system", owner_key=f"u{user_id}",
                    target_type="user", target_id=str(user_id),
                )  # fmt: skip
    # A job that was already running when the account closed may have written (and then dropped) one more
    # blob, creating a fresh key; nothing of a shredded account can need a key, so any such key goes too.
    DataKey.objects.filter(
        owner_key__in=ClosedAccount.objects.filter(keys_shredded_at__isnull=False)
        .annotate(owner_key=Concat(Value("u"), Cast("user_id", CharField())))
        .values("owner_key")
    ).delete()
    purged = 0
    for user_id in list(settled.filter(purge_after__lte=now).values_list("user_id", flat=True)):
        try:
            with transaction.atomic():
                if _tombstone_purge(user_id=user_id, now=now):
                    purged += 1
        except (ProtectedError, RestrictedError) as exc:
            # A table added later that protects its rows from deletion: the tombstone waits, loudly.
            logger.error("closed account %s cannot be purged yet: %s", user_id, exc)
    return purged


def _tombstone_purge(*, user_id: int, now: datetime) -> bool:
    closed = ClosedAccount.objects.select_for_update().filter(user_id=user_id, purge_after__lte=now).first()
    if closed is None:
        return False
    user = User.objects.get(pk=user_id)
    for _app, purge in handlers("tombstone_purge", order=TOMBSTONE_PURGE_ORDER):
        purge(user_id)
    DeletionReceipt.objects.create(
        kind=DeletionReceipt.Kind.ACCOUNT,
        item_id=str(user_id),
        owner_key=f"u{user_id}",
        reason=DeletionReceipt.Reason.RETENTION,
        created_at=user.date_joined,
        expires_at=closed.purge_after,
        queued_at=closed.closed_at,
        purged_at=now,
    )
    user.delete()  # the profile, the tombstone, subscriptions, payment customers, consent rows go with it
    audit_record(
        kind="account.purged", actor="system", owner_key=f"u{user_id}", target_type="user",
        target_id=str(user_id), details={"closed_at": closed.closed_at.isoformat()},
    )  # fmt: skip
    return True
