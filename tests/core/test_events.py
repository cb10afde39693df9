"""Job change notices through Redis pub/sub (core/events.py), against the real Redis server."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from nanobananas.core import events
from tests import settings as test_settings
from tests.conftest import require_service


def _with(**values: Any) -> Any:
    return override_settings(NANOBANANAS={**settings.NANOBANANAS, **values})


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", test_settings.REDIS_URL)
    return test_settings.REDIS_URL


def _timed_wait(job_id: uuid.UUID, seconds: float, during: Any = None) -> float:
    """How long one wait for a notice about `job_id` took; `during` runs in a thread once subscribed."""

    async def run() -> float:
        async with events.job_changes(job_id) as wait:
            if during is not None:
                threading.Timer(0.2, during).start()
            started = time.monotonic()
            await wait(seconds)
            return time.monotonic() - started

    # A fresh thread has no event loop: the browser tests' Playwright may leave one running in the main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


@pytest.mark.django_db
def test_a_notice_from_another_thread_wakes_the_stream_at_once(redis_url: str) -> None:
    job_id = uuid.uuid4()
    with _with(REDIS_URL=redis_url, EVENTS_RECHECK_SECONDS=30):
        took = _timed_wait(job_id, 30, during=lambda: events.job_changed(job_id))
    assert 0.15 < took < 3


@pytest.mark.django_db
def test_a_notice_about_another_job_does_not_wake_it_and_the_recheck_bounds_the_wait(redis_url: str) -> None:
    job_id = uuid.uuid4()
    with _with(REDIS_URL=redis_url, EVENTS_RECHECK_SECONDS=1):
        took = _timed_wait(job_id, 30, during=lambda: events.job_changed(uuid.uuid4()))
    assert 0.9 < took < 3


def test_without_redis_a_stream_reads_its_job_every_tenth_of_a_second() -> None:
    with _with(REDIS_URL=None):
        took = _timed_wait(uuid.uuid4(), 30)
    # One poll period (0.1 s), not the 30 s asked for; the bound leaves room for a busy machine.
    assert took < 5


@pytest.mark.django_db
def test_an_unreachable_redis_costs_a_warning_and_the_stream_falls_back_to_reading(
    caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    job_id = uuid.uuid4()
    with _with(REDIS_URL="redis://127.0.0.1:1/0"), caplog.at_level(logging.WARNING, logger="nanobananas.core.events"):
        with django_capture_on_commit_callbacks(execute=True):
            events.job_changed(job_id)  # no exception: the notice is dropped and logged
        took = _timed_wait(job_id, 30)
    assert took < 5  # polls (0.1 s) instead of waiting 30 s for a notice that cannot come
    messages = [record.getMessage() for record in caplog.records]
    assert any("change notice not sent" in m for m in messages), messages
    assert any("reading the job every" in m for m in messages), messages


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_notice_inside_a_transaction_is_sent_only_when_it_commits(redis_url: str) -> None:
    from django.db import transaction

    job_id = uuid.uuid4()

    def rolled_back() -> None:
        try:
            with transaction.atomic():
                events.job_changed(job_id)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    with _with(REDIS_URL=redis_url, EVENTS_RECHECK_SECONDS=2):
        took = _timed_wait(job_id, 30, during=rolled_back)
    assert took > 1.8
