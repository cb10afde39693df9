"""Database sessions: guests keep their identity, sessions carry their user and a coarse device label."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils.crypto import salted_hmac

from nanobananas.accounts.identity import GUEST_SESSION_KEY
from nanobananas.accounts.models import UserSession
from nanobananas.accounts.sessions import device_label, session_key_digest
from tests.accounts.conftest import PASSWORD
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            "Chrome on Linux",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1",
            "Safari on iOS",
        ),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0", "Firefox on Windows"),
        ("curl/8.0", "A browser"),
    ],
)
def test_device_labels_are_coarse(agent: str, label: str) -> None:
    assert device_label(agent) == label


def test_the_session_engine_is_the_database() -> None:
    assert settings.SESSION_ENGINE == "nanobananas.accounts.sessions"


def test_a_guest_is_remembered_across_requests_by_a_database_session() -> None:
    client = Client(enforce_csrf_checks=True)
    headers = csrf_headers(client)
    client.post(
        "/api/v1/conversations", data=json.dumps({"title": "Mine"}), content_type="application/json", headers=headers
    )
    row = UserSession.objects.get(session_key=session_key_digest(client.cookies[settings.SESSION_COOKIE_NAME].value))
    assert row.user_id is None
    assert GUEST_SESSION_KEY in row.get_decoded()
    assert [c["title"] for c in client.get("/api/v1/conversations").json()["items"]] == ["Mine"]
    # The cookie holds only a random key now, not the data.
    assert GUEST_SESSION_KEY not in client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_signed_in_session_row_names_its_user_and_device(user: User) -> None:
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0")
    client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    row = UserSession.objects.get(user=user)
    assert row.device == "Firefox on Linux"
    assert row.session_key == session_key_digest(client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_a_deleted_session_row_signs_the_browser_out(user: User, user_client: Client) -> None:
    UserSession.objects.filter(user=user).delete()
    assert user_client.get("/me/").content.decode().count("Sign up") >= 1


def test_the_table_holds_a_keyed_hash_of_the_session_key_never_the_key(user: User) -> None:
    client = Client()
    assert client.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    [row] = UserSession.objects.filter(user=user)
    assert len(key) == 32
    assert row.session_key == salted_hmac("nanobananas.accounts.sessions", key, algorithm="sha256").hexdigest()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert client.get("/api/v1/me").json()["kind"] == "user"


def test_a_stored_value_sent_as_the_cookie_signs_no_one_in(user: User) -> None:
    Client().post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    [stored] = UserSession.objects.filter(user=user).values_list("session_key", flat=True)
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stored
    assert thief.get("/api/v1/me").json()["kind"] == "guest"
    # The thief's request did not touch the owner's row either.
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [stored]


def test_sign_out_everywhere_else_keeps_only_this_session(user: User) -> None:
    first, second, third = Client(), Client(), Client()
    for client in (first, second, third):
        assert client.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 302
    headers = csrf_headers(first)
    assert first.post("/api/v1/me/sessions/end-others", headers=headers).json() == {"ended": 2}
    [current] = first.get("/api/v1/me/sessions").json()
    assert current["current"] is True
    assert second.get("/api/v1/me").json()["kind"] == "guest"
    assert first.get("/api/v1/me").json()["kind"] == "user"


def test_sign_out_deletes_the_row_by_its_digest(user: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert UserSession.objects.filter(user=user).count() == 1
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert not UserSession.objects.filter(user=user).exists()
