"""Jobs travel through a real queue (SQLite huey and Redis huey) and survive a dead worker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.contrib.djhuey import HUEY

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import jobs_rescue_stale
from nanobananas.studio.models import Asset, Job
from nanobananas.studio.services import message_send
from tests.conftest import require_service

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.database]


@pytest.fixture(params=["sqlite-huey", "redis-huey"])
def queue(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Huey]:
    """The project's huey instance, switched from immediate mode onto a real storage."""
    if request.param == "redis-huey":
        require_service("Redis", settings.REDIS_URL)
        real: Huey = RedisHuey(name=f"nanobananas-test-{uuid.uuid4().hex}", url=settings.REDIS_URL)
    else:
        real = SqliteHuey(name="nanobananas-test", filename=str(tmp_path / "queue.sqlite3"))
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", real.storage)
    yield HUEY
    real.storage.flush_all()


def _work_one(queue: Huey) -> None:
    task = queue.dequeue()
    assert task is not None, "the queue was empty"
    queue.execute(task)


@pytest.fixture
def owner() -> Owner:
    return Owner(guest_id=guest_create().id)


def test_a_message_reaches_the_worker_through_the_queue(queue: Huey, owner: Owner) -> None:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster")
    assert queue.pending_count() == 1
    job.refresh_from_db()
    assert job.status == "queued"
    _work_one(queue)
    job.refresh_from_db()
    assert job.status == "done"
    assert Asset.objects.filter(job=job).count() == 1
    assert queue.pending_count() == 0


def test_a_job_left_running_by_a_killed_worker_is_picked_up_again(queue: Huey, owner: Owner) -> None:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster")
    # The worker took the task off the queue, started the job, and died: the queue is empty and
    # the row says running with a heartbeat that stopped.
    assert queue.dequeue() is not None
    dead_since = timezone.now() - timedelta(minutes=10)
    Job.objects.filter(id=job.id).update(status="running", attempts=1, started_at=dead_since, heartbeat_at=dead_since)
    assert queue.pending_count() == 0

    assert jobs_rescue_stale() == [job.id]
    assert queue.pending_count() == 1
    _work_one(queue)

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert Asset.objects.filter(conversation=conversation).count() == 1


def test_a_live_job_is_left_alone(queue: Huey, owner: Owner) -> None:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster")
    queue.dequeue()
    Job.objects.filter(id=job.id).update(status="running", heartbeat_at=timezone.now())
    assert jobs_rescue_stale() == []
    assert queue.pending_count() == 0
    job.refresh_from_db()
    assert job.status == "running"


def test_a_queued_job_whose_message_was_lost_is_enqueued_again(queue: Huey, owner: Owner) -> None:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster")
    queue.dequeue()
    Job.objects.filter(id=job.id).update(queued_at=timezone.now() - timedelta(minutes=10))
    assert jobs_rescue_stale() == [job.id]
    # Its clock restarted: the next sweep does not enqueue it a second time.
    assert jobs_rescue_stale() == []
    _work_one(queue)
    job.refresh_from_db()
    assert job.status == "done"


def test_a_duplicate_task_for_the_same_job_makes_no_second_image(queue: Huey, owner: Owner) -> None:
    from nanobananas.studio.tasks import run_job

    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster")
    run_job(str(job.id))
    assert queue.pending_count() == 2
    _work_one(queue)
    _work_one(queue)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)
    assert Asset.objects.filter(conversation=conversation).count() == 1
