"""Benchmarks: the purge against a bare delete loop, and the sweep over a million rows, on SQLite.

Run with `.venv/bin/python benchmarks/bench_retention.py [--purge N] [--sweep N] [--smoke]` (what
`make bench` runs). It uses the embedded default in a throwaway data dir: SQLite with the product's pragmas and
blobs in a local folder.

- purge: N queued images, each with a small blob file. The product's `retention_purge` (receipts,
  pending-blob bookkeeping, batched transactions, WAL checkpoints) is compared with the practical
  limit: a bare loop of `os.unlink` + one single-row DELETE per image over an identical set, with the
  product's pragmas and NANOBANANAS_PURGE_BATCH rows per transaction (a fair loop, not one
  transaction per row under synchronous=FULL). Target: at least 50% of the bare loop's items/s.
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
sys.path.insert(0, str(REPO / "benchmarks"))

from record import Results, add_arguments  # noqa: E402

PURGE_TARGET = 0.5
SWEEP_LIMIT_S = 5.0


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
    """Insert `count` images into one conversation, writing a blob file for each.

    The rows are written with one `executemany` (an ORM save per row would take longer than what is
    measured), but every column's value comes from the model: a template image prepared by its own
    fields, so a column added later is filled like the product fills it instead of breaking the insert.
    """
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
    template = Asset(
        conversation=conversation, message=message, kind="result", number=0, operation="generate",
        blob_name="", content_type="image/png", width=1, height=1, byte_size=64, sha256="0" * 64,
        created_at=now, state="queued" if queued else "active", expires_at=now,
        queued_at=now if queued else None, deletion_reason="retention" if queued else "", owner_guest=guest,
    )  # fmt: skip
    fields = list(Asset._meta.concrete_fields)
    base = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields]
    names = [f.name for f in fields]
    at = {name: names.index(name) for name in ("id", "number", "blob_name", "expires_at")}
    prep = {name: fields[index].get_db_prep_save for name, index in at.items()}
    past = prep["expires_at"](now - timedelta(hours=1), connection)
    future = prep["expires_at"](now + timedelta(days=2), connection)
    rows = []
    files: list[tuple[str, str]] = []
    for index in range(count):
        asset_id = uuid.uuid4()
        blob = f"{folder}/{asset_id.hex}.png"
        if blobs:
            (location / blob).write_bytes(b"\x89PNG" + os.urandom(60))
        row = list(base)
        row[at["id"]] = prep["id"](asset_id, connection)
        row[at["number"]] = index + 1
        row[at["blob_name"]] = blob
        row[at["expires_at"]] = past if index % due_every == 0 else future
        rows.append(row)
        files.append((str(row[at["id"]]), str(location / blob)))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Asset._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", rows
        )
    return str(location), files


def bench_purge(count: int, results: Results) -> float:
    from django.conf import settings
    from django.db import connection

    from nanobananas.privacy.services import retention_purge

    _fill(count, due_every=1, queued=True, blobs=True)
    rss_before = _peak_rss_mb()
    started = time.perf_counter()
    result = retention_purge()
    product = time.perf_counter() - started
    rss_growth = _peak_rss_mb() - rss_before
    assert result.purged.get("asset") == count, result.purged

    # The fair bare loop: the product's own pragmas (WAL, secure_delete, synchronous=NORMAL) and its
    # batch size per transaction, so the ratio measures the product's bookkeeping, not a handicap.
    batch = settings.NANOBANANAS["PURGE_BATCH"]
    _, files = _fill(count, due_every=1, queued=True, blobs=True)
    database = connection.settings_dict["NAME"]
    connection.close()
    raw = sqlite3.connect(database, isolation_level=None)
    raw.executescript(settings.SQLITE_INIT_COMMAND)
    started = time.perf_counter()
    for first in range(0, len(files), batch):
        raw.execute("BEGIN IMMEDIATE")
        for asset_id, path in files[first : first + batch]:
            os.unlink(path)
            raw.execute("DELETE FROM studio_asset WHERE id = ?", (asset_id,))
        raw.execute("COMMIT")
    bare = time.perf_counter() - started
    raw.close()

    product_rate, bare_rate = count / product, count / bare
    ratio = product_rate / bare_rate
    verdict = "ok" if ratio >= PURGE_TARGET else "MISSED"
    print(f"purge of {count:,} images with blobs")
    print(
        f"  product retention_purge: {product:8.2f} s  {product_rate:10,.0f} items/s  (peak RSS +{rss_growth:.0f} MB)"
    )
    print(f"  bare unlink + DELETE   : {bare:8.2f} s  {bare_rate:10,.0f} items/s  ({batch} per transaction)")
    print(f"  ratio product/bare     : {ratio:8.2f}  (target >= {PURGE_TARGET:.2f})  {verdict}")
    results.add("purge: product retention_purge", f"{product_rate:,.0f} items/s (peak RSS +{rss_growth:.0f} MB)")
    results.add(f"purge: bare unlink + DELETE, same pragmas, {batch} per transaction", f"{bare_rate:,.0f} items/s")
    results.add("purge: ratio product / bare", f"{ratio:.3f}", goal=f">= {PURGE_TARGET:.2f}", verdict=verdict)
    return ratio


def bench_sweep(count: int, results: Results) -> float:
    from nanobananas.privacy.services import retention_sweep

    _fill(count, due_every=100, queued=False, blobs=False)
    started = time.perf_counter()
    result = retention_sweep()
    elapsed = time.perf_counter() - started
    verdict = "ok" if elapsed < SWEEP_LIMIT_S else "MISSED"
    print(f"sweep of {count:,} images, 1% due: {elapsed:.2f} s, queued {result.queued['asset']:,} (target < 5 s)")
    assert result.queued["asset"] == len(range(0, count, 100)), result.queued
    goal = f"< {SWEEP_LIMIT_S:g} s"
    results.add(f"sweep of {count:,} images, 1% due", f"{elapsed:.2f} s", goal=goal, verdict=verdict)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--purge", type=int, default=None, help="images to purge (default 100,000; smoke 200)")
    parser.add_argument("--sweep", type=int, default=None, help="images to sweep (default 1,000,000; smoke 2,000)")
    add_arguments(parser)
    args = parser.parse_args()
    purge = args.purge or (200 if args.smoke else 100_000)
    sweep = args.sweep or (2_000 if args.smoke else 1_000_000)
    results = Results(
        "retention", "Retention purge and sweep (SQLite)", f"purge {purge:,} images, sweep {sweep:,}", args.smoke
    )
    with tempfile.TemporaryDirectory(prefix="nanobananas-bench-") as home:
        _setup(Path(home))
        bench_purge(purge, results)
        bench_sweep(sweep, results)
    results.write(args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
