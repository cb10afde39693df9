"""One age gate for every caller of `account_signup`: the page, the API, and a direct call (a command, a future
sign-in provider) are refused the same way, in the same order: retry block, age, rate limit, fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client, TestCase

from nanobananas.accounts.age import RETRY_COOKIE
from nanobananas.accounts.exceptions import SIGNUP_CLOSED, RateLimited, SignupUnavailable
from nanobananas.accounts.models import Profile, RateWindow
from nanobananas.accounts.ratelimits import RATE_LIMITS
from nanobananas.accounts.services import account_signup
from nanobananas.core.exceptions import InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.database]

NOW = "2026-11-30 12:00:00+00:00"
PASSWORD = "correct horse battery"


def _fields(username: str, month: int, year: int) -> dict[str, Any]:
    return {
        "email": f"{username}@example.org",
        "username": username,
        "display_name": "Someone",
        "password": PASSWORD,
        "birth_month": month,
        "birth_year": year,
    }


def _direct(**overrides: Any) -> User:
    # Mail is sent on commit: run those callbacks, so "no mail" below means none was queued either.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return account_signup(**{"link_base": "http://testserver/", **overrides})


def _nothing_stored() -> tuple[int, int, int, int]:
    signup_counters = RateWindow.objects.filter(key__startswith="signup:").count()
    return User.objects.count(), Profile.objects.count(), signup_counters, len(mail.outbox)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("month", "year"), [(12, 2013), (1, 2014), (6, 2026)])
def test_a_direct_call_under_thirteen_is_refused_and_stores_nothing(month: int, year: int) -> None:
    with pytest.raises(SignupUnavailable) as refused:
        _direct(**_fields("kid", month, year), address_key="address-a")
    assert (refused.value.status_code, refused.value.code, refused.value.message) == (
        403,
        "signup_unavailable",
        SIGNUP_CLOSED,
    )
    assert _nothing_stored() == (0, 0, 0, 0)


@time_machine.travel(NOW, tick=False)
def test_a_direct_call_that_was_refused_today_is_refused_again_with_any_date() -> None:
    with pytest.raises(SignupUnavailable):
        _direct(**_fields("kid", 1, 1990), address_key="address-a", retry_blocked=True)
    assert _nothing_stored() == (0, 0, 0, 0)


@time_machine.travel(NOW, tick=False)
def test_a_direct_call_of_thirteen_creates_the_account() -> None:
    user = _direct(**_fields("teen", 11, 2013), address_key="address-a")
    assert (user.username, user.email) == ("teen", "teen@example.org")
    assert RateWindow.objects.get(key__startswith="signup:").count == 1
    assert [m.to for m in mail.outbox] == [["teen@example.org"]]


@time_machine.travel(NOW, tick=False)
def test_the_age_gate_comes_before_the_rate_limit_and_the_rate_limit_before_the_fields() -> None:
    allowed = RATE_LIMITS["signup"].per_address
    # Refusals by age are never counted, however many.
    for n in range(allowed + 5):
        with pytest.raises(SignupUnavailable):
            _direct(**_fields(f"kid{n}", 6, 2020), address_key="address-a")
    assert not RateWindow.objects.exists()
    # Attempts past the gate count even when a field is wrong, so the limit also bounds probing for names.
    for n in range(allowed):
        with pytest.raises(InvalidInput):
            _direct(**{**_fields(f"adult{n}", 1, 1990), "email": "not an address"}, address_key="address-a")
    with pytest.raises(RateLimited):
        _direct(**_fields("adult", 1, 1990), address_key="address-a")
    assert User.objects.count() == 0
    # Another address is not affected; a refusal by age there is still a refusal, not a rate limit.
    with pytest.raises(SignupUnavailable):
        _direct(**_fields("kid", 6, 2020), address_key="address-a", retry_blocked=True)
    assert _direct(**_fields("adult", 1, 1990), address_key="address-b").username == "adult"


def _page(client: Client, fields: dict[str, Any]) -> tuple[int, str, bool]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/accounts/signup/", {k: str(v) for k, v in fields.items()})
    refused = "We can't create an account right now" in response.content.decode()
    return response.status_code, "refused" if refused else "created", RETRY_COOKIE in response.cookies


def _api(client: Client, fields: dict[str, Any]) -> tuple[int, str, bool]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/api/v1/auth/signup", data=json.dumps(fields), content_type="application/json")
    if response.status_code == 403:
        assert response.json() == {"error": {"code": "signup_unavailable", "message": SIGNUP_CLOSED}}
    outcome = "refused" if response.status_code == 403 else "created"
    return response.status_code, outcome, RETRY_COOKIE in response.cookies


CALLERS = {"page": (_page, 200, 302), "api": (_api, 403, 201)}


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_every_web_caller_refuses_under_thirteen_and_sets_the_retry_cookie(caller: str) -> None:
    post, refused_status, _ = CALLERS[caller]
    assert post(Client(), _fields("kid", 12, 2013)) == (refused_status, "refused", True)
    assert _nothing_stored() == (0, 0, 0, 0)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_every_web_caller_refuses_a_retry_with_another_date_and_renews_the_cookie(caller: str) -> None:
    post, refused_status, _ = CALLERS[caller]
    client = Client()
    post(client, _fields("kid", 12, 2013))
    assert post(client, _fields("kid", 1, 1990)) == (refused_status, "refused", True)
    assert _nothing_stored() == (0, 0, 0, 0)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_every_web_caller_counts_the_rate_limit_only_past_the_gate(caller: str) -> None:
    post, _, created_status = CALLERS[caller]
    for n in range(RATE_LIMITS["signup"].per_address):
        post(Client(), _fields(f"kid{n}", 6, 2020))
    assert _nothing_stored() == (0, 0, 0, 0)
    assert post(Client(), _fields("adult", 1, 1990)) == (created_status, "created", False)
    assert [m.to for m in mail.outbox] == [["adult@example.org"]]
    assert RateWindow.objects.get(key__startswith="signup:").count == 1
