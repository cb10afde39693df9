"""Downloads: one image as stored or converted, and a ZIP of a whole conversation."""

from __future__ import annotations

import json
import tempfile
import zipfile
from typing import IO, Literal

from django.core.files.storage import default_storage

from nanobananas.core.exceptions import InvalidInput
from nanobananas.studio.models import Asset, Conversation

__all__ = ["DownloadFormat", "asset_content", "asset_filename", "conversation_archive"]

DownloadFormat = Literal["original", "png", "jpeg", "webp"]
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
EXTENSIONS = {
    "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif", "video/mp4": "mp4",
    "video/webm": "webm", "image/avif": "avif",
}  # fmt: skip
# Archives are spooled in memory up to this size, then to a temporary file, so memory stays flat.
SPOOL_BYTES = 16 * 1024 * 1024


def asset_filename(asset: Asset) -> str:
    label = {"result": "version", "video": "video"}.get(asset.kind, "picture")
    return f"nanobananas-{label}-{asset.number}"


def asset_content(*, asset: Asset, format: DownloadFormat) -> tuple[IO[bytes], str, str]:
    """An open file of the image in `format`, its content type and file extension."""
    if format == "original" or CONTENT_TYPES.get(format) == asset.content_type:
        return default_storage.open(asset.blob_name, "rb"), asset.content_type, EXTENSIONS[asset.content_type]
    if asset.kind == Asset.Kind.VIDEO:
        # A video downloads in the format it was rendered in (MP4, GIF or WebP), never converted.
        raise InvalidInput("A video downloads as made: leave out format, or use format=original.", code="bad_format")
    from nanobananas.engine.streaming import image_convert

    with default_storage.open(asset.blob_name, "rb") as handle:
        stored = handle.read()
    # Streamed through libvips, big images one at a time per process: a 49 MP picture is never decoded whole.
    encoded = image_convert(stored, format=format, quality=92 if format != "png" else None)
    # The caller streams the file and closes it, so it outlives this function on purpose.
    converted = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    converted.write(encoded)
    converted.seek(0)
    return converted, CONTENT_TYPES[format], "jpg" if format == "jpeg" else format


def conversation_archive(*, conversation: Conversation) -> IO[bytes]:
    """A ZIP of every picture and version (originals as stored) with a manifest describing each."""
    archive = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  # streamed, then closed
    assets = Asset.objects.filter(conversation=conversation).order_by("kind", "number")
    manifest = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as bundle:
        for asset in assets.iterator():
            folder = {"result": "versions", "video": "videos"}.get(asset.kind, "pictures")
            name = f"{folder}/{asset_filename(asset)}.{EXTENSIONS[asset.content_type]}"
            with default_storage.open(asset.blob_name, "rb") as source, bundle.open(name, "w") as target:
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)
            manifest.append(
                {
                    "file": name,
                    "number": asset.number,
                    "kind": asset.kind,
                    "operation": asset.operation,
                    "parent": str(asset.parent_id) if asset.parent_id else None,
                    "id": str(asset.id),
                    "sha256": asset.sha256,
                    "width": asset.width,
                    "height": asset.height,
                    "seconds": asset.length_ms / 1000 if asset.kind == Asset.Kind.VIDEO else None,
                    "fps": asset.fps or None,
                    "provider": asset.provider,
                    "model": asset.model,
                    "plan": asset.plan,
                    "created_at": asset.created_at.isoformat(),
                    "expires_at": asset.expires_at.isoformat(),
                }
            )
        bundle.writestr(
            "manifest.json",
            json.dumps(
                {"conversation": str(conversation.id), "title": conversation.title, "files": manifest}, indent=2
            ),
        )
    archive.seek(0)
    return archive
