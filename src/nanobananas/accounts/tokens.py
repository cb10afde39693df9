"""Signed one-time links: email verification (also for a changed address)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator

__all__ = ["email_verification_token"]


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Valid until the address it was sent to is verified or replaced, or the timeout passes."""

    key_salt = "nanobananas.accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        profile = getattr(user, "profile", None)
        verified = profile.email_verified_at if profile is not None else None
        pending = profile.pending_email if profile is not None else ""
        stamp = "" if verified is None else verified.replace(microsecond=0, tzinfo=None).isoformat()
        email = user.email
        return f"{user.pk}{email}{pending}{stamp}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
