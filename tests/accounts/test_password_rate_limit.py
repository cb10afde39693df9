"""Password-confirmed actions cannot be used to guess the password from a stolen session."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from nanobananas.accounts.ratelimits import RATE_LIMITS
from tests.accounts.conftest import PASSWORD
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _post(client: Client, path: str, body: dict[str, str]) -> int:
    response = client.post(path, data=json.dumps(body), content_type="application/json", headers=csrf_headers(client))
    return int(response.status_code)


def test_account_deletion_allows_a_few_password_tries_then_429_and_nothing_changes(
    user: User, user_client: Client
) -> None:
    allowed = RATE_LIMITS["password"].per_owner
    wrong = {"password": "not the password", "phrase": "delete my account"}
    assert [_post(user_client, "/api/v1/me/delete", wrong) for _ in range(allowed)] == [400] * allowed
    right = {"password": PASSWORD, "phrase": "delete my account"}
    response = user_client.post(
        "/api/v1/me/delete", data=json.dumps(right), content_type="application/json", headers=csrf_headers(user_client)
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    user.refresh_from_db()
    assert user.is_active
    assert user.email == "ana@example.org"


def test_email_change_shares_the_password_limit(user: User, user_client: Client) -> None:
    allowed = RATE_LIMITS["password"].per_owner
    body = {"new_email": "elsewhere@example.org", "password": "not the password"}
    codes = [_post(user_client, "/api/v1/me/email", body) for _ in range(allowed + 1)]
    assert codes == [400] * allowed + [429]
