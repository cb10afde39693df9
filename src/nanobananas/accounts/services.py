"""Writes for identities: guests, sign-up, email verification, profile, retention, plans, quotas, sessions."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from nanobananas.accounts.age import age_gate_passes
from nanobananas.accounts.counters import rate_limit_hit, rate_windows_purge, window_count
from nanobananas.accounts.exceptions import QuotaExceeded, SignupUnavailable
from nanobananas.accounts.identity import Owner, guest_create, owner_filter
from nanobananas.accounts.mail import mail_send
from nanobananas.accounts.models import Plan, Profile, QuotaUsage, UserSession
from nanobananas.accounts.plans import QUOTA_KINDS
from nanobananas.accounts.ratelimits import GUEST_ADDRESS_ALLOWANCE
from nanobananas.accounts.selectors import QuotaWindow, plan_for, plan_get, quota_windows
from nanobananas.accounts.sessions import session_key_digest
from nanobananas.accounts.tokens import email_verification_token
from nanobananas.audit.services import audit_record
from nanobananas.core.exceptions import InvalidInput, NotFound
from nanobananas.registry.personal_data import handlers
from nanobananas.vault.fields import sealed_token

__all__ = [
    "account_signup",
    "email_change_request",
    "email_verification_send",
    "email_verify",
    "guest_create",
    "login_logs_purge",
    "plan_change",
    "profile_ensure",
    "profile_update",
    "quota_consume",
    "quota_release",
    "rate_limit_hit",
    "rate_windows_purge",
    "retention_set",
    "sessions_revoke_others",
]

logger = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,30}$")
DISPLAY_NAME_MAX = 80


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
    on_created: Callable[[User], None] | None = None,
) -> User:
    """Create an account on the Free plan and mail the verification link; `on_created` runs in the account's
    transaction (the sign-up workflow carries a guest's work over there: `nanobananas.workflows.signup`).

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
        email=email,
        username=username,
        display_name=display_name,
        password=password,
        link_base=link_base,
        on_created=on_created,
    )


def _account_create(
    *,
    email: str,
    username: str,
    display_name: str,
    password: str,
    link_base: str,
    on_created: Callable[[User], None] | None,
) -> User:
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
            if on_created is not None:
                on_created(user)
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


# The apps whose live content follows the account's retention choice (their `retention_changed` handlers).
RETENTION_ORDER = ("studio",)


def _content_expiry_recompute(*, user_id: int, hours: int) -> None:
    """The owner's live content now expires `hours` after it was made (the retention sweep does the rest):
    each app's `retention_changed` handler in the personal data registry."""
    for _app, retention_changed in handlers("retention_changed", order=RETENTION_ORDER):
        retention_changed(user_id, hours)


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
        _content_expiry_recompute(user_id=user.pk, hours=hours)
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
            _content_expiry_recompute(user_id=user_id, hours=plan.default_retention_hours)
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
                if owner.is_guest:
                    message += _signup_offer(kind=kind, window=window.window)
                raise QuotaExceeded(message, resets_at=window.resets_at)
        if owner.is_guest and address_key:
            _guest_address_quota_consume(kind=kind, address_key=address_key, windows=windows)


def _signup_offer(*, kind: str, window: str) -> str:
    """What signing up gives a guest who ran out: the Free plan's own limit for the same window."""
    free = {w.window: w.limit for w in quota_windows(plan=plan_get(code=Plan.FREE), kind=kind)}[window]
    _, _, one, many = QUOTA_KINDS[kind]
    period = "a day" if window == QuotaUsage.Window.DAY else "a month"
    return f" Sign up for a free account to make {free} {one if free == 1 else many} {period}."


def quota_release(*, owner: Owner, counted_at: datetime, kind: str = "image") -> None:
    """Give back one generation counted at `counted_at`, for a request that made nothing because this server
    cannot do it (it needs an image-generation provider). Each window's count goes down by one, never below
    zero, in the windows the request was counted in (not today's, if the day has turned since)."""
    for window in quota_windows(plan=plan_for(owner=owner), kind=kind, now=counted_at):
        QuotaUsage.objects.filter(
            owner_filter(owner), kind=kind, window=window.window, period_start=window.period_start, used__gt=0
        ).update(used=F("used") - 1)


def _guest_address_quota_consume(*, kind: str, address_key: str, windows: list[QuotaWindow]) -> None:
    [day] = [w for w in windows if w.window == QuotaUsage.Window.DAY]
    limit = day.limit * GUEST_ADDRESS_ALLOWANCE
    window_start = datetime.combine(day.period_start, datetime.min.time(), tzinfo=UTC)
    key = f"quota:{kind}:{address_key}"
    if not window_count(key=key, window_start=window_start, expires_at=day.resets_at, allowed=limit):
        _, _, _, many = QUOTA_KINDS[kind]
        raise QuotaExceeded(
            f"Guests on your network have used all {limit} {many} for today. More at {day.resets_at:%H:%M} UTC, "
            "or sign up for a free account with its own quota.",
            resets_at=day.resets_at,
        )


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
