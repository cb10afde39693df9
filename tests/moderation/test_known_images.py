"""The known-image look-up goes through indexes: the exact match by the pixel SHA-256, the near match by
the four pHash parts (pigeonhole on the Hamming distance), and it still finds every listed image within
the configured distance."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from nanobananas.accounts.identity import Owner
from nanobananas.moderation.checks import KnownImageCheck, known_image_candidates
from nanobananas.moderation.imagehash import fingerprint, hamming
from nanobananas.moderation.models import KnownImage, hash_parts
from nanobananas.moderation.services import known_image_add
from nanobananas.moderation.verdict import Action
from tests.moderation.conftest import encoded, picture

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _flip(value: int, bits: list[int]) -> int:
    for bit in bits:
        value ^= 1 << bit
    return value


def _list(phash: int, dhash: int, *, sha: str) -> KnownImage:
    return KnownImage.objects.create(sha256=sha, phash=f"{phash:016x}", dhash=f"{dhash:016x}", category="hate")


def test_hash_parts_are_the_four_16_bit_words_most_significant_first() -> None:
    assert hash_parts("0123456789abcdef") == (0x0123, 0x4567, 0x89AB, 0xCDEF)
    listed = _list(0xFFFF00000000FFFF, 0, sha="a" * 64)
    listed.refresh_from_db()
    assert (listed.phash_0, listed.phash_1, listed.phash_2, listed.phash_3) == (0xFFFF, 0, 0, 0xFFFF)
    assert (listed.dhash_0, listed.dhash_1, listed.dhash_2, listed.dhash_3) == (0, 0, 0, 0)


@settings(max_examples=60, deadline=None)
@given(
    base=st.integers(min_value=0, max_value=2**64 - 1),
    flips=st.lists(st.integers(min_value=0, max_value=63), unique=True, max_size=10),
)
def test_every_listed_hash_within_the_distance_is_a_candidate(base: int, flips: list[int]) -> None:
    """The pigeonhole bound holds for any spread of the differing bits (here all 10 in one part, too)."""
    KnownImage.objects.all().delete()
    near = _list(_flip(base, flips), _flip(~base & (2**64 - 1), flips[::2]), sha="b" * 64)
    found = known_image_candidates(f"{base:016x}", f"{~base & (2**64 - 1):016x}", distance=10)
    assert near.pk in [row[0] for row in found]


def test_a_hash_just_past_the_distance_in_every_part_is_not_fetched() -> None:
    """Three differing bits in each part (12 in all), of the pHash or of the dHash, are past the radius
    10 // 4 = 2 of every probe: such a row is not even read."""
    base = 0x0123456789ABCDEF
    spread = [0, 1, 2, 16, 17, 18, 32, 33, 34, 48, 49, 50]
    far = _list(_flip(base, spread), base, sha="c" * 64)
    far_dhash = _list(base, _flip(base, spread), sha="d" * 64)
    near = _list(_flip(base, spread[:-1]), _flip(base, spread[:-1]), sha="e" * 64)
    found = known_image_candidates(f"{base:016x}", f"{base:016x}", distance=10)
    assert [row[0] for row in found] == [near.pk]
    assert hamming(far.phash, f"{base:016x}") == hamming(far_dhash.dhash, f"{base:016x}") == 12


