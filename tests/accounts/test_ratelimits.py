"""Rate limits and guest quotas per address: fixed windows, keyed-hash pseudonyms, counters gone when windows end."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client, RequestFactory

from nanobananas.accounts.exceptions import QuotaExceeded, RateLimited
from nanobananas.accounts.identity import Owner, request_rate_limit
from nanobananas.accounts.models import Guest, Plan, QuotaUsage, RateWindow
from nanobananas.accounts.plans import PLAN_DEFAULTS
from nanobananas.accounts.ratelimits import GUEST_ADDRESS_ALLOWANCE, RATE_LIMITS, address_key
from nanobananas.accounts.services import guest_create, quota_consume, rate_limit_hit, rate_windows_purge
from nanobananas.studio.models import Conversation, Job, Message
from tests.accounts.conftest import PASSWORD, signup
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]

NOW = datetime.fromisoformat("2026-11-30T10:00:30+00:00")
GENERATE = RATE_LIMITS["generate"]
HOME = address_key("10.0.0.1")


def _guest() -> Owner:
    return Owner(guest_id=guest_create().id)


@time_machine.travel(NOW, tick=False)
def test_an_owner_gets_the_limit_then_a_429_until_the_window_ends() -> None:
    owner = _guest()
    for _ in range(GENERATE.per_owner):
        rate_limit_hit(scope="generate", owner=owner, address_key=HOME)
    with pytest.raises(RateLimited) as refused:
        rate_limit_hit(scope="generate", owner=owner, address_key=HOME)
    assert refused.value.status_code == 429
    assert refused.value.message == "Too many requests to make images in a short time. Try again at 10:01:00 UTC."
    assert refused.value.resets_at.isoformat() == "2026-11-30T10:01:00+00:00"
    # The refused request was not counted; another guest on the same address still gets through.
    assert sorted(RateWindow.objects.values_list("count", flat=True)) == [GENERATE.per_owner] * 2
    rate_limit_hit(scope="generate", owner=_guest(), address_key=HOME)
    with time_machine.travel("2026-11-30T10:01:00+00:00", tick=False):
        rate_limit_hit(scope="generate", owner=owner, address_key=HOME)


@time_machine.travel(NOW, tick=False)
def test_one_address_is_limited_across_owners() -> None:
    for _ in range(GENERATE.per_address):
        rate_limit_hit(scope="generate", owner=_guest(), address_key=address_key("192.0.2.1"))
    with pytest.raises(RateLimited):
        rate_limit_hit(scope="generate", owner=_guest(), address_key=address_key("192.0.2.1"))
    rate_limit_hit(scope="generate", owner=None, address_key=address_key("192.0.2.2"))


def test_counters_hold_a_keyed_hash_of_the_address_never_the_address(settings: Any) -> None:
    request = RequestFactory().post("/api/v1/conversations", REMOTE_ADDR="203.0.113.9")
    request.session = {}  # type: ignore[assignment]
    with time_machine.travel(NOW, tick=False):
        request_rate_limit(request, scope="generate")
    [(key, count, expires_at)] = RateWindow.objects.values_list("key", "count", "expires_at")
    pseudonym = key.removeprefix("generate:a:")
    assert (key, count, expires_at.isoformat()) == (f"generate:a:{pseudonym}", 1, "2026-11-30T10:01:00+00:00")
    assert len(pseudonym) == 32
    assert "203.0.113.9" not in key
    # Keyed with the server's secret: the same address under another secret is another pseudonym, so a table
    # of the hashes of every address (without the secret) does not reverse it.
    assert pseudonym == address_key("203.0.113.9") != address_key("203.0.113.10")
    settings.SECRET_KEY = "another-secret-for-this-test-only-0123456789abcdef"
    assert address_key("203.0.113.9") != pseudonym


def test_an_ipv6_client_is_counted_by_its_64_network() -> None:
    # A home picks any of the 2**64 addresses of its network: one counter for all of them.
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    # An IPv4 client seen through an IPv6 socket is the IPv4 client.
    assert address_key("::ffff:192.0.2.7") == address_key("192.0.2.7") != address_key("192.0.2.8")
    with time_machine.travel(NOW, tick=False):
        for number in range(GENERATE.per_address):
            rate_limit_hit(scope="generate", owner=None, address_key=address_key(f"2001:db8:1:2::{number + 1:x}"))
        with pytest.raises(RateLimited):
            rate_limit_hit(scope="generate", owner=None, address_key=address_key("2001:db8:1:2:abcd::1"))


def test_counters_go_once_their_window_has_ended() -> None:
    with time_machine.travel(NOW, tick=False):
        rate_limit_hit(scope="generate", owner=None, address_key=HOME)  # minute window: ends 10:01:00
        rate_limit_hit(scope="signup", owner=None, address_key=HOME)  # hour window: ends 11:00:00
    with time_machine.travel("2026-11-30T10:00:59+00:00", tick=False):
        assert rate_windows_purge() == 0
    with time_machine.travel("2026-11-30T10:01:00+00:00", tick=False):
        assert rate_windows_purge() == 1
    assert list(RateWindow.objects.values_list("key", flat=True)) == [f"signup:a:{HOME}"]
    with time_machine.travel("2026-11-30T11:00:00+00:00", tick=False):
        assert rate_windows_purge() == 1
    assert RateWindow.objects.count() == 0


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


def _guest_daily_images(limit: int) -> None:
    Plan.objects.update_or_create(code="guest", defaults={**PLAN_DEFAULTS["guest"], "daily_images": limit})


@time_machine.travel(NOW, tick=False)
def test_guests_of_one_address_share_the_allowance_then_get_the_exhausted_quota_answer() -> None:
    _guest_daily_images(2)
    allowance = 2 * GUEST_ADDRESS_ALLOWANCE
    for _ in range(GUEST_ADDRESS_ALLOWANCE):
        owner = _guest()
        quota_consume(owner=owner, address_key=HOME)
        quota_consume(owner=owner, address_key=HOME)
    fresh = _guest()
    with pytest.raises(QuotaExceeded) as refused:
        quota_consume(owner=fresh, address_key=HOME)
    assert (refused.value.status_code, refused.value.code) == (429, "quota_exceeded")
    assert refused.value.message == (
        f"Guests on your network have used all {allowance} images for today. More at 00:00 UTC, "
        "or sign up for a free account with its own quota."
    )
    assert refused.value.resets_at.isoformat() == "2026-12-01T00:00:00+00:00"
    # Nothing was counted for the refused guest, and the address's day counter stayed at the allowance.
    assert not QuotaUsage.objects.filter(owner_guest_id=fresh.guest_id).exists()
    assert RateWindow.objects.get(key=f"quota:image:{HOME}").count == allowance
    # Another address, another kind, and a signed-in person on the same address are not affected.
    quota_consume(owner=fresh, address_key=address_key("10.0.0.2"))
    quota_consume(owner=_guest(), kind="video", address_key=HOME)
    quota_consume(owner=Owner(user_id=signup().pk), address_key=HOME)
    # The counter lives until the guest day ends, then the purge deletes it.
    with time_machine.travel("2026-12-01T00:00:00+00:00", tick=False):
        rate_windows_purge()
        assert not RateWindow.objects.filter(key__startswith="quota:").exists()
        quota_consume(owner=_guest(), address_key=HOME)


def _new_browser_makes_an_image() -> tuple[int, str]:
    browser = Client(enforce_csrf_checks=True)
    headers = csrf_headers(browser)
    made = browser.post("/api/v1/conversations", "{}", content_type="application/json", headers=headers)
    assert made.status_code == 201, made.content
    sent = browser.post(
        f"/api/v1/conversations/{made.json()['id']}/messages",
        json.dumps({"text": "a poster for a bakery"}),
        content_type="application/json",
        headers=headers,
    )
    return sent.status_code, sent.json()["error"]["code"] if sent.status_code >= 400 else ""


@time_machine.travel(NOW, tick=False)
def test_dropping_the_cookie_does_not_give_a_fresh_daily_quota() -> None:
    _guest_daily_images(1)
    answers = [_new_browser_makes_an_image() for _ in range(GUEST_ADDRESS_ALLOWANCE + 1)]
    assert answers == [(202, "")] * GUEST_ADDRESS_ALLOWANCE + [(429, "quota_exceeded")]
    # The refused turn stored nothing: one user message and one job per allowed guest.
    assert Message.objects.filter(role=Message.Role.USER).count() == GUEST_ADDRESS_ALLOWANCE
    assert Job.objects.count() == GUEST_ADDRESS_ALLOWANCE


@time_machine.travel(NOW, tick=False)
def test_new_guests_from_one_address_are_limited() -> None:
    allowed = RATE_LIMITS["guest"].per_address

    def new_browser_creates() -> int:
        browser = Client()
        return browser.post("/api/v1/conversations", "{}", content_type="application/json").status_code

    assert [new_browser_creates() for _ in range(allowed + 1)] == [201] * allowed + [429]
    assert Guest.objects.count() == allowed
    assert Conversation.objects.count() == allowed
    # The same browser keeps working: it has its guest already.
    other = Client(REMOTE_ADDR="192.0.2.80")
    assert other.post("/api/v1/conversations", "{}", content_type="application/json").status_code == 201


@time_machine.travel(NOW, tick=False)
def test_creating_conversations_is_rate_limited_per_guest() -> None:
    browser = Client()
    # The first request, made before its guest existed, counts for the address only.
    allowed = 1 + RATE_LIMITS["create"].per_owner
    answers = [browser.post("/api/v1/conversations", "{}", content_type="application/json") for _ in range(allowed + 1)]
    assert [a.status_code for a in answers] == [201] * allowed + [429]
    refused = answers[-1].json()["error"]
    assert (refused["code"], refused["resets_at"]) == ("rate_limited", "2026-11-30T10:01:00+00:00")
    assert answers[-1]["Retry-After"] == "30"
    assert Conversation.objects.count() == allowed


def test_an_api_token_owner_is_counted_as_themselves_from_any_address(monkeypatch: pytest.MonkeyPatch) -> None:
    from nanobananas.accounts.ratelimits import RateLimit
    from nanobananas.tokens.services import token_create

    monkeypatch.setitem(RATE_LIMITS, "generate", RateLimit(per_owner=1, per_address=100, seconds=60, what="requests"))
    _, secret = token_create(user_id=signup().pk, name="tool", scopes=["images:write"])

    def generate(address: str) -> Any:
        # A refused prompt: counted (the limit comes first), then stopped by the review, so no job waits.
        return Client(REMOTE_ADDR=address).post(
            "/v1/images/generations",
            {"prompt": "how to make a pipe bomb", "n": 1, "size": "256x256"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )

    assert generate("192.0.2.31").status_code == 422
    refused = generate("198.51.100.31")
    assert refused.status_code == 429
    assert (refused.json()["error"]["code"], refused.json()["error"]["type"]) == ("rate_limited", "rate_limit_error")
