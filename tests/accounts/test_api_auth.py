"""Sign-up, sign-in, sign-out, password reset and email change through the JSON API."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from nanobananas.accounts.age import RETRY_COOKIE
from nanobananas.accounts.models import Profile, RateWindow, UserSession
from nanobananas.studio.models import Conversation
from tests.accounts.conftest import PASSWORD
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]

SIGNUP = {
    "email": "gil@example.org",
    "username": "gil",
    "display_name": "Gil",
    "password": PASSWORD,
    "birth_month": 6,
    "birth_year": 1985,
}


def _post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(path, data=json.dumps(body or {}), content_type="application/json", headers=csrf_headers(client))


def test_signup_through_the_api_signs_in_and_carries_the_guests_work(on_commit: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert _post(client, "/api/v1/conversations", {"title": "Flyer"}).status_code == 201
    with on_commit(execute=True):
        response = _post(client, "/api/v1/auth/signup", SIGNUP)
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["user"]["username"], body["plan"]["code"]) == ("user", "gil", "free")
    user = User.objects.get(username="gil")
    assert [c.title for c in Conversation.objects.filter(owner_user=user)] == ["Flyer"]
    [message] = mail.outbox
    assert message.to == ["gil@example.org"]


@time_machine.travel("2026-11-30 12:00:00+00:00", tick=False)
def test_the_api_age_gate_refuses_kindly_stores_nothing_and_remembers_for_a_day() -> None:
    client = Client(enforce_csrf_checks=True)
    refused = _post(client, "/api/v1/auth/signup", {**SIGNUP, "birth_month": 12, "birth_year": 2013})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "signup_unavailable"
    assert "13" not in refused.json()["error"]["message"]
    assert RETRY_COOKIE in refused.cookies
    again = _post(client, "/api/v1/auth/signup", SIGNUP)
    assert again.status_code == 403
    assert (User.objects.count(), Profile.objects.count(), RateWindow.objects.count(), len(mail.outbox)) == (0, 0, 0, 0)


def test_sign_in_and_out_through_the_api(user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    wrong = _post(client, "/api/v1/auth/login", {"login": "ana", "password": "not the password"})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert not UserSession.objects.filter(user=user).exists()
    ok = _post(client, "/api/v1/auth/login", {"login": "ANA@example.org", "password": PASSWORD})
    assert ok.status_code == 200
    assert ok.json()["user"]["display_name"] == "Ana Lima"
    assert UserSession.objects.filter(user=user).count() == 1
    assert _post(client, "/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").json()["kind"] == "guest"
    assert not UserSession.objects.filter(user=user).exists()


@time_machine.travel("2026-11-30 10:00:00+00:00", tick=False)
def test_an_api_lockout_is_a_json_429_with_the_unlock_time(user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    statuses = [
        _post(client, "/api/v1/auth/login", {"login": "ana", "password": f"wrong {n}"}).status_code for n in range(4)
    ]
    assert statuses == [400] * 4
    locked = _post(client, "/api/v1/auth/login", {"login": "ana", "password": "wrong 5"})
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    assert locked.json() == {
        "error": {
            "code": "login_locked",
            "message": "Sign-in from this network is paused after too many failed attempts. Try again at 10:15 UTC.",
            "resets_at": "2026-11-30T10:15:00+00:00",
        }
    }
    correct = _post(client, "/api/v1/auth/login", {"login": "ana", "password": PASSWORD})
    assert correct.status_code == 429
    assert not UserSession.objects.filter(user=user).exists()


def test_password_reset_through_the_api_answers_the_same_for_any_address(user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    mail.outbox.clear()
    assert _post(client, "/api/v1/auth/password-reset", {"email": "nobody@example.org"}).status_code == 202
    assert mail.outbox == []
    assert _post(client, "/api/v1/auth/password-reset", {"email": "ana@example.org"}).status_code == 202
    [message] = mail.outbox
    assert "/accounts/password/reset/" in str(message.body)


def test_email_change_and_verification_resend_through_the_api(user: User, on_commit: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert _post(client, "/api/v1/me/email", {"new_email": "a2@example.org", "password": PASSWORD}).status_code == 401
    client.force_login(user)
    mail.outbox.clear()
    with on_commit(execute=True):
        wrong = _post(client, "/api/v1/me/email", {"new_email": "a2@example.org", "password": "nope nope"})
        assert wrong.status_code == 400
        assert mail.outbox == []
        ok = _post(client, "/api/v1/me/email", {"new_email": "a2@example.org", "password": PASSWORD})
        assert ok.status_code == 202
        assert _post(client, "/api/v1/me/verification").status_code == 202
    assert sorted(m.to[0] for m in mail.outbox) == ["a2@example.org", "a2@example.org", "ana@example.org"]
    assert client.get("/api/v1/me").json()["user"]["pending_email"] == "a2@example.org"
