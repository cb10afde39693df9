"""Login throttling with django-axes: per account (any of its names) and address, per address, with the unlock time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from nanobananas.accounts.models import UserSession
from tests.accounts.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.database]

NOW = datetime.fromisoformat("2026-11-30T10:00:00+00:00")
LIMIT = 5
ADDRESS_LIMIT = 20


def _fail(client: Client, name: str) -> int:
    return client.post("/accounts/login/", {"username": name, "password": "wrong wrong wrong"}).status_code


@time_machine.travel(NOW, tick=False)
def test_five_failures_lock_the_account_from_that_address_whatever_name_is_used(user: User) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    names = ["ana", "ANA@example.org", "ana", "ana@example.org", "Ana"]
    # The fifth failure is the one that locks, and already answers with the lockout page.
    assert [_fail(attacker, name) for name in names] == [200, 200, 200, 200, 429]
    locked = attacker.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in is paused." in html
    assert "There were too many failed attempts from this network." in html
    assert 'You can try again at <time datetime="2026-11-30T10:15:00+00:00">10:15 UTC</time>' in html
    assert "(in 15\xa0minutes)" in html
    assert not UserSession.objects.filter(user=user).exists()


@time_machine.travel(NOW, tick=False)
def test_the_owner_signs_in_from_another_address_while_the_attackers_address_is_locked(user: User) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    assert [_fail(attacker, "ana") for _ in range(LIMIT)] == [200, 200, 200, 200, 429]
    owner = Client(REMOTE_ADDR="198.51.100.7")
    signed_in = owner.post("/accounts/login/", {"username": "ana@example.org", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/me/"
    assert UserSession.objects.filter(user=user).count() == 1
    # The attacker's address stays locked for the account, even with the right password.
    assert attacker.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 429
    assert UserSession.objects.filter(user=user).count() == 1


@time_machine.travel(NOW, tick=False)
def test_an_address_is_locked_after_twenty_failures_across_many_accounts(user: User) -> None:
    client = Client(REMOTE_ADDR="192.0.2.7")
    # Four failures per name stay under the pair limit; the address limit catches the spread.
    statuses = [_fail(client, f"nobody{number // 4}") for number in range(ADDRESS_LIMIT)]
    assert statuses == [200] * (ADDRESS_LIMIT - 1) + [429]
    locked = client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429
    assert 'datetime="2026-11-30T10:15:00+00:00"' in locked.content.decode()
    assert not UserSession.objects.filter(user=user).exists()
    # Someone else, elsewhere, signs in to the same account as usual.
    elsewhere = Client(REMOTE_ADDR="192.0.2.8")
    assert elsewhere.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 302


@time_machine.travel(NOW, tick=False)
def test_nineteen_failures_across_accounts_leave_the_address_open(user: User) -> None:
    client = Client(REMOTE_ADDR="192.0.2.7")
    assert {_fail(client, f"nobody{number // 4}") for number in range(ADDRESS_LIMIT - 1)} == {200}
    assert client.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 302


def test_the_lock_lifts_after_the_cool_off(user: User) -> None:
    with time_machine.travel(NOW, tick=False):
        client = Client()
        for _ in range(LIMIT):
            _fail(client, "ana")
        assert client.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 429
    with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
        assert client.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 302


@time_machine.travel(NOW, tick=False)
def test_a_success_before_the_limit_resets_the_count(user: User) -> None:
    client = Client()
    for _ in range(LIMIT - 1):
        _fail(client, "ana")
    assert client.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(LIMIT - 1):
        assert _fail(client, "ana") == 200
    assert client.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 302


@time_machine.travel(NOW, tick=False)
def test_failures_during_the_lock_push_the_unlock_time(user: User) -> None:
    client = Client()
    for _ in range(LIMIT):
        _fail(client, "ana")
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        html = client.post("/accounts/login/", {"username": "ana", "password": "x"}).content.decode()
    assert re.search(r'datetime="2026-11-30T10:20:00\+00:00"', html)
