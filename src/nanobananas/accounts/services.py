"""Writes for identities: guests, sign-up, email verification, profile, retention, plans, quotas, sessions."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, F, OuterRef, ProtectedError, Q, RestrictedError, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from nanobananas.accounts.age import age_gate_passes
from nanobananas.accounts.exceptions import QuotaExceeded, RateLimited, SignupUnavailable
from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.accounts.mail import mail_send
from nanobananas.accounts.models import ClosedAccount, Guest, Plan, Profile, QuotaUsage, RateWindow, UserSession
from nanobananas.accounts.plans import QUOTA_KINDS
from nanobananas.accounts.ratelimits import GUEST_ADDRESS_ALLOWANCE, RATE_LIMITS
from nanobananas.accounts.selectors import QuotaWindow, plan_for, plan_get, quota_windows
from nanobananas.accounts.sessions import session_key_digest
from nanobananas.accounts.tokens import email_verification_token
from nanobananas.audit.services import audit_record
from nanobananas.core.exceptions import Conflict, InvalidInput, NotFound
from nanobananas.vault.fields import sealed_token

__all__ = [
    "DELETE_PHRASE",
    "AccountDeletion",
    "account_delete",
    "account_delete_under_13",
    "account_signup",
    "closed_accounts_purge",
    "email_change_request",
    "email_verification_send",
    "email_verify",
    "guest_create",
    "login_logs_purge",
    "plan_change",
    "profile_ensure",
    "profile_update",
    "quota_consume",
    "rate_limit_hit",
    "rate_windows_purge",
    "retention_set",
    "sessions_revoke_others",
]

logger = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,30}$")
DISPLAY_NAME_MAX = 80


def guest_create() -> Guest:
    return Guest.objects.create()


def _clean_email(raw: str) -> str:
    email = raw.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput("Enter a valid email address.", code="bad_email") from None
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _clean_username(raw: str) -> str:
    username = raw.strip()
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput("A username has 3 to 30 letters, digits, dots, dashes or underscores.", code="bad_username")
    return username


def _clean_display_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput(f"A display name has 1 to {DISPLAY_NAME_MAX} characters.", code="bad_display_name")
    return name


def _email_taken(email: str, *, except_user_id: int | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    profiles = Profile.objects.filter(email_key=email.lower())
    if except_user_id is not None:
        users = users.exclude(pk=except_user_id)
        profiles = profiles.exclude(user_id=except_user_id)
    return users.exists() or profiles.exists()


def _username_taken(username: str, *, except_user_id: int | None = None) -> bool:
    users = User.objects.filter(username__iexact=username)
    if except_user_id is not None:
        users = users.exclude(pk=except_user_id)
    return users.exists()


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="weak_password") from None


def _verification_link(*, user: User, link_base: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    return link_base.rstrip("/") + reverse("accounts:verify", args=[uid, token])


def email_verification_send(*, user: User, link_base: str) -> None:
    """Mail a verification link to the address waiting for it (a pending new one, else the account's)."""
    profile = profile_ensure(user=user)
    to = profile.pending_email or user.email
    if not to:
        raise InvalidInput("The account has no email address to verify.", code="no_email")
    link = _verification_link(user=user, link_base=link_base)
    context = {"display_name": profile.display_name, "link": link, "email": to}
    transaction.on_commit(lambda: mail_send(to=to, template="verify_email", context=context))


def account_signup(
    *,
    email: str,
    username: str,
    display_name: str,
    password: str,
    birth_month: int,
    birth_year: int,
    link_base: str,
    guest: Owner | None = None,
    address_key: str | None = None,
    retry_blocked: bool = False,
) -> User:
    """Create an account on the Free plan, mail the verification link, and carry a guest's work over.

    Every caller (the sign-up page, the API, a command) passes the same gate in the same order: a browser
    refused earlier today (`retry_blocked`, from the cookie) and anyone under 13 get `SignupUnavailable`
    with nothing stored and nothing counted; then the sign-up rate limit counts the guest and the address
    (`address_key`, the pseudonym from `request_address_key`); then the account's fields are checked.
    The birth date decides and is forgotten.
    """
    if retry_blocked or not age_gate_passes(
        birth_month=birth_month, birth_year=birth_year, today=timezone.now().date()
    ):
        raise SignupUnavailable()
    if settings.NANOBANANAS["RATE_LIMITS"]:
        rate_limit_hit(scope="signup", owner=guest, address_key=address_key)
    return _account_create(
        email=email, username=username, display_name=display_name, password=password, link_base=link_base, guest=guest
    )


def _account_create(
    *, email: str, username: str, display_name: str, password: str, link_base: str, guest: Owner | None
) -> User:
    from nanobananas.studio.services import conversations_transfer_owner

    email = _clean_email(email)
    username = _clean_username(username)
    display_name = _clean_display_name(display_name)
    _check_password(password, User(username=username, email=email))
    if _email_taken(email):
        raise InvalidInput("An account with this email already exists. Sign in instead.", code="email_taken")
    if _username_taken(username):
        raise InvalidInput("That username is taken. Try another.", code="username_taken")
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            profile = Profile(user=user, email_key=email.lower(), plan=_plan_row(Plan.FREE))
            profile.display_name = display_name
            profile.save(force_insert=True)
            email_verification_send(user=user, link_base=link_base)
            if guest is not None and guest.is_guest:
                conversations_transfer_owner(source=guest, target=Owner(user_id=user.pk))
    except IntegrityError:
        raise InvalidInput("An account with this email or username already exists.", code="account_exists") from None
    return user


def _user_from_uid(uidb64: str) -> User | None:
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=pk).select_related("profile").first()


