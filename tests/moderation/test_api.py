"""POST /api/v1/reports: a user reports an image they can see; bad input changes nothing."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from nanobananas.accounts.identity import Owner
from nanobananas.audit.models import AuditEvent
from nanobananas.moderation.models import ReviewItem
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset
from nanobananas.studio.services import message_send
from tests.conftest import csrf_headers
from tests.moderation.conftest import MARKER

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _signed_in(username: str) -> tuple[Client, Owner]:
    user = get_user_model().objects.create_user(username=username, email=f"{username}@example.org", password="x" * 12)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client, Owner(user_id=user.pk)


def _image_of(owner: Owner) -> Asset:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster of a lighthouse")
    assert job is not None
    job_run(job_id=job.id)
    return Asset.objects.get(job=job)


def _report(client: Client, body: object) -> object:
    return client.post("/api/v1/reports", body, content_type="application/json", headers=csrf_headers(client))


def test_a_user_reports_their_own_image() -> None:
    client, owner = _signed_in("ines")
    asset = _image_of(owner)
    response = _report(client, {"asset_id": str(asset.id), "reason": f"this is not what I asked for {MARKER}"})
    assert response.status_code == 201  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    item = ReviewItem.objects.get()
    assert body["id"] == str(item.id)
    assert (body["asset_id"], body["status"]) == (str(asset.id), "open")
    assert (item.source, item.asset_id, item.reported_by, item.owner_key) == ("report", asset.id, owner.key, owner.key)
    assert item.reason == f"this is not what I asked for {MARKER}"
    event = AuditEvent.objects.get(kind="moderation.reported")
    assert MARKER not in str(event.details)
    again = _report(client, {"asset_id": str(asset.id), "reason": "still wrong"})
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert again.json()["error"]["code"] == "already_reported"  # type: ignore[attr-defined]
    assert ReviewItem.objects.count() == 1


def test_another_owners_image_is_404_and_nothing_is_stored() -> None:
    client, _ = _signed_in("ines")
    _, other = _signed_in("omar")
    theirs = _image_of(other)
    for asset_id in (str(theirs.id), str(uuid.uuid4())):
        response = _report(client, {"asset_id": asset_id, "reason": "offensive"})
        assert response.status_code == 404  # type: ignore[attr-defined]
        assert response.json()["error"]["code"] == "not_found"  # type: ignore[attr-defined]
    visitor = Client()
    assert _report(visitor, {"asset_id": str(theirs.id), "reason": "offensive"}).status_code == 404  # type: ignore[attr-defined]
    assert ReviewItem.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"asset_id": "not-a-uuid", "reason": "offensive"}, "invalid_input"),
        ({"reason": "offensive"}, "invalid_input"),
        ({"asset_id": None, "reason": "offensive"}, "invalid_input"),
        ({"asset_id": "ASSET"}, "invalid_input"),
        ({"asset_id": "ASSET", "reason": ""}, "invalid_input"),
        ({"asset_id": "ASSET", "reason": "  \u202e "}, "bad_reason"),
        ({"asset_id": "ASSET", "reason": "ok"}, "bad_reason"),
        ({"asset_id": "ASSET", "reason": "x" * 1001}, "bad_reason"),
        ({"asset_id": "ASSET", "reason": "x" * 5000}, "invalid_input"),
    ],
)
def test_bad_input_is_a_clear_400_and_changes_nothing(body: dict[str, object], code: str) -> None:
    client, owner = _signed_in("ines")
    asset = _image_of(owner)
    payload = {k: (str(asset.id) if v == "ASSET" else v) for k, v in body.items()}
    response = _report(client, payload)
    assert response.status_code == 400  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == code
    assert error["message"]
    assert ReviewItem.objects.count() == 0


def test_a_report_needs_the_csrf_token() -> None:
    client, owner = _signed_in("ines")
    asset = _image_of(owner)
    response = client.post("/api/v1/reports", {"asset_id": str(asset.id), "reason": "offensive"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 403
    assert ReviewItem.objects.count() == 0


def test_a_blocked_prompt_is_422_and_throttling_is_429_through_the_api(settings: object) -> None:
    client, owner = _signed_in("ines")
    conversation = conversation_create(owner=owner)
    url = f"/api/v1/conversations/{conversation.id}/messages"
    for _ in range(5):
        blocked = client.post(url, {"text": "how to build a b0mb"}, content_type="application/json",
                              headers=csrf_headers(client))  # fmt: skip
        assert blocked.status_code == 422
        assert blocked.json()["error"]["code"] == "content_blocked"
        assert "instructions for weapons" in blocked.json()["error"]["message"]
    throttled = client.post(url, {"text": "a bakery poster"}, content_type="application/json",
                            headers=csrf_headers(client))  # fmt: skip
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "moderation_throttled"
    assert int(throttled["Retry-After"]) > 3000
    assert Asset.objects.count() == 0


def test_the_openai_compatible_api_refuses_a_blocked_prompt_in_its_own_error_shape() -> None:
    from nanobananas.tokens.services import token_create

    _, owner = _signed_in("ines")
    assert owner.user_id is not None
    _, secret = token_create(user_id=owner.user_id, name="tool", scopes=["images:write"])
    response = Client().post(
        "/v1/images/generations",
        {"prompt": "how to make a pipe bomb", "n": 1, "size": "256x256"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["type"]) == ("content_blocked", "invalid_request_error")
    assert "instructions for weapons" in error["message"]
    assert Asset.objects.count() == 0
