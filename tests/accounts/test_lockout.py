"""Login throttling with django-axes: per account (by any of its names) and per address, with the unlock time."""

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


def _fail(client: Client, name: str) -> int:
    return client.post("/accounts/login/", {"username": name, "password": "wrong wrong wrong"}).status_code


@time_machine.travel(NOW, tick=False)
def test_five_failures_lock_the_account_whatever_name_and_address_are_used(user: User) -> None:
    names = ["ana", "ANA@example.org", "ana", "ana@example.org", "Ana"]
    statuses = [_fail(Client(REMOTE_ADDR=f"10.0.0.{number + 1}"), name) for number, name in enumerate(names)]
    # The fifth failure is the one that locks, and already answers with the lockout page.
    assert statuses == [200, 200, 200, 200, 429]
    locked = Client(REMOTE_ADDR="10.0.9.9").post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in is paused." in html
    assert "too many failed attempts for this account or from this network" in html
    assert 'You can try again at <time datetime="2026-11-30T10:15:00+00:00">10:15 UTC</time>' in html
    assert "(in 15\xa0minutes)" in html
    assert not UserSession.objects.filter(user=user).exists()


@time_machine.travel(NOW, tick=False)
def test_an_address_is_locked_after_five_failures_on_any_names(user: User) -> None:
    client = Client(REMOTE_ADDR="192.0.2.7")
    assert [_fail(client, f"nobody{number}") for number in range(LIMIT)] == [200, 200, 200, 200, 429]
    locked = client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429
    assert not UserSession.objects.filter(user=user).exists()
    # Someone else, elsewhere, signs in to the same account as usual.
    elsewhere = Client(REMOTE_ADDR="192.0.2.8")
    assert elsewhere.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 302


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
