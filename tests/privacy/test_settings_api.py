"""GET/PATCH /api/v1/me/privacy, GET /api/v1/me/consents and the per-image commercial flag, over HTTP."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Guest
from nanobananas.privacy.models import CommercialImage, ConsentEvent, PrivacySettings
from nanobananas.privacy.services import privacy_settings_update
from nanobananas.studio.models import Asset
from tests.accounts.conftest import make_asset
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]

DEFAULTS = {
    "improve_ai": False,
    "commercial_use": False,
    "commercial_training": False,
    "analytics": False,
    "third_party_ai": True,
    "personalization": True,
    "email_product_news": False,
    "email_tips": False,
    "service_notices": True,
}


def _client(username: str) -> tuple[Client, Owner]:
    user = get_user_model().objects.create_user(username=username, email=f"{username}@example.org", password="x" * 12)
    client = Client()
    client.force_login(user)
    return client, Owner(user_id=user.pk)


def _patch(client: Client, body: object, **extra: str) -> tuple[int, dict[str, object]]:
    raw = body if isinstance(body, str) else json.dumps(body)
    response = client.patch("/api/v1/me/privacy", raw, content_type="application/json", **extra)  # type: ignore[arg-type]
    return response.status_code, response.json()


def _settings(body: dict[str, object]) -> dict[str, object]:
    return {key: body[key] for key in DEFAULTS}


def test_a_visitor_sees_the_defaults_and_becomes_a_guest_only_by_choosing() -> None:
    client = Client()
    body = client.get("/api/v1/me/privacy").json()
    assert _settings(body) == DEFAULTS
    assert (body["is_guest"], body["updated_at"]) == (True, None)
    assert Guest.objects.count() == 0

    status, body = _patch(client, {"third_party_ai": False})
    assert status == 200
    assert _settings(body) == {**DEFAULTS, "third_party_ai": False}
    guest = Guest.objects.get()
    assert PrivacySettings.objects.get().owner_guest_id == guest.id
    assert client.get("/api/v1/me/privacy").json()["third_party_ai"] is False
    consents = client.get("/api/v1/me/consents").json()
    assert [(c["setting"], c["old"], c["new"], c["source"]) for c in consents] == [
        ("third_party_ai", True, False, "settings")
    ]


def test_a_user_changes_settings_and_reads_the_ledger_newest_first() -> None:
    client, _ = _client("noor")
    status, body = _patch(client, {"improve_ai": True, "email_tips": True})
    assert status == 200
    assert _settings(body) == {**DEFAULTS, "improve_ai": True, "email_tips": True}
    assert body["is_guest"] is False
    assert _patch(client, {"improve_ai": False})[0] == 200
    assert _settings(client.get("/api/v1/me/privacy").json()) == {**DEFAULTS, "email_tips": True}
    consents = client.get("/api/v1/me/consents").json()
    assert [(c["setting"], c["old"], c["new"]) for c in consents] == [
        ("improve_ai", True, False),
        ("email_tips", False, True),
        ("improve_ai", False, True),
    ]
    other, _ = _client("sami")
    assert other.get("/api/v1/me/consents").json() == []
    assert _settings(other.get("/api/v1/me/privacy").json()) == DEFAULTS


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"improve_ai": "yes"}, "invalid_input"),
        ({"improve_ai": 1}, "invalid_input"),
        ({"analytics": True, "improve_ai": "true"}, "invalid_input"),
        ({"analytics": True, "sell_my_data": True}, "invalid_input"),
        ({"analytics": None}, "invalid_setting"),
        ("not json", "http_error"),
        ([True], "invalid_input"),
    ],
)
def test_bad_input_is_a_400_in_the_error_shape_and_changes_nothing(body: object, code: str) -> None:
    client, owner = _client("ines")
    privacy_settings_update(owner, improve_ai=True)
    status, answer = _patch(client, body)
    assert status == 400
    assert answer["error"]["code"] == code  # type: ignore[index]
    assert answer["error"]["message"]  # type: ignore[index]
    assert _settings(client.get("/api/v1/me/privacy").json()) == {**DEFAULTS, "improve_ai": True}
    assert ConsentEvent.objects.count() == 1


def test_a_visitor_choosing_only_defaults_stores_nothing() -> None:
    client = Client()
    status, body = _patch(client, {"improve_ai": False, "third_party_ai": True})
    assert (status, _settings(body)) == (200, DEFAULTS)
    assert (PrivacySettings.objects.count(), ConsentEvent.objects.count()) == (0, 0)


def test_a_visitor_asking_for_email_preferences_gets_a_400_and_no_guest_is_made() -> None:
    client = Client()
    status, answer = _patch(client, {"email_tips": True, "analytics": True})
    assert (status, answer["error"]["code"]) == (400, "guest_no_email")  # type: ignore[index]
    assert (Guest.objects.count(), PrivacySettings.objects.count(), ConsentEvent.objects.count()) == (0, 0, 0)


def test_a_change_without_the_pages_security_token_is_refused_and_changes_nothing() -> None:
    user = get_user_model().objects.create_user(username="tove", email="tove@example.org", password="x" * 12)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    status, answer = _patch(client, {"improve_ai": True})
    assert (status, answer["error"]["code"]) == (403, "csrf_failed")  # type: ignore[index]
    assert PrivacySettings.objects.count() == 0
    status, _ = _patch(client, {"improve_ai": True}, HTTP_X_CSRFTOKEN=csrf_headers(client)["X-CSRFToken"])
    assert status == 200
    assert PrivacySettings.objects.get().improve_ai is True


def test_the_commercial_flag_is_set_and_cleared_per_image_and_ledgered() -> None:
    client, owner = _client("ayla")
    asset = make_asset(owner, created_hours_ago=1)
    url = f"/api/v1/me/images/{asset.id}/commercial"
    assert client.put(url).json() == {"asset_id": str(asset.id), "commercial": True}
    assert client.put(url).json() == {"asset_id": str(asset.id), "commercial": True}
    assert list(CommercialImage.objects.values_list("asset_id", flat=True)) == [asset.id]
    assert client.delete(url).json() == {"asset_id": str(asset.id), "commercial": False}
    assert CommercialImage.objects.count() == 0
    ledger = client.get("/api/v1/me/consents").json()
    assert [(c["setting"], c["subject"], c["old"], c["new"]) for c in ledger] == [
        ("commercial_image", str(asset.id), True, False),
        ("commercial_image", str(asset.id), False, True),
    ]


def test_another_owners_unknown_or_queued_image_is_a_404_and_nothing_changes() -> None:
    client, owner = _client("bea")
    _, other = _client("cyd")
    theirs = make_asset(other, created_hours_ago=1)
    queued = make_asset(owner, created_hours_ago=1)
    Asset.objects.filter(id=queued.id).update(state="queued")
    for target in (theirs.id, queued.id, uuid.uuid4()):
        for method in (client.put, client.delete):
            response = method(f"/api/v1/me/images/{target}/commercial")
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"
    visitor = Client().put(f"/api/v1/me/images/{theirs.id}/commercial")
    assert visitor.status_code == 404
    assert (CommercialImage.objects.count(), ConsentEvent.objects.count(), Guest.objects.count()) == (0, 0, 0)
    bad = client.put("/api/v1/me/images/not-a-uuid/commercial")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_input")
    assert CommercialImage.objects.count() == 0
