"""Run in a child process by test_streaming: store and read back a large blob, report peak memory growth."""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import sys
from typing import TYPE_CHECKING

import django
from django.core.files.base import ContentFile, File
from django.core.management import call_command

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["main"]


class GeneratedBytes(io.RawIOBase):
    """`size` bytes made on demand from one random block: a large upload that is never held in memory."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.remaining = size
        self.block = os.urandom(1 << 20)
        self.offset = 0
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer).cast("B")
        piece = self.block[self.offset : self.offset + min(len(target), self.remaining)]
        target[: len(piece)] = piece
        self.offset = (self.offset + len(piece)) % len(self.block)
        self.remaining -= len(piece)
        self.digest.update(piece)
        return len(piece)


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    size, folder = int(sys.argv[1]), sys.argv[2]
    django.setup()
    call_command("migrate", "vault", verbosity=0)
    from nanobananas.vault.storage import EncryptedStorage

    storage = EncryptedStorage(location=folder)
    # Warm up: imports done, the data key created, the allocator settled, before the baseline.
    storage.save("videos/u1/warmup.mp4", ContentFile(os.urandom(1 << 20)))
    with storage.open("videos/u1/warmup.mp4") as handle:
        handle.read()
    baseline = peak_rss_kib()

    source = GeneratedBytes(size)
    storage.save("videos/u1/big.mp4", File(io.BufferedReader(source), "big.mp4"))
    read_back = hashlib.sha256()
    read_size = 0
    with storage.open("videos/u1/big.mp4") as handle:
        for chunk in handle.chunks():
            read_back.update(chunk)
            read_size += len(chunk)

    print(
        json.dumps(
            {
                "growth_kib": peak_rss_kib() - baseline,
                "same_bytes": read_back.hexdigest() == source.digest.hexdigest(),
                "read_size": read_size,
                "stored_size": os.path.getsize(os.path.join(folder, "videos", "u1", "big.mp4")),
            }
        )
    )


if __name__ == "__main__":
    main()