def test_the_check_finds_a_resized_copy_among_many_listed_images(guest_owner: Owner) -> None:
    original = picture(4)
    prints = fingerprint(original)
    rng = random.Random(7)
    for i in range(300):
        _list(rng.getrandbits(64), rng.getrandbits(64), sha=f"{i:064x}")
    known_image_add(data=encoded(original), category="sexual_minors", note="", added_by_id=None)
    listed = KnownImage.objects.get(sha256=prints.sha256)
    resized = original.resize((original.width // 2, original.height // 2))
    results = KnownImageCheck().review_image(resized, owner=guest_owner)
    assert [(r.category, r.action, r.rule.rsplit(":", 1)[0]) for r in results] == [
        ("sexual_minors", Action.BLOCK, f"known_image:{listed.pk}")
    ]


def _plan(cursor: Any, sql: str) -> str:
    """The database's plan for `sql`; PostgreSQL is told to avoid a sequential scan if it can, as it
    would prefer one on a table this small (with no usable index it still has to scan)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return " ".join(str(row[0]) for row in cursor.fetchall())
    cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
    return " ".join(str(row[-1]) for row in cursor.fetchall())


def test_the_check_reads_known_images_only_through_indexes(guest_owner: Owner) -> None:
    """No query of the check may scan the table: each must go through an index."""
    rng = random.Random(11)
    for i in range(50):
        _list(rng.getrandbits(64), rng.getrandbits(64), sha=f"{i:064x}")
    with CaptureQueriesContext(connection) as captured:
        assert KnownImageCheck().review_image(picture(5), owner=guest_owner) == []
    selects = [q["sql"] for q in captured.captured_queries if "moderation_knownimage" in q["sql"]]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in selects:
            assert " WHERE " in sql, sql  # a whole-index walk would pass a plan check, not this
            plan = _plan(cursor, sql)
            assert "SCAN moderation_knownimage" not in plan, (sql, plan)  # SQLite
            assert "Seq Scan on moderation_knownimage" not in plan, (sql, plan)  # PostgreSQL
            assert "INDEX" in plan.upper(), (sql, plan)
    assert len(selects) >= 5  # the exact look-up and at least one probe per pHash part


def _legacy(image_sha: str, phash: str, dhash: str) -> KnownImage:
    """A row listed before OpenCV's pHash: its hashes were made by the hand-written DCT ("dct-v1")."""
    return KnownImage.objects.create(
        sha256=image_sha, phash=phash, dhash=dhash, hash_algorithm=KnownImage.HashAlgorithm.DCT_V1, category="hate"
    )


def test_hashes_of_another_algorithm_are_never_compared(guest_owner: Owner) -> None:
    """A legacy row whose stored values happen to equal the picture's current hashes is not a near match:
    values of two algorithms mean different things. Its pixel SHA-256 still matches exactly."""
    original = picture(4)
    prints = fingerprint(original)
    legacy = _legacy("f" * 64, prints.phash, prints.dhash)

    assert known_image_candidates(prints.phash, prints.dhash, distance=10) == []
    assert known_image_candidates(prints.phash, prints.dhash, distance=10, algorithm="dct-v1") == [
        (legacy.pk, "hate", prints.phash, prints.dhash)
    ]
    assert KnownImageCheck().review_image(original, owner=guest_owner) == []

    KnownImage.objects.filter(pk=legacy.pk).update(sha256=prints.sha256)
    [exact] = KnownImageCheck().review_image(original, owner=guest_owner)
    assert exact.rule == f"known_image:{legacy.pk}:exact"


def test_new_rows_record_the_current_algorithm() -> None:
    known = known_image_add(data=encoded(picture(6)), category="hate", note="", added_by_id=None)
    known.refresh_from_db()
    assert known.hash_algorithm == "opencv-v2" == KnownImage.HashAlgorithm.OPENCV_V2


def test_listing_again_an_image_listed_under_the_old_algorithm_rehashes_it(guest_owner: Owner) -> None:
    from nanobananas.audit.models import AuditEvent
    from nanobananas.core.exceptions import Conflict

    original = picture(4)
    prints = fingerprint(original)
    legacy = _legacy(prints.sha256, "0123456789abcdef", "fedcba9876543210")
    resized = original.resize((original.width // 2, original.height // 2))
    assert KnownImageCheck().review_image(resized, owner=guest_owner) == []

    again = known_image_add(data=encoded(original), category="sexual_minors", note="again", added_by_id=None)

    assert again.pk == legacy.pk
    legacy.refresh_from_db()
    assert (legacy.phash, legacy.dhash, legacy.hash_algorithm) == (prints.phash, prints.dhash, "opencv-v2")
    assert (legacy.category, legacy.note) == ("hate", "")  # what staff listed it as stays
    assert KnownImage.objects.count() == 1
    event = AuditEvent.objects.get(kind="moderation.known_image_rehashed")
    assert (event.target_id, event.details) == (
        str(legacy.pk),
        {"sha256": prints.sha256, "hash_algorithm": "opencv-v2"},
    )
    [match] = KnownImageCheck().review_image(resized, owner=guest_owner)
    assert match.rule.startswith(f"known_image:{legacy.pk}:distance=")
    with pytest.raises(Conflict) as refused:
        known_image_add(data=encoded(original), category="hate", note="", added_by_id=None)
    assert refused.value.code == "already_listed"
    assert AuditEvent.objects.filter(kind__startswith="moderation.known_image").count() == 1