def email_verify(*, uidb64: str, token: str) -> User:
    """Confirm the address a link was sent to; a pending new address replaces the old one here."""
    user = _user_from_uid(uidb64)
    if user is None or not email_verification_token.check_token(user, token):
        raise InvalidInput(
            "This link is invalid or has expired. Sign in and ask for a new one.", code="bad_verification_link"
        )
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(pk=profile_ensure(user=user).pk)
        changed = bool(profile.pending_email)
        if changed:
            new_email = profile.pending_email
            if _email_taken(new_email, except_user_id=user.pk):
                raise InvalidInput("Another account uses this email now.", code="email_taken")
            User.objects.filter(pk=user.pk).update(email=new_email)
            profile.email_key = new_email.lower()
            profile.pending_email = ""
        profile.email_verified_at = timezone.now()
        try:
            profile.save(update_fields=["email_key", "pending_email", "email_verified_at"])
        except IntegrityError:
            raise InvalidInput("Another account uses this email now.", code="email_taken") from None
        audit_record(
            kind="email.changed" if changed else "email.verified",
            actor=f"user:{user.pk}",
            owner_key=f"u{user.pk}",
            target_type="user",
            target_id=str(user.pk),
        )
    user.refresh_from_db()
    return user


def email_change_request(*, user: User, new_email: str, password: str, link_base: str) -> None:
    """Keep the current address until the new one is verified through a link mailed to it."""
    if not user.check_password(password):
        raise InvalidInput("The password is not right.", code="wrong_password")
    new_email = _clean_email(new_email)
    current = user.email
    if new_email.lower() == current.lower():
        raise InvalidInput("That is already your email address.", code="same_email")
    if _email_taken(new_email, except_user_id=user.pk):
        raise InvalidInput("An account with this email already exists.", code="email_taken")
    with transaction.atomic():
        profile = profile_ensure(user=user)
        Profile.objects.filter(pk=profile.pk).update(pending_email=new_email)
        profile.pending_email = new_email
        user.profile = profile  # the token reads the pending address
        email_verification_send(user=user, link_base=link_base)
        audit_record(
            kind="email.change_requested",
            actor=f"user:{user.pk}",
            owner_key=f"u{user.pk}",
            target_type="user",
            target_id=str(user.pk),
        )
        if current:
            context = {"display_name": profile.display_name, "new_email": new_email}
            transaction.on_commit(lambda: mail_send(to=current, template="email_change_notice", context=context))


def profile_ensure(*, user: User) -> Profile:
    """The user's profile, created on the Free plan for accounts made outside sign-up (e.g. `createsuperuser`)."""
    profile = Profile.objects.filter(user_id=user.pk).select_related("plan").first()
    if profile is not None:
        return profile
    email = user.email.strip()
    key = email.lower() if email and not Profile.objects.filter(email_key=email.lower()).exists() else None
    profile, _ = Profile.objects.get_or_create(
        user_id=user.pk,
        defaults={"display_name": user.get_username(), "email_key": key, "plan": _plan_row(Plan.FREE)},
    )
    return profile


