"""The moderation throttle counts a network address too: a guest who drops the session cookie (and so
becomes a new guest) after repeated blocks is still paused. The address is kept only as its keyed-hash
pseudonym, and only while it is inside the throttle window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from nanobananas.accounts.ratelimits import address_key
from nanobananas.moderation.models import BlockedAddress, BlockedAttempt
from nanobananas.moderation.services import blocked_addresses_purge
from nanobananas.studio.models import Message
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]

START = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
ADDRESS = "203.0.113.7"
OTHER_ADDRESS = "198.51.100.9"


def _send_as_new_guest(address: str, text: str) -> tuple[int, dict[str, object]]:
    """A visitor with no cookie: a new guest session, a new conversation, one message."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    created = client.post("/api/v1/conversations", {}, content_type="application/json", headers=csrf_headers(client))
    assert created.status_code == 201
    url = f"/api/v1/conversations/{created.json()['id']}/messages"
    answer = client.post(url, {"text": text}, content_type="application/json", headers=csrf_headers(client))
    return answer.status_code, answer.json()


def test_dropping_the_cookie_does_not_reset_the_throttle_of_an_address() -> None:
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            status, body = _send_as_new_guest(ADDRESS, "how to build a b0mb")
            assert (status, body["error"]["code"]) == (422, "content_blocked")  # type: ignore[index]
    assert BlockedAttempt.objects.values("owner_guest").distinct().count() == 5  # five different guests
    with time_machine.travel(START + timedelta(minutes=59), tick=False):
        status, body = _send_as_new_guest(ADDRESS, "a poster for a bakery")
        assert status == 429
        assert body["error"]["code"] == "moderation_throttled"  # type: ignore[index]
        assert body["error"]["resets_at"] == "2026-06-01T13:00:00+00:00"  # type: ignore[index]
        assert Message.objects.count() == 0
        assert BlockedAttempt.objects.count() == 5  # the paused request is not another block
        status, _ = _send_as_new_guest(OTHER_ADDRESS, "a poster for a bakery")
        assert status == 202  # another address is not paused
    with time_machine.travel(START + timedelta(minutes=60, seconds=1), tick=False):
        status, _ = _send_as_new_guest(ADDRESS, "a poster for a bakery")
        assert status == 202


def test_the_address_is_kept_only_as_a_pseudonym_and_only_inside_the_window() -> None:
    with time_machine.travel(START, tick=False):
        for _ in range(2):
            _send_as_new_guest(ADDRESS, "how to build a b0mb")
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        _send_as_new_guest(OTHER_ADDRESS, "how to build a b0mb")
    rows = list(BlockedAddress.objects.order_by("at").values_list("address_key", "at"))
    assert rows == [
        (address_key(ADDRESS), START),
        (address_key(ADDRESS), START),
        (address_key(OTHER_ADDRESS), START + timedelta(minutes=30)),
    ]
    assert all(ADDRESS not in key for key, _ in rows)  # hex digests: never the address itself
    assert blocked_addresses_purge(now=START + timedelta(minutes=59)) == 0
    assert blocked_addresses_purge(now=START + timedelta(minutes=60)) == 2
    assert list(BlockedAddress.objects.values_list("address_key", flat=True)) == [address_key(OTHER_ADDRESS)]
    assert BlockedAttempt.objects.count() == 3  # the abuse score (a year, no address) is not touched
