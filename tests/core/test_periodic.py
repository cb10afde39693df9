"""Periodic tasks run once per scheduled time however many workers enqueue them."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connections
from django.utils.module_loading import autodiscover_modules
from huey import crontab
from huey.contrib.djhuey import HUEY

from nanobananas.accounts import tasks as account_tasks
from nanobananas.core.models import PeriodicRun
from nanobananas.core.periodic import GUARDED_TASKS, due_time, periodic_claim

# serialized_rollback: a plain transactional flush re-creates content types, which breaks the serialized
# rollback of the race tests that run after this file.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.database]

WORKERS = 3
HOURLY_AT_29 = datetime(2026, 3, 1, 10, 29, 5, tzinfo=UTC)  # purge_rate_windows runs at minute 29 of every hour


def test_every_periodic_task_is_guarded() -> None:
    autodiscover_modules("tasks")  # what the worker's `run_huey` does: every app's tasks are registered
    registry = HUEY._registry
    periodic = sorted(registry.task_to_string(task) for task in registry._periodic_tasks)
    assert periodic == sorted(GUARDED_TASKS)
    assert "nanobananas.privacy.tasks.run_cleanup" in periodic
    assert len(periodic) == 14


def _at(day: int, hour: int, minute: int, second: int = 0, microsecond: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, microsecond, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "now", "due"),
    [
        (crontab(minute="*/15"), _at(1, 10, 7, 30), _at(1, 10, 0)),
        (crontab(minute="*/15"), _at(1, 10, 15, 0, 500), _at(1, 10, 15)),
        (crontab(minute="*"), _at(1, 10, 7, 59), _at(1, 10, 7)),
        (crontab(minute="17", hour="3"), _at(1, 5, 0), _at(1, 3, 17)),
        (crontab(minute="17", hour="3"), _at(2, 2, 0), _at(1, 3, 17)),
        # Never within the week looked back: the current minute.
        (crontab(month="12", day="25"), _at(1, 2, 0, 9), _at(1, 2, 0)),
    ],
)
def test_a_run_belongs_to_the_last_scheduled_minute(schedule: object, now: datetime, due: datetime) -> None:
    assert due_time(schedule, now) == due  # type: ignore[arg-type]


def test_each_scheduled_time_is_claimed_once_and_old_claims_go() -> None:
    first = datetime(2026, 3, 1, 3, 17, tzinfo=UTC)
    assert periodic_claim(task="nightly", due_at=first) is True
    assert periodic_claim(task="nightly", due_at=first) is False
    assert periodic_claim(task="another", due_at=first) is True
    assert periodic_claim(task="nightly", due_at=first + timedelta(days=1)) is True
    assert PeriodicRun.objects.count() == 3
    assert periodic_claim(task="nightly", due_at=first + timedelta(days=9)) is True
    # Claims past eight days go, the other task's too only when that task is next claimed.
    assert sorted(PeriodicRun.objects.values_list("task", "due_at")) == [
        ("another", first),
        ("nightly", first + timedelta(days=1)),
        ("nightly", first + timedelta(days=9)),
    ]


def test_a_task_enqueued_by_every_worker_runs_once_per_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[datetime] = []
    monkeypatch.setattr(account_tasks, "rate_windows_purge", lambda: runs.append(HOURLY_AT_29))
    with time_machine.travel(HOURLY_AT_29, tick=False):
        for _ in range(WORKERS):
            account_tasks.purge_rate_windows.call_local()
    # A run that starts late (a busy queue) still belongs to 10:29.
    with time_machine.travel(HOURLY_AT_29 + timedelta(minutes=20), tick=False):
        account_tasks.purge_rate_windows.call_local()
    assert len(runs) == 1
    with time_machine.travel(HOURLY_AT_29 + timedelta(hours=1), tick=False):
        account_tasks.purge_rate_windows.call_local()
    assert len(runs) == 2
    assert sorted(PeriodicRun.objects.values_list("task", "due_at")) == [
        ("nanobananas.accounts.tasks.purge_rate_windows", datetime(2026, 3, 1, 10, 29, tzinfo=UTC)),
        ("nanobananas.accounts.tasks.purge_rate_windows", datetime(2026, 3, 1, 11, 29, tzinfo=UTC)),
    ]


@pytest.mark.skipif(
    django_settings.TEST_DATABASE != "postgresql",
    reason="SQLite lets one writer in at a time; its in-memory test database fails the others instead of waiting",
)
def test_three_workers_racing_run_the_task_once(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[str] = []
    monkeypatch.setattr(account_tasks, "rate_windows_purge", lambda: runs.append(threading.current_thread().name))
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            account_tasks.purge_rate_windows.call_local()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    with time_machine.travel(HOURLY_AT_29, tick=False):
        threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert len(runs) == 1
    assert PeriodicRun.objects.count() == 1