def profile_update(*, user: User, display_name: str, username: str) -> Profile:
    """Correct the display name and username (the email changes through `email_change_request`)."""
    display_name = _clean_display_name(display_name)
    username = _clean_username(username)
    if _username_taken(username, except_user_id=user.pk):
        raise InvalidInput("That username is taken. Try another.", code="username_taken")
    try:
        with transaction.atomic():
            profile = profile_ensure(user=user)
            changed = [
                name
                for name, before, after in (
                    ("username", User.objects.filter(pk=user.pk).values_list("username", flat=True).get(), username),
                    ("display_name", profile.display_name, display_name),
                )
                if before != after
            ]
            User.objects.filter(pk=user.pk).update(username=username)
            Profile.objects.filter(pk=profile.pk).update(
                sealed_display_name=sealed_token(profile, "display_name", display_name)
            )
            if changed:
                # Which fields changed, never their old or new values: the audit outlives the profile.
                audit_record(
                    kind="profile.updated",
                    actor=f"user:{user.pk}",
                    owner_key=f"u{user.pk}",
                    target_type="user",
                    target_id=str(user.pk),
                    details={"fields": changed},
                )
    except IntegrityError:
        raise InvalidInput("That username is taken. Try another.", code="username_taken") from None
    profile.display_name = display_name
    user.username = username
    return profile


def _plan_row(code: str) -> Plan | None:
    """The saved plan row, or None (meaning the seeded default) if an operator removed it."""
    plan = plan_get(code=code)
    return plan if plan.pk is not None else None


def _assets_expiry_recompute(*, owner: Owner, hours: int) -> int:
    """Live images of `owner` now expire `hours` after they were made (the retention sweep does the rest)."""
    from nanobananas.studio.models import Asset, Lifecycle

    return Asset.objects.filter(owner_filter(owner), state=Lifecycle.ACTIVE).update(
        expires_at=F("created_at") + timedelta(hours=hours)
    )


def retention_set(*, user: User, hours: int) -> int:
    """Choose how long new and existing images live, among the plan's options; returns the hours now in force."""
    owner = Owner(user_id=user.pk)
    plan = plan_for(owner=owner)
    if hours not in plan.retention_hours_options:
        choices = " or ".join(f"{h} hours" for h in plan.retention_hours_options)
        raise InvalidInput(f"On the {plan.name} plan images are kept {choices}.", code="retention_not_allowed")
    with transaction.atomic():
        profile = profile_ensure(user=user)
        Profile.objects.filter(pk=profile.pk).update(retention_hours=hours)
        _assets_expiry_recompute(owner=owner, hours=hours)
    return hours


