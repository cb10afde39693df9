"""Personal API tokens: the secret is shown once, stored only as a digest, scoped and revocable."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from nanobananas.core.exceptions import InvalidInput, NotFound
from nanobananas.tokens.models import ApiToken
from nanobananas.tokens.services import token_authenticate, token_create, token_revoke

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture
def user_id() -> int:
    return int(get_user_model().objects.create_user(username="kai", email="kai@example.org", password="x" * 12).pk)


def test_the_secret_is_returned_once_and_only_its_digest_is_stored(user_id: int) -> None:
    token, raw = token_create(user_id=user_id, name="my script", scopes=["images:write"])
    assert raw.startswith(f"nb_{token.prefix}_")
    stored = ApiToken.objects.get(id=token.id)
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(stored.__dict__)
    assert token_authenticate(raw=raw, scope="images:write") == stored
    assert stored.last_used_at is None
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_scope_revocation_and_wrong_secrets(user_id: int) -> None:
    token, raw = token_create(user_id=user_id, name="reader", scopes=["images:read"])
    assert token_authenticate(raw=raw, scope="images:write") is None
    assert token_authenticate(raw=raw + "x", scope="images:read") is None
    assert token_authenticate(raw="Bearer nonsense", scope="images:read") is None
    token_revoke(user_id=user_id, token_id=token.id)
    assert token_authenticate(raw=raw, scope="images:read") is None


def test_someone_elses_token_cannot_be_revoked(user_id: int) -> None:
    other = int(get_user_model().objects.create_user(username="mo", email="mo@example.org", password="x" * 12).pk)
    token, raw = token_create(user_id=other, name="theirs", scopes=["images:write"])
    with pytest.raises(NotFound):
        token_revoke(user_id=user_id, token_id=token.id)
    assert token_authenticate(raw=raw, scope="images:write") is not None


@pytest.mark.parametrize(
    ("name", "scopes", "code"),
    [("", ["images:write"], "bad_token_name"), ("x", [], "bad_token_scopes"), ("x", ["admin"], "bad_token_scopes")],
)
def test_bad_tokens_are_refused_and_nothing_is_stored(user_id: int, name: str, scopes: list[str], code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        token_create(user_id=user_id, name=name, scopes=scopes)
    assert caught.value.code == code
    assert ApiToken.objects.count() == 0


def test_the_token_api_needs_a_signed_in_user(user_id: int) -> None:
    from tests.conftest import csrf_headers

    guest = Client(enforce_csrf_checks=True)
    headers = csrf_headers(guest)
    response = guest.post("/api/v1/tokens", data='{"name": "x"}', content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert ApiToken.objects.count() == 0

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    created = client.post("/api/v1/tokens", data='{"name": "ci"}', content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("nb_")
    listed = client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["ci"]
    assert "token" not in listed[0]
    assert client.delete(f"/api/v1/tokens/{body['id']}").status_code == 204
    assert client.get("/api/v1/tokens").json()[0]["revoked_at"] is not None
