"""Benchmark: the known-image check's indexed look-up against the full scan it replaced, on SQLite.

Run with `.venv/bin/python benchmarks/bench_known_images.py [--rows N] [--lookups K]` (what `make bench`
runs; default 1,000,000 listed images). It uses the embedded default in a throwaway data dir.

N known images with random pHash/dHash values are inserted with raw SQL (each column's value prepared by
the model's own field), plus one image the probes are near (a few bits away, spread over the parts).
Then K look-ups, half random hashes (no match) and half near copies of the listed image, are run twice
over the same table:

- indexed: the product's `KnownImageCheck` path (`known_image_candidates` through the four pHash-part
  indexes, rows without a near dHash part dropped by the database, then the Hamming distance on the
  few candidates left);
- full scan: the check as it was, reading every row's hashes and measuring each one.

Printed: milliseconds per look-up for each, the ratio scan/indexed, and the candidates read per look-up.
Target: the indexed look-up at least 100 times faster than the scan at 1,000,000 rows, and every near
copy found by both.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from record import Results, add_arguments  # noqa: E402

DISTANCE = 10
NEAR_FLIPS = (3, 19, 35, 51, 60, 8, 44)  # seven differing bits spread over all four parts


def _setup(home: Path) -> None:
    os.environ["NANOBANANAS_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "nanobananas.config.settings"
    sys.path.insert(0, str(REPO / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _fill(count: int, rng: random.Random) -> int:
    """Insert `count` random known images in batches of raw inserts; returns the listed target's pHash.

    Every column's value comes from the model (a template row prepared by its own fields, then the
    hashes of each row), so a column added later is filled as the product fills it.
    """
    from django.db import connection, transaction

    from nanobananas.moderation.models import KnownImage, hash_parts

    fields = [f for f in KnownImage._meta.concrete_fields if not f.primary_key]
    template = KnownImage(sha256="", phash="", dhash="", category="hate", note="")
    base = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in fields]
    at = {f.name: index for index, f in enumerate(fields)}
    hashed = ["phash", "dhash", *(f"phash_{i}" for i in range(4)), *(f"dhash_{i}" for i in range(4))]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {KnownImage._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    target = rng.getrandbits(64)
    batch: list[list[object]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(count):
            phash = f"{target if i == count // 2 else rng.getrandbits(64):016x}"
            dhash = f"{target if i == count // 2 else rng.getrandbits(64):016x}"
            row = list(base)
            row[at["sha256"]] = f"{i:064x}"
            for name, value in zip(hashed, [phash, dhash, *hash_parts(phash), *hash_parts(dhash)], strict=True):
                row[at[name]] = value
            batch.append(row)
            if len(batch) == 10_000:
                cursor.executemany(sql, batch)
                batch.clear()
        cursor.executemany(sql, batch)
    return target


def _scan(phash: str, dhash: str) -> int | None:
    """The check as it was: every row read and measured."""
    from nanobananas.moderation.imagehash import hamming
    from nanobananas.moderation.models import KnownImage

    best: tuple[int, int] | None = None
    for pk, phash_b, dhash_b in KnownImage.objects.values_list("pk", "phash", "dhash"):
        distance = max(hamming(phash_b, phash), hamming(dhash_b, dhash))
        if distance <= DISTANCE and (best is None or distance < best[0]):
            best = (distance, pk)
    return None if best is None else best[1]


def _indexed(phash: str, dhash: str) -> tuple[int | None, int]:
    """The product's path: candidates through the part indexes, then the distance on each."""
    from nanobananas.moderation.checks import known_image_candidates
    from nanobananas.moderation.imagehash import hamming

    best: tuple[int, int] | None = None
    candidates = known_image_candidates(phash, dhash, distance=DISTANCE)
    for pk, _category, phash_b, dhash_b in candidates:
        distance = max(hamming(phash_b, phash), hamming(dhash_b, dhash))
        if distance <= DISTANCE and (best is None or distance < best[0]):
            best = (distance, pk)
    return (None if best is None else best[1]), len(candidates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=None, help="known images listed (default 1,000,000; smoke 2,000)")
    parser.add_argument("--lookups", type=int, default=6, help="look-ups per method (default 6)")
    add_arguments(parser)
    args = parser.parse_args()
    rows = args.rows or (2_000 if args.smoke else 1_000_000)
    size = f"{rows:,} listed images, {args.lookups} look-ups"
    results = Results("known_images", "Known-image look-up (SQLite)", size, args.smoke)
    rng = random.Random(20261205)
    with tempfile.TemporaryDirectory(prefix="nanobananas-bench-") as home:
        _setup(Path(home))
        started = time.perf_counter()
        target = _fill(rows, rng)
        print(f"known images: {rows:,} listed in {time.perf_counter() - started:.1f} s")
        near = target
        for bit in NEAR_FLIPS:
            near ^= 1 << bit
        probes = [
            (f"{near:016x}", f"{near:016x}")
            if i % 2
            else (f"{rng.getrandbits(64):016x}", f"{rng.getrandbits(64):016x}")
            for i in range(args.lookups)
        ]
        started = time.perf_counter()
        indexed = [_indexed(p, d) for p, d in probes]
        indexed_ms = (time.perf_counter() - started) * 1000 / len(probes)
        started = time.perf_counter()
        scanned = [_scan(p, d) for p, d in probes]
        scan_ms = (time.perf_counter() - started) * 1000 / len(probes)
        agree = [match for match, _ in indexed] == scanned
        found = all(scanned[i] is not None for i in range(1, len(probes), 2))
        candidates = sum(count for _, count in indexed) / len(indexed)
        ratio = scan_ms / indexed_ms
        print(f"  indexed look-up : {indexed_ms:10.2f} ms per look-up ({candidates:,.0f} candidates read)")
        print(f"  full scan       : {scan_ms:10.2f} ms per look-up ({rows:,} rows read)")
        print(f"  ratio scan/index: {ratio:10.1f}  (target >= 100){'' if ratio >= 100 else '  MISSED'}")
        print(f"  same answers    : {'yes' if agree else 'NO  MISSED'}; near copies found: {'yes' if found else 'NO'}")
    results.add("indexed look-up", f"{indexed_ms:.2f} ms ({candidates:,.0f} candidates read)")
    results.add("full scan (the check before)", f"{scan_ms:.2f} ms ({rows:,} rows read)")
    results.add("ratio scan / indexed", f"{ratio:.1f}", goal=">= 100", verdict="ok" if ratio >= 100 else "MISSED")
    results.add("same answers, near copies found", f"{'yes' if agree else 'no'}, {'yes' if found else 'no'}",
                goal="yes, yes", verdict="ok" if agree and found else "MISSED")  # fmt: skip
    results.write(args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