def plan_change(*, user_id: int, plan_code: str) -> Plan:
    """Put the user on a plan. A choice the new plan does not offer (7 days after leaving Pro) goes back to the
    plan's default, and the expiry of existing images is recomputed: this is the downgrade hook."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound("No such account.")
    plan = plan_get(code=plan_code)
    with transaction.atomic():
        profile = profile_ensure(user=user)
        profile = Profile.objects.select_for_update().get(pk=profile.pk)
        profile.plan = plan if plan.pk is not None else None
        changed = ["plan"]
        if profile.retention_hours is not None and profile.retention_hours not in plan.retention_hours_options:
            profile.retention_hours = None
            changed.append("retention_hours")
            _assets_expiry_recompute(owner=Owner(user_id=user_id), hours=plan.default_retention_hours)
        profile.save(update_fields=changed)
    return plan


def _exhausted_message(*, kind: str, limit: int, window: str, resets_at: Any) -> str:
    _, _, one, many = QUOTA_KINDS[kind]
    noun = one if limit == 1 else many
    if window == QuotaUsage.Window.DAY:
        return f"You have used all {limit} {noun} for today. More at {resets_at:%H:%M} UTC."
    return f"You have used all {limit} {noun} for this month. More on {resets_at.day} {resets_at:%B} at 00:00 UTC."


def quota_consume(*, owner: Owner, kind: str = "image", address_key: str | None = None) -> None:
    """Count one generation against the owner's daily and monthly limits, or raise `QuotaExceeded` (429).

    Each window is one row incremented by a single UPDATE guarded by `used < limit`, so parallel requests
    at the limit never overshoot; if the month is full the day's increment is rolled back with it. A guest's
    generation also counts against its address (`address_key`, the pseudonym from `request_address_key`):
    GUEST_ADDRESS_ALLOWANCE guests' daily quota per address per day, whatever cookies it sends.
    """
    plan = plan_for(owner=owner)
    windows = quota_windows(plan=plan, kind=kind)
    owner_fields = {"owner_user_id": owner.user_id, "owner_guest_id": owner.guest_id}
    with transaction.atomic():
        for window in windows:
            QuotaUsage.objects.bulk_create(
                [QuotaUsage(kind=kind, window=window.window, period_start=window.period_start, **owner_fields)],
                ignore_conflicts=True,
            )
            counted = QuotaUsage.objects.filter(
                owner_filter(owner),
                kind=kind,
                window=window.window,
                period_start=window.period_start,
                used__lt=window.limit,
            ).update(used=F("used") + 1)
            if not counted:
                message = _exhausted_message(
                    kind=kind, limit=window.limit, window=window.window, resets_at=window.resets_at
                )
                raise QuotaExceeded(message, resets_at=window.resets_at)
        if owner.is_guest and address_key:
            _guest_address_quota_consume(kind=kind, address_key=address_key, windows=windows)


def _guest_address_quota_consume(*, kind: str, address_key: str, windows: list[QuotaWindow]) -> None:
    [day] = [w for w in windows if w.window == QuotaUsage.Window.DAY]
    limit = day.limit * GUEST_ADDRESS_ALLOWANCE
    window_start = datetime.combine(day.period_start, datetime.min.time(), tzinfo=UTC)
    key = f"quota:{kind}:{address_key}"
    if not _window_count(key=key, window_start=window_start, expires_at=day.resets_at, allowed=limit):
        _, _, _, many = QUOTA_KINDS[kind]
        raise QuotaExceeded(
            f"Guests on your network have used all {limit} {many} for today. More at {day.resets_at:%H:%M} UTC, "
            "or sign up for a free account with its own quota.",
            resets_at=day.resets_at,
        )


def _window_count(*, key: str, window_start: datetime, expires_at: datetime, allowed: int) -> bool:
    """Count one for `key` in the window starting at `window_start`; False (nothing counted) when it is full."""
    RateWindow.objects.bulk_create(
        [RateWindow(key=key, window_start=window_start, expires_at=expires_at)], ignore_conflicts=True
    )
    counted = RateWindow.objects.filter(key=key, window_start=window_start, count__lt=allowed).update(
        count=F("count") + 1
    )
    return bool(counted)


def rate_limit_hit(*, scope: str, owner: Owner | None, address_key: str | None, now: datetime | None = None) -> None:
    """Count one request of `scope` for the owner and for the address, or raise `RateLimited` (429).

    `address_key` is the address's pseudonym (`ratelimits.address_key`), never the address itself. Fixed
    windows, one guarded UPDATE per key like the quotas; a refused request is not counted.
    """
    limit = RATE_LIMITS[scope]
    epoch = int((now or timezone.now()).timestamp())
    window_start = datetime.fromtimestamp(epoch - epoch % limit.seconds, tz=UTC)
    resets_at = window_start + timedelta(seconds=limit.seconds)
    keys = []
    if owner is not None:
        keys.append((f"{scope}:{owner.key}", limit.per_owner))
    if address_key:
        keys.append((f"{scope}:a:{address_key}", limit.per_address))
    with transaction.atomic():
        for key, allowed in keys:
            if not _window_count(key=key, window_start=window_start, expires_at=resets_at, allowed=allowed):
                raise RateLimited(
                    f"Too many {limit.what} in a short time. Try again at {resets_at:%H:%M:%S} UTC.",
                    resets_at=resets_at,
                )


def rate_windows_purge(*, now: datetime | None = None) -> int:
    """Delete the counters of rate windows (and guest address days) that have ended; returns rows deleted."""
    deleted, _ = RateWindow.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def sessions_revoke_others(*, user_id: int, keep_session_key: str | None) -> int:
    """Sign the user out everywhere except the session `keep_session_key`; returns how many ended."""
    keep = session_key_digest(keep_session_key) if keep_session_key else ""
    deleted, _ = UserSession.objects.filter(user_id=user_id).exclude(session_key=keep).delete()
    return deleted


def login_logs_purge(*, older_than_days: int = 30) -> int:
    """Delete django-axes login records (attempts, logs) older than `older_than_days`; returns rows deleted."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted = 0
    for model_name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        model = apps.get_model("axes", model_name)
        count, _ = model._default_manager.filter(attempt_time__lt=cutoff).delete()
        deleted += count
    return deleted


def _blobs_delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("could not delete blob %s", name)


