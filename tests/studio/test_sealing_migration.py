"""Migration 0005 seals what earlier versions stored in plain: an image's plan, op records and file
name, and a failed job's message; the plain columns are gone afterwards."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from nanobananas.vault.sealing import PREFIX

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.database]

BEFORE = [("studio", "0004_asset_sent")]
AFTER = [("studio", "0005_sealed_plans")]
MARKER = "MIGRATEMARK-6610"


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def back_to_latest():
    """Later migrations add columns the models read; every test leaves the schema at the newest state."""
    yield
    _migrate_to_latest()


def test_rows_stored_in_plain_are_sealed_in_place(back_to_latest) -> None:
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    guest = old.get_model("accounts", "Guest").objects.create(id=uuid.uuid4())
    now = timezone.now()
    conversation = old.get_model("studio", "Conversation").objects.create(
        owner_guest_id=guest.id, expires_at=now + timedelta(days=1)
    )
    message = old.get_model("studio", "Message").objects.create(
        conversation=conversation, role="user", sealed_text="", expires_at=now + timedelta(days=1)
    )
    job = old.get_model("studio", "Job").objects.create(
        conversation=conversation, number=1, request=message, queued_at=now, status="failed",
        error_message=f"not a colour: '{MARKER}'",
    )  # fmt: skip
    asset = old.get_model("studio", "Asset").objects.create(
        conversation=conversation, message=message, kind="result", number=1, operation="edit",
        plan={"steps": [{"op": "add_text", "params": {"text": MARKER}}]},
        steps=[{"op": "add_text", "params": {"text": MARKER}}], original_name=f"{MARKER}.png",
        blob_name=f"results/g{guest.id}/x.png", content_type="image/png", width=1, height=1, byte_size=1,
        sha256="0" * 64, created_at=now, expires_at=now + timedelta(days=1), owner_guest_id=guest.id,
    )  # fmt: skip

    _migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM studio_asset")
        assets = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM studio_job")
        jobs = repr(cursor.fetchall())
    assert MARKER not in assets + jobs

    _migrate_to_latest()
    from nanobananas.studio.models import Asset, Job

    sealed = Asset.objects.get(id=asset.id)
    assert sealed.sealed_plan.startswith(PREFIX)
    assert sealed.plan == {"steps": [{"op": "add_text", "params": {"text": MARKER}}]}
    assert sealed.steps == [{"op": "add_text", "params": {"text": MARKER}}]
    assert sealed.original_name == f"{MARKER}.png"
    assert Job.objects.select_related("conversation").get(id=job.id).error_message == f"not a colour: '{MARKER}'"
