"""Texts at rest: sealed with the owner's data key (the vault's AES-GCM), opened on read.

A database backup or a stray copy of the database file holds only ciphertext, and crypto-shredding an
owner makes their text unreadable everywhere. Within one request the unwrapped key is remembered,
so a page with many messages costs one key lookup per owner, not one per message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

__all__ = ["UNREADABLE", "TextKeyMemoMiddleware", "key_memo", "seal", "unseal"]

PREFIX = "vault1:"
UNREADABLE = "(this text can no longer be read)"
_memo: ContextVar[dict[str, Any] | None] = ContextVar("nanobananas_text_keys", default=None)


@contextmanager
def key_memo() -> Iterator[None]:
    """Remember unwrapped data keys for the duration of the block (one request, one job)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _key(owner_key: str, *, create: bool) -> Any:
    from nanobananas.vault.keyring import data_key_get, data_key_get_or_create

    memo = _memo.get()
    if memo is not None and owner_key in memo:
        return memo[owner_key]
    material = data_key_get_or_create(owner_key=owner_key) if create else data_key_get(owner_key=owner_key)
    if memo is not None:
        memo[owner_key] = material
    return material


def seal(text: str, *, owner_key: str, context: str) -> str:
    from nanobananas.vault.crypto import text_seal

    if not text:
        return ""
    key = _key(owner_key, create=True)
    return text_seal(text, key=key.key, key_id=key.key_id, owner_key=owner_key, context=context)


def unseal(stored: str, *, owner_key: str, context: str) -> str:
    """The plain text; rows written before sealing existed are returned as they are."""
    from nanobananas.vault.crypto import text_open
    from nanobananas.vault.exceptions import VaultError

    if not stored.startswith(PREFIX):
        return stored
    try:
        key = _key(owner_key, create=False)
        return text_open(stored, key=key.key, key_id=key.key_id, owner_key=owner_key, context=context)
    except VaultError:
        return UNREADABLE


class TextKeyMemoMiddleware:
    """Runs each request inside `key_memo()`; works sync and async."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        with key_memo():
            response: HttpResponseBase = self.get_response(request)
            return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        with key_memo():
            response: HttpResponseBase = await self.get_response(request)
            return response
