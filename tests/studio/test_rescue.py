"""The rescue of lost jobs: several workers looking at once requeue each lost job once, and every worker's
watch looks by itself every few seconds."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone
from huey import SqliteHuey
from huey.api import Huey
from huey.contrib.djhuey import HUEY

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import jobs_rescue_stale
from nanobananas.studio.models import Job
from nanobananas.studio.rescue import RescueWatch, rescue_every
from nanobananas.studio.services import message_send

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.database]

WORKERS = 4


@pytest.fixture
def queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Huey]:
    """The project's huey instance on a real storage, so enqueued jobs wait there instead of running."""
    real = SqliteHuey(name="nanobananas-rescue-test", filename=str(tmp_path / "queue.sqlite3"))
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", real.storage)
    yield HUEY
    real.storage.flush_all()


def _lost_jobs(queue: Huey, *, running: int, queued: int) -> list[uuid.UUID]:
    """Jobs a dead worker left: `running` ones whose lease stopped, `queued` ones whose task was lost."""
    long_ago = timezone.now() - timedelta(minutes=10)
    ids = []
    for number in range(running + queued):
        owner = Owner(guest_id=guest_create().id)
        conversation = conversation_create(owner=owner)
        _, job = message_send(owner=owner, conversation_id=conversation.id, text=f"a poster {number}")
        assert job is not None
        if number < running:
            Job.objects.filter(id=job.id).update(status="running", attempts=1, heartbeat_at=long_ago)
        else:
            Job.objects.filter(id=job.id).update(queued_at=long_ago)
        ids.append(job.id)
    queue.storage.flush_queue()
    return ids


@pytest.mark.skipif(
    django_settings.TEST_DATABASE != "postgresql",
    reason="SQLite lets one writer in at a time; its in-memory test database fails the others instead of waiting",
)
@pytest.mark.parametrize(("running", "queued"), [(0, 12), (12, 0), (6, 6)])
def test_workers_looking_at_once_requeue_each_lost_job_once(queue: Huey, running: int, queued: int) -> None:
    lost = _lost_jobs(queue, running=running, queued=queued)
    start = threading.Barrier(WORKERS)
    found: list[list[uuid.UUID]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            found.append(jobs_rescue_stale())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(job for requeued in found for job in requeued) == sorted(lost)
    assert queue.pending_count() == len(lost)
    assert sorted(Job.objects.values_list("status", flat=True)) == ["queued"] * len(lost)


def test_the_watch_requeues_a_lost_job_by_itself_and_stops(queue: Huey) -> None:
    [job_id] = _lost_jobs(queue, running=1, queued=0)
    watch = RescueWatch(every=0.05).start()
    try:
        deadline = time.monotonic() + 30  # a bound against hanging, not a speed check
        while queue.pending_count() == 0:
            assert time.monotonic() < deadline, "the watch never requeued the lost job"
            time.sleep(0.05)
    finally:
        watch.stop()
    assert Job.objects.get(id=job_id).status == "queued"
    # Its clock restarted: the stopped watch and the next looks leave it be.
    assert jobs_rescue_stale() == []
    assert queue.pending_count() == 1


def test_the_watch_looks_ten_times_per_stale_timeout(settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "WORKER_STALE_SECONDS": 15}
    assert rescue_every() == 1.5
    settings.NANOBANANAS = {**settings.NANOBANANAS, "WORKER_STALE_SECONDS": 0}
    assert rescue_every() == 0.5
