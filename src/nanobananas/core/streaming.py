"""Streaming to ASGI clients without blocking the event loop, and without holding a database connection.

A long response (a download to a slow client, a job's event stream) must not keep the request's database
connection while it streams: with PostgreSQL each process has a bounded pool (NANOBANANAS_DATABASE_POOL_SIZE),
and fifty open streams would drain it. Reads for such a response hand the connection back when they are done.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from typing import IO, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import connections

__all__ = ["CHUNK_BYTES", "aiter_file", "releasing"]

P = ParamSpec("P")
R = TypeVar("R")

CHUNK_BYTES = 256 * 1024


def _hand_back() -> None:
    """What Django does when a request ends (close_old_connections), but never inside a transaction (a test's,
    or the caller's), where closing would break it."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


async def aiter_file(handle: IO[bytes], chunk_bytes: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
    """Yield the file in chunks read in a worker thread, then close it. The request's database connection is
    handed back first: the reads that found the file are over."""
    await sync_to_async(_hand_back)()
    try:
        while chunk := await sync_to_async(handle.read)(chunk_bytes):
            yield chunk
    finally:
        await sync_to_async(handle.close)()


def releasing(function: Callable[P, R]) -> Callable[P, R]:
    """`function`, handing the thread's database connection back (to the pool, or closed) when it returns: for
    the reads of a stream that then waits. Inside a transaction the connection is kept, as Django does."""

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        finally:
            _hand_back()

    return call
