"""Account endpoints: me, quota, plans, profile, retention, sessions; the 429 shape for an exhausted quota."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from nanobananas.accounts.exceptions import QuotaExceeded
from nanobananas.accounts.models import Profile, UserSession
from nanobananas.accounts.services import plan_change
from nanobananas.config.api import api
from tests.accounts.conftest import PASSWORD
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def test_a_visitor_is_a_guest_with_the_guest_plan() -> None:
    body = Client().get("/api/v1/me").json()
    assert body["kind"] == "guest"
    assert body["user"] is None
    assert body["plan"]["code"] == "guest"
    assert body["retention_hours"] == 24
    assert body["quota"]["summary"] == "10 of 10 images left today"
    assert body["subscription"] is None


def test_a_user_sees_their_account_plan_and_quota(user: User, user_client: Client) -> None:
    body = user_client.get("/api/v1/me").json()
    assert body["kind"] == "user"
    assert body["user"] == {
        "id": user.pk,
        "username": "ana",
        "display_name": "Ana Lima",
        "email": "ana@example.org",
        "email_verified": False,
        "pending_email": "",
    }
    assert (body["plan"]["code"], body["retention_hours"]) == ("free", 48)
    assert body["quota"]["left"] == 50


def test_plans_are_listed_in_order() -> None:
    plans = Client().get("/api/v1/plans").json()
    assert [p["code"] for p in plans] == ["guest", "free", "pro"]
    assert plans[2]["retention_hours_options"] == [48, 168]


def test_quota_by_kind() -> None:
    body = Client().get("/api/v1/me/quota?kind=video").json()
    assert (body["kind"], body["daily_limit"], body["summary"]) == ("video", 2, "2 of 2 videos left today")
    bad = Client().get("/api/v1/me/quota?kind=poem")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "unknown_quota_kind"


def test_profile_update_needs_csrf_and_an_account(user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    headers = csrf_headers(client)
    payload = json.dumps({"display_name": "X", "username": "xx_x"})
    anonymous = client.patch("/api/v1/me", data=payload, content_type="application/json", headers=headers)
    assert anonymous.status_code == 401
    assert anonymous.json() == {"error": {"code": "unauthenticated", "message": "Sign in to do this."}}
    client.force_login(user)
    headers = csrf_headers(client)
    no_csrf = client.patch("/api/v1/me", data=payload, content_type="application/json")
    assert no_csrf.status_code == 403
    user.refresh_from_db()
    assert user.username == "ana"
    ok = client.patch("/api/v1/me", data=payload, content_type="application/json", headers=headers)
    assert ok.status_code == 200
    assert (ok.json()["username"], ok.json()["display_name"]) == ("xx_x", "X")


def test_retention_choice_through_the_api(user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    headers = csrf_headers(client)
    refused = client.put(
        "/api/v1/me/retention", data='{"hours": 168}', content_type="application/json", headers=headers
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "code": "retention_not_allowed",
        "message": "On the Free plan images are kept 48 hours.",
    }
    assert Profile.objects.get(user=user).retention_hours is None
    plan_change(user_id=user.pk, plan_code="pro")
    ok = client.put("/api/v1/me/retention", data='{"hours": 168}', content_type="application/json", headers=headers)
    assert ok.status_code == 200
    assert ok.json()["retention_hours"] == 168


def test_sessions_list_and_end_others(user: User, user_client: Client) -> None:
    Client().post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    listed = user_client.get("/api/v1/me/sessions").json()
    assert len(listed) == 2
    assert sorted(s["current"] for s in listed) == [False, True]
    token = user_client.get("/image/").cookies["csrftoken"].value
    ended = user_client.post("/api/v1/me/sessions/end-others", headers={"X-CSRFToken": token})
    assert ended.json() == {"ended": 1}
    assert UserSession.objects.filter(user=user).count() == 1
    assert Client().get("/api/v1/me/sessions").status_code == 401


@time_machine.travel("2026-11-30 22:00:00+00:00", tick=False)
def test_an_exhausted_quota_is_a_429_with_the_reset_time() -> None:
    from datetime import UTC, datetime

    request = RequestFactory().get("/api/v1/conversations")
    exc = QuotaExceeded(
        "You have used all 50 images for today. More at 00:00 UTC.", resets_at=datetime(2026, 12, 1, tzinfo=UTC)
    )
    response = api.on_exception(request, exc)
    assert response.status_code == 429
    assert response["Retry-After"] == "7200"
    assert json.loads(response.content) == {
        "error": {
            "code": "quota_exceeded",
            "message": "You have used all 50 images for today. More at 00:00 UTC.",
            "resets_at": "2026-12-01T00:00:00+00:00",
        }
    }
