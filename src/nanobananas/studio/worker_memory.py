"""A worker process's memory bound: large jobs one at a time, and a fresh process after one that left it big."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from huey.api import Task

from nanobananas.engine.streaming import release_memory
from nanobananas.studio.models import Asset, Job

__all__ = ["LARGE_JOB_PIXELS", "WorkerMemory", "job_pixels", "resident_bytes"]

logger = logging.getLogger(__name__)

# A job that may load a picture this big holds the process's one large-job slot: a 49 MP edit
# needs several full copies (decode, working array, result), and two at once would pass 1 GB.
LARGE_JOB_PIXELS = 16_000_000


def job_pixels(job_id: uuid.UUID) -> int:
    """The largest picture in the job's conversation: what the job may load (0 for an unknown job)."""
    conversation = Job.objects.filter(id=job_id).values("conversation_id")[:1]
    sizes = Asset.objects.filter(conversation_id__in=conversation).values_list("width", "height")
    return max((width * height for width, height in sizes), default=0)


def resident_bytes() -> int | None:
    """This process's resident memory now (Linux /proc), or None where that cannot be read."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


class WorkerMemory:
    """Huey hooks for the studio's run_job task: `before` takes the large-job slot for a large job,
    `after` gives freed memory back, releases the slot and calls `recycle` when the process stays
    above `recycle_bytes` (the worker command then replaces the process with a fresh one)."""

    def __init__(self, *, task_class: type[Task], recycle_bytes: int, recycle: Callable[[], None]) -> None:
        self.task_class = task_class
        self.recycle_bytes = recycle_bytes
        self.recycle = recycle
        self._slot = threading.Lock()
        self._holding = threading.local()

    def before(self, task: Task) -> None:
        if not isinstance(task, self.task_class) or not task.args:
            return
        if job_pixels(uuid.UUID(str(task.args[0]))) > LARGE_JOB_PIXELS:
            self._slot.acquire()
            self._holding.slot = True

    def after(self, task: Task, value: object, exc: BaseException | None) -> None:
        if not getattr(self._holding, "slot", False):
            return
        self._holding.slot = False
        release_memory()
        resident = resident_bytes()
        self._slot.release()
        if resident is not None and resident > self.recycle_bytes:
            logger.info("worker holds %d MB after a large job: starting a fresh process", resident // 2**20)
            self.recycle()
