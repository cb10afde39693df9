"""Token endpoints for signed-in users: list, create (secret shown once), revoke."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Router, Status

from nanobananas.core.exceptions import DomainError
from nanobananas.tokens.models import ApiToken
from nanobananas.tokens.schemas import TokenCreatedOut, TokenCreateIn, TokenOut
from nanobananas.tokens.services import token_create, token_revoke

router = Router(tags=["tokens"])


class SignInRequired(DomainError):
    status_code = 401
    code = "unauthenticated"


def _user_id(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise SignInRequired("Sign in to manage API tokens.")
    return int(user.pk)


def _out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        scopes=token.scopes,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    return [_out(t) for t in ApiToken.objects.filter(user_id=_user_id(request)).order_by("-created_at")]


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request: HttpRequest, payload: TokenCreateIn) -> Status[TokenCreatedOut]:
    token, raw = token_create(user_id=_user_id(request), name=payload.name, scopes=payload.scopes)
    return Status(201, TokenCreatedOut(**_out(token).model_dump(), token=raw))


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: uuid.UUID) -> Status[None]:
    token_revoke(user_id=_user_id(request), token_id=token_id)
    return Status(204, None)
