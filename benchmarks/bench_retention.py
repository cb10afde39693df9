"""Benchmarks: the purge against a bare delete loop, and the sweep over a million rows, on SQLite.

Run with `.venv/bin/python benchmarks/bench_retention.py [--purge N] [--sweep N]` (what `make bench`
runs). It uses the embedded default in a throwaway data dir: SQLite with the product's pragmas and
blobs in a local folder.

- purge: N queued images, each with a small blob file. The product's `retention_purge` (receipts,
  pending-blob bookkeeping, batched transactions, WAL checkpoints) is compared with the practical
  limit: a bare loop of `os.unlink` + one single-row DELETE per image over an identical set.
  Target: at least 50% of the bare loop's items/s, memory flat.
- sweep: N live images of which 1% are due; time of one `retention_sweep`. Target: under 5 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _setup(home: Path) -> None:
    os.environ["NANOBANANAS_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "nanobananas.config.settings"
    sys.path.insert(0, str(REPO / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fill(count: int, *, due_every: int, queued: bool, blobs: bool) -> tuple[str, list[tuple[str, str]]]:
    """Insert `count` images into one conversation with raw SQL (fast), writing a blob file for each."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from nanobananas.accounts.services import guest_create
    from nanobananas.studio.models import Asset, Conversation, Message

    guest = guest_create()
    now = timezone.now()
    conversation = Conversation.objects.create(owner_guest=guest, expires_at=now + timedelta(days=1))
    message = Message.objects.create(
        conversation=conversation, role="user", text="x", expires_at=now + timedelta(days=1)
    )
    location = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    folder = f"assets/g{guest.id}"
    (location / folder).mkdir(parents=True, exist_ok=True)
    rows = []
    files: list[tuple[str, str]] = []
    stamp = connection.ops.adapt_datetimefield_value
    past, future, created = stamp(now - timedelta(hours=1)), stamp(now + timedelta(days=2)), stamp(now)
    for index in range(count):
        asset_id = uuid.uuid4().hex
        blob = f"{folder}/{asset_id}.png"
        if blobs:
            (location / blob).write_bytes(b"\x89PNG" + os.urandom(60))
        files.append((asset_id, str(location / blob)))
        due = index % due_every == 0
        rows.append(
            (
                asset_id, str(conversation.id).replace("-", ""), str(message.id).replace("-", ""), "result",
                index + 1, "generate", "[]", "[]", 0, "", blob, "image/png", 1, 1, 64, "0" * 64, "", "",
                created, "queued" if queued else "active", past if due else future,
                created if queued else None, "retention" if queued else "", str(guest.id).replace("-", ""),
            )
        )  # fmt: skip
    table = Asset._meta.db_table
    columns = (
        "id, conversation_id, message_id, kind, number, operation, inputs, steps, duration_ms, original_name, "
        "blob_name, content_type, width, height, byte_size, sha256, provider, model, created_at, state, "
        "expires_at, queued_at, deletion_reason, owner_guest_id"
    )
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 24)})", rows)
    return str(location), files


def bench_purge(count: int) -> float:
    from django.db import connection

    from nanobananas.privacy.services import retention_purge

    _, _ = _fill(count, due_every=1, queued=True, blobs=True)
    rss_before = _peak_rss_mb()
    started = time.perf_counter()
    result = retention_purge()
    product = time.perf_counter() - started
    rss_growth = _peak_rss_mb() - rss_before
    assert result.purged.get("asset") == count, result.purged

    _, files = _fill(count, due_every=1, queued=True, blobs=True)
    database = connection.settings_dict["NAME"]
    connection.close()
    raw = sqlite3.connect(database, isolation_level=None)
    raw.execute("PRAGMA secure_delete=ON")
    started = time.perf_counter()
    for asset_id, path in files:
        os.unlink(path)
        raw.execute("DELETE FROM studio_asset WHERE id = ?", (asset_id,))
    bare = time.perf_counter() - started
    raw.close()

    product_rate, bare_rate = count / product, count / bare
    print(f"purge of {count:,} images with blobs")
    print(
        f"  product retention_purge: {product:8.2f} s  {product_rate:10,.0f} items/s  (peak RSS +{rss_growth:.0f} MB)"
    )
    print(f"  bare unlink + DELETE   : {bare:8.2f} s  {bare_rate:10,.0f} items/s")
    print(f"  ratio product/bare     : {product_rate / bare_rate:8.2f}  (target >= 0.50)")
    return product_rate / bare_rate


def bench_sweep(count: int) -> float:
    from nanobananas.privacy.services import retention_sweep

    _fill(count, due_every=100, queued=False, blobs=False)
    started = time.perf_counter()
    result = retention_sweep()
    elapsed = time.perf_counter() - started
    print(f"sweep of {count:,} images, 1% due: {elapsed:.2f} s, queued {result.queued['asset']:,} (target < 5 s)")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--purge", type=int, default=100_000, help="images to purge (default 100,000)")
    parser.add_argument("--sweep", type=int, default=1_000_000, help="images to sweep (default 1,000,000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nanobananas-bench-") as home:
        _setup(Path(home))
        bench_purge(args.purge)
        bench_sweep(args.sweep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