def account_delete_under_13(*, user_id: int, staff_user_id: int) -> None:
    """Hard-delete an account found to belong to a child: rows, blobs and data key at once, no export kept;
    a paid subscription is canceled and the customer deleted at the payment provider (after commit, retried).

    The audit line names only the ids and the reason, never content.
    """
    from nanobananas.studio.models import Asset
    from nanobananas.vault.services import owner_keys_shred

    owner = Owner(user_id=user_id)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound("No such account.")
        if user.is_staff or user.is_superuser:
            raise Conflict("A staff account cannot be removed this way.", code="staff_account")
        blobs = list(Asset.objects.filter(owner_filter(owner)).values_list("blob_name", flat=True))
        _payment_records_erase_on_commit(user_id=user_id)
        try:
            user.delete()
        except ProtectedError:
            raise Conflict(
                "This account is under a legal hold; release the hold before deleting it.", code="legal_hold"
            ) from None
        owner_keys_shred(owner_key=owner.key)
        transaction.on_commit(lambda: _blobs_delete(blobs))
        audit_record(
            kind="account.hard_deleted",
            actor=f"staff:{staff_user_id}",
            owner_key=owner.key,
            target_type="user",
            target_id=str(user_id),
            details={"cause": "under_13", "blobs": len(blobs)},
        )


DELETE_PHRASE = "delete my account"


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


def _payment_records_erase_on_commit(*, user_id: int) -> None:
    """List what the payment providers must end for this account (paid subscriptions canceled, then its
    customers deleted), done by a retried job once the deletion commits (`billing.services`)."""
    from nanobananas.billing.services import payment_erasure_request

    payment_erasure_request(user_id=user_id)


def _content_queue(*, user_id: int, now: datetime) -> dict[str, int]:
    """Queue every live image, upload, message and conversation of the user (hidden at once, purged next),
    except what a legal hold covers; unfinished jobs stop, so nothing new is made for a closed account."""
    from nanobananas.privacy.services import unheld
    from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message

    queued = {"state": Lifecycle.QUEUED, "queued_at": now, "deletion_reason": "user_request"}
    active = {"state": Lifecycle.ACTIVE}
    counts = {
        "images": unheld(Asset.objects.filter(owner_user_id=user_id, **active), kind="asset").update(**queued),
        "messages": unheld(
            Message.objects.filter(conversation__owner_user_id=user_id, **active), kind="message"
        ).update(**queued),
        "conversations": unheld(
            Conversation.objects.filter(owner_user_id=user_id, **active), kind="conversation"
        ).update(**queued),
    }
    # A running job's result is thrown away when it finds its job no longer running (studio._store_outcome).
    counts["jobs_stopped"] = Job.objects.filter(
        conversation__owner_user_id=user_id, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)
    ).update(
        status=Job.Status.FAILED,
        error_code="account_deleted",
        sealed_error_message="",  # no message: the error code says it, and the text would need the shredded key
        stage="Stopped",
        finished_at=now,
    )
    return counts


def _exports_delete(*, user_id: int, now: datetime) -> int:
    """Data export archives go at once: rows now, bytes through the pending-blob queue (next purge)."""
    from nanobananas.privacy.models import DataExport, DeletionReceipt, PendingBlobDeletion

    exports = list(DataExport.objects.select_for_update().filter(user_id=user_id))
    stored = [e for e in exports if e.blob_name]
    PendingBlobDeletion.objects.bulk_create(
        [PendingBlobDeletion(blob_name=e.blob_name) for e in stored], ignore_conflicts=True
    )
    DeletionReceipt.objects.bulk_create(
        [
            DeletionReceipt(
                kind=DeletionReceipt.Kind.EXPORT,
                item_id=str(e.id),
                owner_key=f"u{user_id}",
                content_sha256=e.sha256,
                reason=DeletionReceipt.Reason.USER_REQUEST,
                created_at=e.ready_at,
                expires_at=e.expires_at,
                queued_at=now,
                purged_at=now,
            )
            for e in stored
        ]
    )
    DataExport.objects.filter(user_id=user_id).delete()
    return len(exports)


