"""Seven first changes at once (one per setting, no settings row yet): one row, no lost update, seven ledger rows.

Run with -m database on PostgreSQL too, where the requests really overlap.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection

from nanobananas.accounts.identity import Owner
from nanobananas.privacy.models import ConsentEvent, PrivacySettings
from nanobananas.privacy.selectors import SETTING_NAMES
from nanobananas.privacy.services import privacy_settings_update

# serialized_rollback: the flush after a transactional test would also remove the seeded plans and policies.
pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.database]

# The value that differs from each setting's default, so every request is a real change.
CHANGED = {name: not getattr(PrivacySettings(), name) for name in SETTING_NAMES}


def _update_waiting_for_the_lock(owner: Owner, name: str) -> str:
    """The suite's in-memory SQLite answers a busy writer with "table is locked" at once: wait here."""
    for _ in range(2000):
        try:
            privacy_settings_update(owner, **{name: CHANGED[name]})
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.005)
        else:
            return "ok"
    return "gave up waiting"


def test_simultaneous_first_changes_make_one_row_and_lose_nothing() -> None:
    account = get_user_model().objects.create_user(username="race", email="race@example.org", password="x" * 12)
    owner = Owner(user_id=account.pk)
    barrier = threading.Barrier(len(SETTING_NAMES))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(name: str) -> None:
        barrier.wait()
        try:
            outcome = _update_waiting_for_the_lock(owner, name)
        except Exception as exc:  # every outcome is collected and asserted below
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(name,)) for name in SETTING_NAMES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == ["ok"] * len(SETTING_NAMES)
    row = PrivacySettings.objects.get()
    assert {name: getattr(row, name) for name in SETTING_NAMES} == CHANGED
    ledger = sorted(ConsentEvent.objects.values_list("setting", "old_value", "new_value"))
    assert ledger == sorted((name, not value, value) for name, value in CHANGED.items())
