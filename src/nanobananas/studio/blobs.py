"""The stored bytes of studio images: written under an exact name, deleted once the transaction commits."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

__all__ = [
    "blob_write",
    "blobs_delete_on_commit",
]

logger = logging.getLogger(__name__)


def blobs_delete_on_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.exception("could not delete blob %s", name)

    transaction.on_commit(delete)


def blob_write(name: str, data: bytes) -> str:
    """Write bytes under exactly `name`, replacing what a crashed earlier attempt may have left."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))
