"""Migration 0005 marks the known images listed so far as hashed by the hand-written DCT ("dct-v1"); rows
made afterwards say "opencv-v2"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# serialized_rollback: a plain transactional flush re-creates content types, which breaks the serialized
# rollback of the race tests that run after this file.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.database]

BEFORE = [("moderation", "0004_review_item_reason_sha256")]
AFTER = [("moderation", "0005_known_image_hash_algorithm")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def test_rows_listed_before_say_dct_v1_and_new_rows_opencv_v2() -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    parts = dict.fromkeys([f"{kind}_{i}" for kind in ("phash", "dhash") for i in range(4)], 0)
    old.get_model("moderation", "KnownImage").objects.create(
        sha256="a" * 64, phash="0" * 16, dhash="0" * 16, category="hate", **parts
    )

    _migrate(AFTER)

    from nanobananas.moderation.models import KnownImage

    assert KnownImage.objects.get(sha256="a" * 64).hash_algorithm == "dct-v1"
    new = KnownImage.objects.create(sha256="b" * 64, phash="0" * 16, dhash="0" * 16, category="hate")
    new.refresh_from_db()
    assert new.hash_algorithm == "opencv-v2"
