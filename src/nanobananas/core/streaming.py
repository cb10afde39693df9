"""Streaming stored blobs to ASGI clients without blocking the event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import IO

from asgiref.sync import sync_to_async

__all__ = ["CHUNK_BYTES", "aiter_file"]

CHUNK_BYTES = 256 * 1024


async def aiter_file(handle: IO[bytes], chunk_bytes: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
    """Yield the file in chunks read in a worker thread, then close it."""
    try:
        while chunk := await sync_to_async(handle.read)(chunk_bytes):
            yield chunk
    finally:
        await sync_to_async(handle.close)()
