"""Account deletion: the person's own (from the Me page) and a child's hard deletion (staff, under 13)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from nanobananas.accounts.mail import mail_send
from nanobananas.accounts.models import ClosedAccount
from nanobananas.accounts.services import profile_ensure
from nanobananas.audit.services import audit_record
from nanobananas.billing.services import payment_erasure_request
from nanobananas.core.exceptions import Conflict, InvalidInput, NotFound
from nanobananas.privacy.holds import unheld
from nanobananas.privacy.models import PendingBlobDeletion
from nanobananas.privacy.services import blobs_delete_pending
from nanobananas.registry.personal_data import AccountClosing, blob_columns, handlers
from nanobananas.vault.services import owner_keys_shred

__all__ = ["CLOSE_ORDER", "DELETE_PHRASE", "AccountDeletion", "account_delete", "account_delete_under_13"]

logger = logging.getLogger(__name__)

DELETE_PHRASE = "delete my account"

# Content is queued first (so nothing new is made), the user row becomes a tombstone last.
CLOSE_ORDER = ("studio", "privacy", "analytics", "tokens", "moderation", "billing", "accounts")


@dataclass(frozen=True)
class AccountDeletion:
    """What `account_delete` did: the tombstone's dates and what was queued, ended or removed."""

    user_id: int
    closed_at: datetime
    purge_after: datetime
    queued: dict[str, int]
    sessions_ended: int
    tokens_revoked: int
    exports_deleted: int


def account_delete(*, user: User, password: str, phrase: str) -> AccountDeletion:
    """Close the account the user is signed in to, after their password and the typed phrase.

    In one transaction, each app's `close` handler runs in CLOSE_ORDER: all content is queued for deletion
    (legal holds still apply), data exports go, every API token and session ends, review items are
    redacted, what the payment providers must end is listed, and the user row becomes a tombstone (no name,
    no email, no password, inactive, profile cleared) with a `ClosedAccount` row that keeps billing records
    and the consent log until `purge_after` (closed + NANOBANANAS_CLOSED_ACCOUNT_RETENTION_DAYS); the email
    can be used for a new account at once. After commit: paid subscriptions are canceled and then the
    customer deleted at the payment provider (retried), and a confirmation goes to the old address. The
    retention purge deletes the content, then the data key, then, 3 years later, the tombstone.
    """
    if not user.is_authenticated or not user.check_password(password):
        raise InvalidInput("The password is not right. Nothing was deleted.", code="wrong_password")
    if phrase.strip().casefold() != DELETE_PHRASE:
        raise InvalidInput(f'Type "{DELETE_PHRASE}" to confirm. Nothing was deleted.', code="wrong_confirmation_phrase")
    if user.is_staff or user.is_superuser:
        raise Conflict(
            "A staff account cannot be deleted from the Me page; another administrator closes it in the admin.",
            code="staff_account",
        )
    now = timezone.now()
    purge_after = now + timedelta(days=settings.NANOBANANAS["CLOSED_ACCOUNT_RETENTION_DAYS"])
    with transaction.atomic():
        locked = User.objects.select_for_update().filter(pk=user.pk, is_active=True).first()
        if locked is None or ClosedAccount.objects.filter(user_id=user.pk).exists():
            raise Conflict("This account is already deleted.", code="account_closed")
        profile = profile_ensure(user=locked)
        old_email, display_name = locked.email, profile.display_name
        closing = AccountClosing(
            user_id=locked.pk, now=now, purge_after=purge_after, unheld=lambda rows, kind: unheld(rows, kind=kind)
        )
        counts = {app: close(closing) for app, close in handlers("close", order=CLOSE_ORDER)}
        details: dict[str, Any] = {name: n for app_counts in counts.values() for name, n in app_counts.items()}
        audit_record(
            kind="account.delete",
            actor=f"user:{locked.pk}",
            owner_key=f"u{locked.pk}",
            target_type="user",
            target_id=str(locked.pk),
            details={**details, "purge_after": purge_after.isoformat()},
        )
        if old_email:
            context = {"display_name": display_name, "purge_after": purge_after, "closed_at": now}
            transaction.on_commit(lambda: _mail_deleted(to=old_email, context=context))
    return AccountDeletion(
        user_id=user.pk,
        closed_at=now,
        purge_after=purge_after,
        queued=counts["studio"],
        sessions_ended=counts["accounts"]["sessions"],
        tokens_revoked=counts["tokens"]["tokens"],
        exports_deleted=counts["privacy"]["exports"],
    )


def _mail_deleted(*, to: str, context: dict[str, Any]) -> None:
    try:
        mail_send(to=to, template="account_deleted", context=context)
    except Exception:  # the account is closed either way; a mail server outage must not look like a failure
        logger.exception("could not send the account deletion confirmation")


def account_delete_under_13(*, user_id: int, staff_user_id: int) -> None:
    """Hard-delete an account found to belong to a child: rows and data key at once, no export kept; every
    blob the registry knows of goes through the durable pending-blob queue, emptied right after commit (a
    failure stays queued for the next purge); a paid subscription is canceled and the customer deleted at
    the payment provider (after commit, retried).

    The audit line names only the ids and the reason, never content.
    """
    owner_key = f"u{user_id}"
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound("No such account.")
        if user.is_staff or user.is_superuser:
            raise Conflict("A staff account cannot be removed this way.", code="staff_account")
        blobs = sorted({name for column in blob_columns() for name in column.names_of(user_id=user_id)})
        payment_erasure_request(user_id=user_id)
        try:
            user.delete()
        except ProtectedError:
            raise Conflict(
                "This account is under a legal hold; release the hold before deleting it.", code="legal_hold"
            ) from None
        PendingBlobDeletion.objects.bulk_create(
            [PendingBlobDeletion(blob_name=name) for name in blobs], ignore_conflicts=True
        )
        owner_keys_shred(owner_key=owner_key)
        transaction.on_commit(blobs_delete_pending)
        audit_record(
            kind="account.hard_deleted",
            actor=f"staff:{staff_user_id}",
            owner_key=owner_key,
            target_type="user",
            target_id=str(user_id),
            details={"cause": "under_13", "blobs": len(blobs)},
        )
