"""Periodic tasks that run once per interval however many workers are running: `once_per_interval`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from huey.api import TaskWrapper
from huey.contrib.djhuey import HUEY, db_periodic_task

from nanobananas.core.models import PeriodicRun

__all__ = ["GUARDED_TASKS", "KEEP_CLAIMS", "LOOK_BACK", "due_time", "once_per_interval", "periodic_claim"]

Schedule = Callable[[datetime], bool]

# The longest interval of a periodic task is a day; a week covers it with room to spare.
LOOK_BACK = timedelta(days=7)
# Claims older than this are deleted when the task is next claimed: enough to see recent runs in the admin.
KEEP_CLAIMS = timedelta(days=8)
# The names (as huey registers them) of the tasks `once_per_interval` made: a test checks every periodic task is one.
GUARDED_TASKS: set[str] = set()


def due_time(schedule: Schedule, now: datetime) -> datetime:
    """The scheduled time of the interval `now` falls in: the last minute at or before `now` the schedule
    matches (the current minute when none did within LOOK_BACK). Every worker's scheduler enqueues the
    task for the same minute, and a run that starts late still belongs to that minute, not to the next."""
    minute = now.replace(second=0, microsecond=0)
    # huey checks a schedule against naive times, in UTC when the queue is configured with utc=True.
    zone = UTC if HUEY.utc else None
    for step in range(int(LOOK_BACK.total_seconds() // 60) + 1):
        candidate = minute - timedelta(minutes=step)
        if schedule(candidate.astimezone(zone).replace(tzinfo=None)):
            return candidate
    return minute


def periodic_claim(*, task: str, due_at: datetime) -> bool:
    """Claim the run of `task` scheduled at `due_at`; True for exactly one caller, whichever process it is in."""
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(task=task, due_at=due_at, claimed_at=timezone.now())
    except IntegrityError:
        return False
    PeriodicRun.objects.filter(task=task, due_at__lt=due_at - KEEP_CLAIMS).delete()
    return True


def once_per_interval(schedule: Schedule) -> Callable[[Callable[[], None]], TaskWrapper]:
    """`db_periodic_task(schedule)` that every worker's scheduler may enqueue, but only one worker runs
    for each scheduled time: the first to claim it in the database. A run that fails is not run again
    for that time (as with one worker); the next interval runs as usual."""

    def decorate(function: Callable[[], None]) -> TaskWrapper:
        name = f"{function.__module__}.{function.__name__}"

        @functools.wraps(function)
        def run_once() -> None:
            if periodic_claim(task=name, due_at=due_time(schedule, timezone.now())):
                function()

        task: TaskWrapper = db_periodic_task(schedule)(run_once)
        GUARDED_TASKS.add(name)
        return task

    return decorate
