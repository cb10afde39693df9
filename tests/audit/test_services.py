"""The audit log: append-only in the ORM and the database, hash-chained, purged with checkpoints,
and free of content."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.audit.models import AppendOnly, AuditCheckpoint, AuditEvent
from nanobananas.audit.services import audit_purge, audit_record, audit_verify
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.services import message_send
from tests.live_server import server_environment

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _three() -> list[AuditEvent]:
    return [audit_record(kind="test.event", actor="system", target_type="thing", target_id=str(n)) for n in range(3)]


def test_events_chain_and_verify() -> None:
    first, second, third = _three()
    assert (first.id, second.id, third.id) == (1, 2, 3)
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit_verify().ok
    assert audit_verify().checked == 3


def test_the_orm_refuses_changes_and_deletes() -> None:
    event = _three()[0]
    event.kind = "forged"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(id=event.id).update(kind="forged")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 3


def test_the_database_refuses_a_raw_update() -> None:
    _three()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET kind = 'forged' WHERE id = 2")
    assert AuditEvent.objects.get(id=2).kind == "test.event"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the delete trigger is PostgreSQL's")
def test_postgresql_refuses_a_raw_delete_of_an_unsealed_event() -> None:
    _three()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = 2")
    assert AuditEvent.objects.count() == 3


def _bypass_triggers_and(statement: str) -> None:
    """What someone with raw database access could do: drop the guard, change a row."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_event_no_update")
        else:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(statement)


def test_verify_notices_an_edited_event() -> None:
    _three()
    _bypass_triggers_and("UPDATE audit_auditevent SET target_id = '99' WHERE id = 2")
    result = audit_verify()
    assert (result.ok, result.first_bad_id) == (False, 2)
    assert result.problem == "the event was changed after it was written"


def test_verify_notices_a_removed_event() -> None:
    _three()
    _bypass_triggers_and("DELETE FROM audit_auditevent WHERE id = 3")
    result = audit_verify()
    assert result.ok is False
    assert result.problem == "events at the end of the chain are missing"


def test_the_purge_leaves_a_checkpoint_and_the_rest_still_verifies(settings: object) -> None:
    with time_machine.travel(datetime(2023, 1, 1, tzinfo=UTC), tick=False):
        _three()
    with time_machine.travel(datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        audit_record(kind="test.recent", actor="system")
        removed = audit_purge()
    assert removed == 3
    assert list(AuditEvent.objects.values_list("id", flat=True)) == [4]
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.through_id == 3
    assert audit_verify().ok
    assert audit_verify().checked == 1


def test_details_that_would_hold_content_are_refused() -> None:
    with pytest.raises(ValueError, match="not prompt"):
        audit_record(kind="x", actor="system", details={"prompt": "a poster"})
    assert AuditEvent.objects.count() == 0


def test_a_generation_is_logged_without_its_prompt() -> None:
    owner = Owner(guest_id=guest_create().id)
    conversation = conversation_create(owner=owner)
    marker = "PROMPT-MARKER-5150"
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=f"a poster for {marker}")
    assert job is not None
    job_run(job_id=job.id)
    kinds = list(AuditEvent.objects.filter(target_id=str(job.id)).values_list("kind", flat=True))
    assert kinds == ["generation.requested", "generation.done"]
    done = AuditEvent.objects.get(kind="generation.done")
    assert done.owner_key == owner.key
    assert set(done.details) == {
        "provider", "model", "operation", "third_party", "plan_sha256", "image_sha256", "duration_ms", "review",
    }  # fmt: skip
    assert done.details["review"] == {"action": "allow", "categories": [], "checks": []}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent")
        rows = cursor.fetchall()
    assert marker not in repr(rows)
    assert audit_verify().ok


def test_cli_verify_and_search(tmp_path: Path) -> None:
    env = server_environment(tmp_path / "home")
    script = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='nanobananas.config.settings'; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from nanobananas.audit.services import audit_record;"
        "[audit_record(kind=k, actor='system', owner_key='g1') for k in ('generation.requested', 'hold.placed')]"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True)
    verify = subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert verify.returncode == 0, verify.stderr
    assert "2 event(s) verified" in verify.stdout
    search = subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", "audit", "search", "--kind", "generation", "--owner", "g1"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert search.returncode == 0, search.stderr
    assert [line.count('"kind": "generation.requested"') for line in search.stdout.splitlines()] == [1]
    bad = subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", "audit", "search", "--since", "last tuesday"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert "--since must be an ISO date" in bad.stderr
