"""Rate limits on expensive endpoints: per owner and per address, fixed windows, refused requests not counted."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.test import Client, RequestFactory

from nanobananas.accounts.exceptions import RateLimited
from nanobananas.accounts.identity import Owner, request_rate_limit
from nanobananas.accounts.models import RateWindow
from nanobananas.accounts.ratelimits import RATE_LIMITS
from nanobananas.accounts.services import guest_create, rate_limit_hit, rate_windows_purge
from tests.accounts.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.database]

NOW = datetime.fromisoformat("2026-11-30T10:00:30+00:00")
GENERATE = RATE_LIMITS["generate"]


@time_machine.travel(NOW, tick=False)
def test_an_owner_gets_the_limit_then_a_429_until_the_window_ends() -> None:
    owner = Owner(guest_id=guest_create().id)
    for _ in range(GENERATE.per_owner):
        rate_limit_hit(scope="generate", owner=owner, address="10.0.0.1")
    with pytest.raises(RateLimited) as refused:
        rate_limit_hit(scope="generate", owner=owner, address="10.0.0.1")
    assert refused.value.status_code == 429
    assert refused.value.message == "Too many requests to make images in a short time. Try again at 10:01:00 UTC."
    assert refused.value.resets_at.isoformat() == "2026-11-30T10:01:00+00:00"
    # The refused request was not counted; another guest on the same address still gets through.
    assert sorted(RateWindow.objects.values_list("count", flat=True)) == [GENERATE.per_owner] * 2
    rate_limit_hit(scope="generate", owner=Owner(guest_id=guest_create().id), address="10.0.0.1")
    with time_machine.travel("2026-11-30T10:01:00+00:00", tick=False):
        rate_limit_hit(scope="generate", owner=owner, address="10.0.0.1")


@time_machine.travel(NOW, tick=False)
def test_one_address_is_limited_across_owners() -> None:
    for _ in range(GENERATE.per_address):
        rate_limit_hit(scope="generate", owner=Owner(guest_id=guest_create().id), address="192.0.2.1")
    with pytest.raises(RateLimited):
        rate_limit_hit(scope="generate", owner=Owner(guest_id=guest_create().id), address="192.0.2.1")
    rate_limit_hit(scope="generate", owner=None, address="192.0.2.2")


def test_request_rate_limit_uses_the_session_owner_and_remote_addr() -> None:
    request = RequestFactory().post("/api/v1/conversations", REMOTE_ADDR="203.0.113.9")
    request.session = {}  # type: ignore[assignment]
    with time_machine.travel(NOW, tick=False):
        request_rate_limit(request, scope="generate")
    assert list(RateWindow.objects.values_list("key", "count")) == [("generate:ip:203.0.113.9", 1)]


def test_old_counters_are_purged() -> None:
    with time_machine.travel("2026-11-28T10:00:00+00:00", tick=False):
        rate_limit_hit(scope="generate", owner=None, address="10.0.0.1")
    with time_machine.travel(NOW, tick=False):
        rate_limit_hit(scope="generate", owner=None, address="10.0.0.1")
        assert rate_windows_purge() == 1
    assert RateWindow.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_signups_from_one_address_are_limited() -> None:
    def attempt(number: int) -> int:
        form = {
            "email": f"p{number}@example.org",
            "username": f"person{number}",
            "display_name": "P",
            "password": PASSWORD,
            "birth_month": "1",
            "birth_year": "1980",
        }
        return Client(REMOTE_ADDR="198.51.100.4").post("/accounts/signup/", form).status_code

    limit = RATE_LIMITS["signup"].per_address
    assert [attempt(n) for n in range(limit + 1)] == [302] * limit + [429]
    from django.contrib.auth.models import User

    assert User.objects.count() == limit
