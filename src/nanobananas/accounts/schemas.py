"""API shapes for accounts: one input and one output schema per endpoint."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

__all__ = [
    "AccountDeleteIn",
    "AccountDeletedOut",
    "EmailChangeIn",
    "ErrorOut",
    "LoginIn",
    "MeOut",
    "PasswordResetIn",
    "PlanOut",
    "ProfileIn",
    "QuotaOut",
    "RetentionIn",
    "SessionOut",
    "SessionsEndedOut",
    "SignupIn",
    "SubscriptionOut",
    "UserOut",
]


class PlanOut(Schema):
    code: str
    name: str
    is_paid: bool
    daily_images: int
    monthly_images: int
    daily_videos: int
    monthly_videos: int
    max_upload_bytes: int
    max_resolution: int
    video_seconds: int
    allowed_providers: list[str]
    retention_hours_options: list[int]
    default_retention_hours: int


class QuotaOut(Schema):
    kind: str
    plan: str
    daily_limit: int
    daily_used: int
    monthly_limit: int
    monthly_used: int
    left: int
    resets_at: datetime
    summary: str


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    email_verified: bool
    pending_email: str


class SubscriptionOut(Schema):
    provider: str
    status: str
    current_period_end: datetime | None


class MeOut(Schema):
    kind: str = Field(description='"guest" or "user"')
    user: UserOut | None
    plan: PlanOut
    quota: QuotaOut
    retention_hours: int
    subscription: SubscriptionOut | None


class ProfileIn(Schema):
    display_name: str = Field(max_length=80)
    username: str = Field(max_length=30)


class RetentionIn(Schema):
    hours: int


class SessionOut(Schema):
    device: str
    signed_in_at: datetime | None
    expires_at: datetime
    current: bool


class SessionsEndedOut(Schema):
    ended: int


class SignupIn(Schema):
    email: str = Field(max_length=254)
    username: str = Field(max_length=30)
    display_name: str = Field(max_length=80)
    password: str = Field(max_length=4096)
    birth_month: int = Field(ge=1, le=12)
    birth_year: int = Field(ge=1900, le=2100)


class LoginIn(Schema):
    login: str = Field(max_length=254, description="email address or username")
    password: str = Field(max_length=4096)


class PasswordResetIn(Schema):
    email: str = Field(max_length=254)


class EmailChangeIn(Schema):
    new_email: str = Field(max_length=254)
    password: str = Field(max_length=4096)


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


class AccountDeleteIn(Schema):
    password: str = Field(max_length=4096)
    phrase: str = Field(max_length=200, description='the words "delete my account", typed')


class AccountDeletedOut(Schema):
    deleted: bool
    purge_after: datetime = Field(description="when the kept account data (billing, consents) is deleted too")
