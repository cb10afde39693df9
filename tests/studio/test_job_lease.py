"""A running job keeps its lease through slow provider calls; only an expired lease is rescued, and a run
that lost its job stores nothing, records nothing and charges nothing."""

from __future__ import annotations

import hashlib
import io
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from huey.api import Huey
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import QuotaUsage
from nanobananas.accounts.services import guest_create
from nanobananas.audit.models import AuditEvent
from nanobananas.providers.base import GeneratedImage, ProviderError
from nanobananas.providers.fake import FakeProvider
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run, jobs_rescue_stale
from nanobananas.studio.models import Asset, Job, Message
from nanobananas.studio.services import message_send
from tests.conftest import blob_root

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.database]

STALE_SECONDS = 2
MID_CALL: list[Callable[[], None]] = []
"""What happens while the next provider call is in progress (another worker's doing), run once."""


class MidCallProvider(FakeProvider):
    """The fake provider, with the rest of the world acting during its call (then it answers as usual,
    or fails when the prompt says "fail")."""

    def generate(self, **kwargs: Any) -> GeneratedImage:
        if MID_CALL:
            MID_CALL.pop(0)()
        return super().generate(**kwargs)


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> Huey:
    """A real (in-memory) queue instead of immediate mode: a requeued job waits there, as in production."""
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", MemoryStorage("nanobananas-lease-test"))
    return HUEY


@pytest.fixture(autouse=True)
def mid_call_provider(settings: Any) -> Iterator[None]:
    settings.AI_PROVIDERS = {
        **settings.AI_PROVIDERS,
        "fake": {"BACKEND": f"{__name__}.MidCallProvider", "OPTIONS": {"fail_words": ["fail"]}},
    }
    settings.NANOBANANAS = {**settings.NANOBANANAS, "WORKER_STALE_SECONDS": STALE_SECONDS}
    MID_CALL.clear()
    yield
    MID_CALL.clear()


@pytest.fixture
def owner() -> Owner:
    return Owner(guest_id=guest_create().id)


def _queued_job(owner: Owner, queue: Huey, text: str = "a poster") -> Job:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=text)
    # A worker takes the task off the queue; the test then runs it.
    assert queue.dequeue() is not None
    assert queue.pending_count() == 0
    assert job is not None
    return job


def _quota_used(owner: Owner) -> list[int]:
    return sorted(QuotaUsage.objects.filter(owner_guest_id=owner.guest_id).values_list("used", flat=True))


def _audited(job_id: uuid.UUID) -> list[str]:
    return sorted(AuditEvent.objects.filter(target_type="job", target_id=str(job_id)).values_list("kind", flat=True))


def _stored_files() -> list[str]:
    return sorted(str(p.relative_to(blob_root())) for p in blob_root().rglob("*") if p.is_file())


def test_a_provider_call_longer_than_the_stale_timeout_keeps_the_job_and_the_rescue_leaves_it(
    owner: Owner, queue: Huey
) -> None:
    job = _queued_job(owner, queue)
    seen: dict[str, Any] = {}

    def another_worker_checks_for_stale_jobs() -> None:
        def beat() -> datetime:
            at = Job.objects.values_list("heartbeat_at", flat=True).get(id=job.id)
            assert at is not None
            return at

        beat_before = beat()
        # The call outlasts the stale timeout; meanwhile no progress step is written.
        time.sleep(STALE_SECONDS * 1.5)
        seen["renewed"] = beat() > beat_before
        seen["rescued"] = jobs_rescue_stale()
        seen["job"] = Job.objects.values("status", "attempts", "stage").get(id=job.id)
        seen["pending"] = queue.pending_count()

    MID_CALL.append(another_worker_checks_for_stale_jobs)
    job_run(job_id=job.id)

    assert seen["renewed"] is True
    assert seen["rescued"] == []
    assert seen["job"] == {"status": "running", "attempts": 1, "stage": "Starting"}
    assert seen["pending"] == 0
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == ("done", 1, 100)
    assert Asset.objects.filter(job=job).count() == 1
    assert queue.pending_count() == 0


def test_a_job_whose_lease_expired_is_requeued(owner: Owner, queue: Huey) -> None:
    job = _queued_job(owner, queue)
    # Its worker claimed it and was killed: nothing renews the lease any more.
    gone_since = timezone.now() - timedelta(seconds=STALE_SECONDS + 1)
    Job.objects.filter(id=job.id).update(status="running", attempts=1, started_at=gone_since, heartbeat_at=gone_since)

    assert jobs_rescue_stale() == [job.id]

    job.refresh_from_db()
    assert (job.status, job.attempts, job.stage) == ("queued", 1, "Waiting in line (retrying)")
    assert queue.pending_count() == 1
    queue.execute(queue.dequeue())
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert Asset.objects.filter(job=job).count() == 1


def _taken_over_by_another_worker(job_id: uuid.UUID, queue: Huey) -> Callable[[], None]:
    """The first run stalls past its lease (the rescue treats it as gone) and a second worker takes the
    requeued job and runs it to the end, all while the first run is still inside its provider call."""

    def take_over() -> None:
        assert jobs_rescue_stale(stale_after=timedelta(0)) == [job_id]
        queue.execute(queue.dequeue())

    return take_over


def test_a_run_that_lost_its_job_stores_no_second_result_and_charges_nothing(owner: Owner, queue: Huey) -> None:
    job = _queued_job(owner, queue)
    assert _quota_used(owner) == [1, 1]
    MID_CALL.append(_taken_over_by_another_worker(job.id, queue))

    job_run(job_id=job.id)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress, job.stage) == ("done", 2, 100, "Done")
    [asset] = Asset.objects.filter(conversation_id=job.conversation_id)
    # The stored bytes are the second run's, whole: the first run neither overwrote nor deleted them.
    assert _stored_files() == [asset.blob_name]
    with default_storage.open(asset.blob_name, "rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == asset.sha256
    assert Image.open(io.BytesIO(data)).size == (asset.width, asset.height)
    assert (asset.number, asset.job_id, asset.blob_name) == (1, job.id, f"assets/{owner.key}/{job.id}-2.png")
    replies = list(Message.objects.filter(conversation_id=job.conversation_id, role="assistant"))
    assert [reply.text for reply in replies] == ["Here is your design. (version 1)"]
    assert job.result_id == replies[0].id
    assert _audited(job.id) == ["generation.done", "generation.requested"]
    assert _quota_used(owner) == [1, 1]
    assert queue.pending_count() == 0


def test_a_run_that_lost_its_job_and_then_failed_records_no_failure(owner: Owner, queue: Huey) -> None:
    job = _queued_job(owner, queue, text="a poster")
    done_by_the_other_worker: dict[str, Any] = {}

    def take_over_then_fail() -> None:
        _taken_over_by_another_worker(job.id, queue)()
        done_by_the_other_worker.update(Job.objects.values("status", "attempts").get(id=job.id))
        raise ProviderError("the image service went away", retryable=True)

    MID_CALL.append(take_over_then_fail)
    job_run(job_id=job.id)

    assert done_by_the_other_worker == {"status": "done", "attempts": 2}
    job.refresh_from_db()
    assert (job.status, job.error_code, job.error_message) == ("done", "", "")
    assert _audited(job.id) == ["generation.done", "generation.requested"]
    assert Asset.objects.filter(job=job).count() == 1
