"""GET /api/v1/policies/current and POST /api/v1/me/policy-acceptances: exact shapes, and bad input changes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from nanobananas.policies.models import PolicyAcceptance
from tests.policies.conftest import draft, member, published, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _post(client: Client, payload: object) -> object:
    client.get("/image/")
    return client.post(
        "/api/v1/me/policy-acceptances",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )


def test_current_lists_both_kinds_for_anyone() -> None:
    published(version="2026-12-01")
    body = Client().get("/api/v1/policies/current").json()
    assert [(p["kind"], p["version"], p["summary"], p["url"]) for p in body] == [
        ("privacy", "2026-12-01", "Analytics are now off by default.", "/privacy/versions/2026-12-01/"),
        ("terms", "1", "First version.", "/terms/versions/1/"),
    ]
    assert body[1]["published_at"] == "2026-11-30T00:00:00Z"


def test_accepting_an_old_version_does_not_count_for_the_current_one() -> None:
    user = member("careful")
    published(version="2")
    client = signed_in(user)
    response = _post(client, {"kind": "privacy", "version": "1"})
    assert response.status_code == 201  # type: ignore[attr-defined]
    assert response.json()["is_current"] is False  # type: ignore[attr-defined]
    listed = client.get("/api/v1/me/policy-acceptances").json()
    assert [(a["kind"], a["version"], a["how"], a["is_current"]) for a in listed] == [
        ("privacy", "1", "clicked", False)
    ]
    assert 'class="policy-banner"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"kind": "privacy", "version": "9"}, 404, "not_found"),
        ({"kind": "privacy", "version": "3"}, 404, "not_found"),  # a draft
        ({"kind": "cookies", "version": "1"}, 404, "not_found"),
        ({"kind": "privacy"}, 400, "invalid_input"),
        ({"kind": "privacy", "version": ""}, 400, "invalid_input"),
        ({"kind": "privacy", "version": "x" * 41}, 400, "invalid_input"),
    ],
)
def test_bad_acceptances_are_refused_and_record_nothing(payload: dict[str, str], status: int, code: str) -> None:
    draft(version="3")
    client = signed_in(member("sloppy"))
    response = _post(client, payload)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.json()["error"]["code"] == code  # type: ignore[attr-defined]
    assert PolicyAcceptance.objects.count() == 0


def test_guests_cannot_accept_and_csrf_is_required() -> None:
    response = _post(Client(enforce_csrf_checks=True), {"kind": "privacy", "version": "1"})
    assert response.status_code == 401  # type: ignore[attr-defined]
    client = signed_in(member("forged"))
    forged = client.post(
        "/api/v1/me/policy-acceptances",
        data=json.dumps({"kind": "privacy", "version": "1"}),
        content_type="application/json",
    )
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "csrf_failed"
    assert PolicyAcceptance.objects.count() == 0


def test_closing_an_unknown_version_is_404_and_guests_cannot_close() -> None:
    client = signed_in(member("closer"))
    client.get("/image/")
    headers = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    body = json.dumps({"kind": "privacy", "version": "8"})
    response = client.post("/api/v1/me/policy-notices/close", data=body, content_type="application/json", **headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.session.get("nanobananas_policies") is None  # nothing remembered
    guest = Client()
    assert guest.post("/api/v1/me/policy-notices/close", data=body, content_type="application/json").status_code == 401
