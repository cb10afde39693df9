"""Twenty parallel requests at the limit never overshoot it (run with -m database on PostgreSQL too)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from nanobananas.accounts.exceptions import QuotaExceeded
from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Plan, QuotaUsage
from nanobananas.accounts.plans import PLAN_DEFAULTS
from nanobananas.accounts.selectors import quota_status
from nanobananas.accounts.services import guest_create, quota_consume

# serialized_rollback: the flush after a transactional test would also remove the seeded plans.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.database]

THREADS = 20


def _consume_waiting_for_the_lock(owner: Owner) -> str:
    """One request. The test suite's in-memory SQLite (shared cache) answers a busy writer with "table is
    locked" at once instead of waiting like the file database's busy_timeout does, so wait here."""
    for _ in range(2000):
        try:
            quota_consume(owner=owner)
        except QuotaExceeded:
            return "refused"
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.005)
        else:
            return "ok"
    return "gave up waiting"


def _race(owner: Owner) -> list[str]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        try:
            outcome = _consume_waiting_for_the_lock(owner)
        except Exception as exc:  # every outcome is collected and asserted below
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.mark.parametrize(("used_before", "limit"), [(0, 7), (45, 50)])
def test_twenty_parallel_consumers_at_the_limit_never_overshoot(used_before: int, limit: int) -> None:
    # update_or_create: a transactional test flushes the seeded rows.
    Plan.objects.update_or_create(
        code="guest", defaults={**PLAN_DEFAULTS["guest"], "daily_images": limit, "monthly_images": 1000}
    )
    owner = Owner(guest_id=guest_create().id)
    for _ in range(used_before):
        quota_consume(owner=owner)
    outcomes = _race(owner)
    left = limit - used_before
    assert outcomes == ["ok"] * left + ["refused"] * (THREADS - left)
    status = quota_status(owner=owner)
    assert (status.daily_used, status.monthly_used) == (limit, limit)
    assert QuotaUsage.objects.filter(owner_guest_id=owner.guest_id).count() == 2
