"""Account endpoints: who I am, my plan and quota, profile corrections, retention choice, sessions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router
from ninja.errors import AuthenticationError

from nanobananas.accounts import selectors, services
from nanobananas.accounts.identity import request_account, request_owner
from nanobananas.accounts.models import Plan
from nanobananas.accounts.schemas import (
    MeOut,
    PlanOut,
    ProfileIn,
    QuotaOut,
    RetentionIn,
    SessionOut,
    SessionsEndedOut,
    SubscriptionOut,
    UserOut,
)
from nanobananas.accounts.selectors import QuotaStatus

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
    from nanobananas.billing.selectors import subscription_current

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
    current = request.session.session_key
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
