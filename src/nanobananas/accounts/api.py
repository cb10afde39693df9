"""Account endpoints: sign-up, sign-in and out, password reset, who I am, plan and quota, profile, sessions,
deleting the account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.errors import AuthenticationError

from nanobananas.accounts import selectors, services
from nanobananas.accounts.age import retry_block_set, retry_blocked
from nanobananas.accounts.exceptions import SignupUnavailable
from nanobananas.accounts.identity import request_account, request_address_key, request_owner, request_rate_limit
from nanobananas.accounts.models import Plan
from nanobananas.accounts.schemas import (
    AccountDeletedOut,
    AccountDeleteIn,
    EmailChangeIn,
    ErrorOut,
    LoginIn,
    MeOut,
    PasswordResetIn,
    PlanOut,
    ProfileIn,
    QuotaOut,
    RetentionIn,
    SessionOut,
    SessionsEndedOut,
    SignupIn,
    SubscriptionOut,
    UserOut,
)
from nanobananas.accounts.selectors import QuotaStatus
from nanobananas.accounts.sessions import session_key_digest, session_mark_signed_in
from nanobananas.billing.selectors import subscription_current
from nanobananas.core.exceptions import InvalidInput
from nanobananas.workflows import account_delete as account_delete_workflow
from nanobananas.workflows import signup as signup_workflow

router = Router(tags=["accounts"])


def _user(request: HttpRequest) -> User:
    if not request.user.is_authenticated:
        raise AuthenticationError()
    return request_account(request)


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut.model_validate(plan, from_attributes=True)


def quota_out(status: QuotaStatus) -> QuotaOut:
    return QuotaOut(
        kind=status.kind,
        plan=status.plan,
        daily_limit=status.daily_limit,
        daily_used=status.daily_used,
        monthly_limit=status.monthly_limit,
        monthly_used=status.monthly_used,
        left=status.left,
        resets_at=status.resets_at,
        summary=status.summary,
    )


def _user_out(user: Any) -> UserOut:
    profile = services.profile_ensure(user=user)
    return UserOut(
        id=user.pk,
        username=user.get_username(),
        display_name=profile.display_name,
        email=user.email,
        email_verified=profile.email_verified_at is not None,
        pending_email=profile.pending_email,
    )


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    owner = request_owner(request)
    user = request.user if request.user.is_authenticated else None
    plan = selectors.plan_for(owner=owner) if owner is not None else selectors.plan_get(code=Plan.GUEST)
    subscription = subscription_current(user_id=user.pk) if user is not None else None
    return MeOut(
        kind="user" if user is not None else "guest",
        user=_user_out(user) if user is not None else None,
        plan=plan_out(plan),
        quota=quota_out(selectors.quota_status(owner=owner)),
        retention_hours=selectors.retention_hours_for(owner=owner) if owner else plan.default_retention_hours,
        subscription=(
            SubscriptionOut(
                provider=subscription.provider,
                status=subscription.status,
                current_period_end=subscription.current_period_end,
            )
            if subscription is not None
            else None
        ),
    )


@router.patch("/me", response=UserOut)
def profile_update(request: HttpRequest, payload: ProfileIn) -> UserOut:
    user = _user(request)
    services.profile_update(user=user, display_name=payload.display_name, username=payload.username)
    user.refresh_from_db()
    return _user_out(user)


@router.get("/me/quota", response=QuotaOut)
def quota(request: HttpRequest, kind: str = "image") -> QuotaOut:
    return quota_out(selectors.quota_status(owner=request_owner(request), kind=kind))


@router.put("/me/retention", response=MeOut)
def retention(request: HttpRequest, payload: RetentionIn) -> MeOut:
    services.retention_set(user=_user(request), hours=payload.hours)
    return me(request)


@router.get("/me/sessions", response=list[SessionOut])
def sessions(request: HttpRequest) -> list[SessionOut]:
    user = _user(request)
    current = session_key_digest(request.session.session_key or "")
    return [
        SessionOut(
            device=s.device or "A browser",
            signed_in_at=s.signed_in_at,
            expires_at=s.expire_date,
            current=s.session_key == current,
        )
        for s in selectors.session_list(user_id=user.pk)
    ]


@router.post("/me/sessions/end-others", response=SessionsEndedOut)
def sessions_end_others(request: HttpRequest) -> SessionsEndedOut:
    user = _user(request)
    ended = services.sessions_revoke_others(user_id=user.pk, keep_session_key=request.session.session_key)
    return SessionsEndedOut(ended=ended)


@router.get("/plans", response=list[PlanOut])
def plans(request: HttpRequest) -> list[PlanOut]:
    return [plan_out(plan) for plan in selectors.plan_list()]


@router.post("/auth/signup", response={201: MeOut, 403: ErrorOut}, tags=["auth"])
def signup(request: HttpRequest, payload: SignupIn, response: HttpResponse) -> Status[Any]:
    """Create an account and sign in; a guest's work comes along. The age gate refuses with 403 and stores
    nothing but a cookie that refuses again for a day."""
    try:
        user = signup_workflow.account_signup(
            email=payload.email,
            username=payload.username,
            display_name=payload.display_name,
            password=payload.password,
            birth_month=payload.birth_month,
            birth_year=payload.birth_year,
            link_base=request.build_absolute_uri("/"),
            guest=request_owner(request),
            address_key=request_address_key(request),
            retry_blocked=retry_blocked(request),
        )
    except SignupUnavailable as exc:
        retry_block_set(response)
        return Status(403, {"error": {"code": exc.code, "message": exc.message}})
    login(request, user, backend="nanobananas.accounts.backends.EmailOrUsernameBackend")
    session_mark_signed_in(request)
    return Status(201, me(request))


@router.post("/auth/login", response=MeOut, tags=["auth"])
def sign_in(request: HttpRequest, payload: LoginIn) -> MeOut:
    """Sign in by email or username. Five failures lock the account and the address: 429 with `resets_at`."""
    user = authenticate(request, username=payload.login, password=payload.password)
    if user is None:
        raise InvalidInput("That email or username and password do not match an account.", code="invalid_credentials")
    login(request, user)
    session_mark_signed_in(request)
    return me(request)


@router.post("/auth/logout", response={204: None}, tags=["auth"])
def sign_out(request: HttpRequest) -> Status[None]:
    logout(request)
    return Status(204, None)


@router.post("/auth/password-reset", response={202: None}, tags=["auth"])
def password_reset(request: HttpRequest, payload: PasswordResetIn) -> Status[None]:
    """Mail a reset link if an account uses the address; the answer is the same either way."""
    form = PasswordResetForm(data={"email": payload.email})
    if form.is_valid():
        form.save(
            request=request,
            use_https=request.is_secure(),
            subject_template_name="accounts/mail/password_reset_subject.txt",
            email_template_name="accounts/mail/password_reset.txt",
        )
    return Status(202, None)


@router.post("/me/email", response={202: None})
def email_change(request: HttpRequest, payload: EmailChangeIn) -> Status[None]:
    """Ask to change the address: it changes when the link mailed to the new one is opened."""
    request_rate_limit(request, scope="password")
    services.email_change_request(
        user=_user(request),
        new_email=payload.new_email,
        password=payload.password,
        link_base=request.build_absolute_uri("/"),
    )
    return Status(202, None)


@router.post("/me/verification", response={202: None})
def verification_resend(request: HttpRequest) -> Status[None]:
    services.email_verification_send(user=_user(request), link_base=request.build_absolute_uri("/"))
    return Status(202, None)


@router.post("/me/delete", response=AccountDeletedOut)
def account_delete(request: HttpRequest, payload: AccountDeleteIn) -> AccountDeletedOut:
    """Delete the account (password and the typed phrase "delete my account"): content is queued for
    deletion, every session and API token ends at once, and this browser is signed out."""
    user = _user(request)
    request_rate_limit(request, scope="password")
    deletion = account_delete_workflow.account_delete(user=user, password=payload.password, phrase=payload.phrase)
    logout(request)
    messages.success(request, "Your account has been deleted. A confirmation email is on its way.")
    return AccountDeletedOut(deleted=True, purge_after=deletion.purge_after)
