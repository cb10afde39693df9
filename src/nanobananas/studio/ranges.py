"""HTTP range answers for an asset's stored bytes, so a browser can seek in an MP4 (206 or 416)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import IO

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from nanobananas.core.streaming import CHUNK_BYTES
from nanobananas.studio import downloads
from nanobananas.studio.models import Asset

__all__ = ["range_response"]

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `bytes=` range, None for a header to ignore (several ranges, other units);
    ValueError when it cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:
        suffix = int(last_text)
        if suffix == 0:
            raise ValueError("empty suffix")
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or last < first:
        raise ValueError("outside the file")
    return first, last


async def _aiter_part(handle: IO[bytes], first: int, length: int) -> AsyncIterator[bytes]:
    try:
        await sync_to_async(handle.seek)(first)
        left = length
        while left > 0:
            chunk = await sync_to_async(handle.read)(min(CHUNK_BYTES, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
    finally:
        await sync_to_async(handle.close)()


async def range_response(request: HttpRequest, asset: Asset) -> StreamingHttpResponse | HttpResponse | None:
    """The answer to a `Range` request for the stored bytes of `asset` (206 with Content-Range, or 416), or
    None when there is no usable Range header (the caller sends the whole file with Accept-Ranges)."""
    header = request.headers.get("Range", "")
    if not header:
        return None
    size = asset.byte_size
    try:
        wanted = _parse_range(header, size)
    except ValueError:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    if wanted is None:
        return None
    first, last = wanted
    handle, content_type, extension = await sync_to_async(downloads.asset_content)(asset=asset, format="original")
    part = StreamingHttpResponse(_aiter_part(handle, first, last - first + 1), content_type=content_type, status=206)
    part["Content-Range"] = f"bytes {first}-{last}/{size}"
    part["Content-Length"] = str(last - first + 1)
    part["Accept-Ranges"] = "bytes"
    part["Content-Disposition"] = f'inline; filename="{downloads.asset_filename(asset)}.{extension}"'
    return part
