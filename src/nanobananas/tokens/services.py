"""Writes for API tokens: create (the secret is shown once), revoke, and authenticate a bearer value."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from nanobananas.core.exceptions import InvalidInput, NotFound
from nanobananas.core.text import clean_text
from nanobananas.tokens.models import ApiToken

__all__ = ["TOKEN_PREFIX", "token_authenticate", "token_create", "token_revoke"]

TOKEN_PREFIX = "nb_"
MAX_ACTIVE_TOKENS = 20
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, user_id: int, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """Make a token; returns it and the full secret, which is never stored and cannot be shown again."""
    name = clean_text(name)
    if not name or len(name) > 100:
        raise InvalidInput("Give the token a name of 1 to 100 characters.", code="bad_token_name")
    known = set(ApiToken.Scope.values)
    if not scopes or not set(scopes) <= known:
        raise InvalidInput(f"Scopes must be some of: {', '.join(sorted(known))}.", code="bad_token_scopes")
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user_id=user_id, revoked_at__isnull=True)
        if active.count() >= MAX_ACTIVE_TOKENS:
            raise InvalidInput(
                f"Revoke a token first: at most {MAX_ACTIVE_TOKENS} can be active.", code="too_many_tokens"
            )
        prefix = secrets.token_hex(4)
        raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken(user_id=user_id, prefix=prefix, digest=_digest(raw), scopes=sorted(set(scopes)))
        token.name = name
        token.save(force_insert=True)
    return token, raw


def token_revoke(*, user_id: int, token_id: uuid.UUID) -> None:
    revoked = ApiToken.objects.filter(id=token_id, user_id=user_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not revoked and not ApiToken.objects.filter(id=token_id, user_id=user_id).exists():
        raise NotFound("No token with this id.")


def token_authenticate(*, raw: str, scope: str) -> ApiToken | None:
    """The live token for a bearer value that carries `scope`, or None. Records when it was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or scope not in token.scopes:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
        token.last_used_at = now
    return token
