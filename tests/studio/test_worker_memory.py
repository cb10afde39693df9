"""A worker's memory bound (studio/worker_memory.py): large jobs one at a time, a fresh process after one."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from nanobananas.accounts.models import Guest
from nanobananas.studio.models import Asset, Conversation, Job, Message
from nanobananas.studio.tasks import run_job
from nanobananas.studio.worker_memory import LARGE_JOB_PIXELS, WorkerMemory, job_pixels, resident_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _job_with_picture(width: int, height: int) -> Job:
    expires = timezone.now() + timedelta(days=1)
    guest = Guest.objects.create()
    conversation = Conversation.objects.create(owner_guest_id=guest.id, expires_at=expires)
    message = Message.objects.create(conversation=conversation, role="user", expires_at=expires)
    Asset.objects.create(
        conversation=conversation, message=message, kind=Asset.Kind.UPLOAD, number=1, operation=Asset.Operation.UPLOAD,
        blob_name=f"uploads/{uuid.uuid4()}.png", content_type="image/png", width=width, height=height, byte_size=1,
        sha256="0" * 64, created_at=timezone.now(), expires_at=expires, owner_guest_id=conversation.owner_guest_id,
    )  # fmt: skip
    return Job.objects.create(conversation=conversation, number=1, request=message, queued_at=timezone.now())


def test_job_pixels_is_the_largest_picture_of_the_conversation() -> None:
    job = _job_with_picture(7000, 7000)
    assert job_pixels(job.id) == 49_000_000
    assert job_pixels(uuid.uuid4()) == 0


def test_resident_memory_is_read_from_proc() -> None:
    resident = resident_bytes()
    assert resident is not None
    assert 10 * 2**20 < resident < 10 * 2**30


class _Recorder:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


def test_a_large_job_holds_the_slot_and_recycles_a_big_process() -> None:
    recycle = _Recorder()
    memory = WorkerMemory(task_class=run_job.task_class, recycle_bytes=1, recycle=recycle)
    large = run_job.s(str(_job_with_picture(7000, 7000).id))
    memory.before(large)
    # A second large job in another thread waits for the slot.
    other: dict[str, Any] = {}
    waiter = threading.Thread(target=lambda: other.update(got=memory._slot.acquire(timeout=0.05)))
    waiter.start()
    waiter.join()
    assert other["got"] is False
    memory.after(large, None, None)
    assert recycle.calls == 1
    assert memory._slot.acquire(timeout=0)
    memory._slot.release()


def test_a_large_job_that_leaves_the_process_small_does_not_recycle() -> None:
    recycle = _Recorder()
    memory = WorkerMemory(task_class=run_job.task_class, recycle_bytes=100 * 2**30, recycle=recycle)
    large = run_job.s(str(_job_with_picture(7000, 7000).id))
    memory.before(large)
    memory.after(large, None, None)
    assert recycle.calls == 0


def test_small_jobs_and_other_tasks_neither_wait_nor_recycle() -> None:
    recycle = _Recorder()
    memory = WorkerMemory(task_class=run_job.task_class, recycle_bytes=1, recycle=recycle)
    side = int(LARGE_JOB_PIXELS**0.5)
    small = run_job.s(str(_job_with_picture(side, side).id))
    with memory._slot:  # a large job is running elsewhere
        memory.before(small)
        memory.after(small, None, None)
    from nanobananas.privacy.tasks import run_integrity_check

    periodic = run_integrity_check.s()
    memory.before(periodic)
    memory.after(periodic, None, None)
    assert recycle.calls == 0
