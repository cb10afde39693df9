"""Job change notices: a worker says "job X changed"; every web process streaming job X wakes and reads it.

With Redis (NANOBANANAS_REDIS_URL) a notice goes through pub/sub, so any web process streams any job's
progress as it happens, without reading the database in a loop: a stream reads its job once per notice,
and once every NANOBANANAS_EVENTS_RECHECK_SECONDS in case a notice was lost (Redis restarting, a worker
killed between its write and its notice). Without Redis (the embedded default: one web process, one
worker, SQLite) a stream reads its job every POLL_SECONDS.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Final

import redis
import redis.asyncio
from django.conf import settings
from django.db import transaction

__all__ = ["CHANNEL_PREFIX", "POLL_SECONDS", "job_changed", "job_changes"]

logger = logging.getLogger(__name__)

CHANNEL_PREFIX: Final = "nanobananas:job:"
# How often a stream reads its job when no notices can come (no Redis, or Redis unreachable).
POLL_SECONDS: Final = 0.1
_SOCKET_SECONDS: Final = 2.0

Wait = Callable[[float], Awaitable[None]]


def _redis_url() -> str | None:
    url = settings.NANOBANANAS.get("REDIS_URL")
    return str(url) if url else None


def _recheck_seconds() -> float:
    return float(settings.NANOBANANAS.get("EVENTS_RECHECK_SECONDS", 5))


@functools.lru_cache(maxsize=4)
def _publisher(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=_SOCKET_SECONDS, socket_connect_timeout=_SOCKET_SECONDS)


def job_changed(job_id: uuid.UUID) -> None:
    """Tell the web processes that `job_id` changed, once the current transaction (if any) commits.

    A notice that cannot be sent is logged and dropped: streams re-read their job now and then anyway.
    """
    url = _redis_url()
    if url is None:
        return

    def publish() -> None:
        try:
            _publisher(url).publish(f"{CHANNEL_PREFIX}{job_id}", b"1")
        except redis.RedisError as exc:
            logger.warning(
                "job %s: change notice not sent (%s); streams will see it on their next re-read", job_id, exc
            )

    transaction.on_commit(publish)


@asynccontextmanager
async def job_changes(job_id: uuid.UUID) -> AsyncIterator[Wait]:
    """Subscribe to `job_id`'s notices; yields `wait(seconds)`, which returns at the next notice, or after
    `seconds` (or the re-read interval, if shorter) without one. Subscribed before the caller's first
    read, so no change between that read and the first wait is missed."""
    url = _redis_url()
    if url is None:
        yield _polling
        return
    client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=_SOCKET_SECONDS)
    pubsub = client.pubsub()
    try:
        await pubsub.subscribe(f"{CHANNEL_PREFIX}{job_id}")
    except redis.RedisError as exc:
        logger.warning("job %s: no change notices (%s); reading the job every %s s", job_id, exc, POLL_SECONDS)
        await pubsub.aclose()
        await client.aclose()
        yield _polling
        return
    recheck = _recheck_seconds()
    broken = False

    async def wait(seconds: float) -> None:
        nonlocal broken
        if broken:
            await _polling(seconds)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, min(seconds, recheck))
        try:
            # None also comes back at once for the subscription's own confirmation: wait on until the deadline.
            while (left := deadline - loop.time()) > 0:
                if await pubsub.get_message(ignore_subscribe_messages=True, timeout=left) is not None:
                    # A burst of progress notices is one read: take the ones already here.
                    while await pubsub.get_message(ignore_subscribe_messages=True, timeout=0) is not None:
                        pass
                    return
        except (redis.RedisError, OSError) as exc:
            logger.warning("job %s: change notices lost (%s); reading the job every %s s", job_id, exc, POLL_SECONDS)
            broken = True

    try:
        yield wait
    finally:
        try:
            await pubsub.aclose()
            await client.aclose()
        except (redis.RedisError, OSError):
            pass


async def _polling(seconds: float) -> None:
    await asyncio.sleep(max(0.0, min(seconds, POLL_SECONDS)))