def account_delete(*, user: User, password: str, phrase: str) -> AccountDeletion:
    """Close the account the user is signed in to, after their password and the typed phrase.

    In one transaction: all content is queued for deletion (legal holds still apply), data exports go,
    every session and API token ends, and the user row becomes a tombstone (no name, no email, no
    password, inactive, profile cleared) with a `ClosedAccount` row that keeps billing records and the
    consent log until `purge_after` (closed + NANOBANANAS_CLOSED_ACCOUNT_RETENTION_DAYS); the email can
    be used for a new account at once. After commit: paid subscriptions are canceled and then the customer
    deleted at the payment provider (retried), and a confirmation goes to the old address. The retention
    purge deletes the content, then the data key, then, 3 years later, the tombstone.
    """
    from nanobananas.moderation.services import review_items_erase
    from nanobananas.privacy.models import AnalyticsEvent
    from nanobananas.tokens.models import ApiToken

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
        queued = _content_queue(user_id=locked.pk, now=now)
        exports = _exports_delete(user_id=locked.pk, now=now)
        sessions_ended = sessions_revoke_others(user_id=locked.pk, keep_session_key=None)
        tokens_revoked, _ = ApiToken.objects.filter(user_id=locked.pk).delete()
        QuotaUsage.objects.filter(owner_user_id=locked.pk).delete()
        # Usage analytics are kept only anonymised: events linked to the person go now.
        analytics, _ = AnalyticsEvent.objects.filter(owner_user_id=locked.pk).delete()
        # Reports and review items keep only what a decided review needs (unless held).
        reviews = review_items_erase(owner=Owner(user_id=locked.pk))
        User.objects.filter(pk=locked.pk).update(
            username=f"deleted:{locked.pk}",  # a colon is never in a chosen username, so it cannot collide
            email="",
            first_name="",
            last_name="",
            password=make_password(None),
            is_active=False,
            is_staff=False,
            is_superuser=False,
        )
        locked.groups.clear()
        locked.user_permissions.clear()
        Profile.objects.filter(pk=profile.pk).update(
            sealed_display_name="", email_key=None, email_verified_at=None, pending_email="", retention_hours=None
        )
        ClosedAccount.objects.create(user_id=locked.pk, closed_at=now, purge_after=purge_after)
        _payment_records_erase_on_commit(user_id=locked.pk)
        audit_record(
            kind="account.delete",
            actor=f"user:{locked.pk}",
            owner_key=f"u{locked.pk}",
            target_type="user",
            target_id=str(locked.pk),
            details={
                **queued,
                "exports": exports,
                "analytics_events": analytics,
                **reviews,
                "sessions": sessions_ended,
                "tokens": tokens_revoked,
                "purge_after": purge_after.isoformat(),
            },
        )
        if old_email:
            context = {"display_name": display_name, "purge_after": purge_after, "closed_at": now}
            transaction.on_commit(lambda: _mail_deleted(to=old_email, context=context))
    return AccountDeletion(
        user_id=user.pk,
        closed_at=now,
        purge_after=purge_after,
        queued=queued,
        sessions_ended=sessions_ended,
        tokens_revoked=tokens_revoked,
        exports_deleted=exports,
    )


def _mail_deleted(*, to: str, context: dict[str, Any]) -> None:
    try:
        mail_send(to=to, template="account_deleted", context=context)
    except Exception:  # the account is closed either way; a mail server outage must not look like a failure
        logger.exception("could not send the account deletion confirmation")


def _owner_has_content() -> Q:
    """Exists() filters for a ClosedAccount queryset: content or archives of the account are still stored."""
    from nanobananas.privacy.models import DataExport
    from nanobananas.studio.models import Asset, Conversation

    return (
        Q(Exists(Conversation.objects.filter(owner_user_id=OuterRef("user_id"))))
        | Q(Exists(Asset.objects.filter(owner_user_id=OuterRef("user_id"))))
        | Q(Exists(DataExport.objects.filter(user_id=OuterRef("user_id"))))
    )


def closed_accounts_purge(*, now: datetime | None = None) -> int:
    """The retention purge's part for closed accounts; returns how many tombstones were purged.

    A closed account's data key is deleted (crypto-shredding) once none of its content or archives is
    stored any more and no legal hold is on the owner. Its tombstone goes once `purge_after` has passed:
    billing rows, the consent log, the profile and the user row itself, leaving a `DeletionReceipt`
    (kind "account"). An owner under a legal hold, or with held content left, waits.
    """
    from nanobananas.privacy.models import LegalHold
    from nanobananas.vault.models import DataKey
    from nanobananas.vault.services import owner_keys_shred

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
    from nanobananas.billing.models import Invoice
    from nanobananas.privacy.models import DeletionReceipt, LegalHold

    closed = ClosedAccount.objects.select_for_update().filter(user_id=user_id, purge_after__lte=now).first()
    if closed is None:
        return False
    user = User.objects.get(pk=user_id)
    # Invoices would outlive the user row (SET_NULL); released holds would block it (PROTECT).
    Invoice.objects.filter(user_id=user_id).delete()
    LegalHold.objects.filter(owner_user_id=user_id, released_at__isnull=False).delete()
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
