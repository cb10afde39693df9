"""Signing up from a guest session takes the guest's work into the new account, on the account's terms."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from nanobananas.accounts.identity import GUEST_SESSION_KEY, Owner
from nanobananas.studio.models import Asset, Conversation
from tests.accounts.conftest import PASSWORD, make_asset
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _guest_with_work() -> tuple[Client, Owner]:
    client = Client(enforce_csrf_checks=True)
    headers = csrf_headers(client)
    response = client.post(
        "/api/v1/conversations",
        data=json.dumps({"title": "Bakery poster"}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201
    guest = Owner(guest_id=Conversation.objects.get(id=response.json()["id"]).owner_guest_id)
    return client, guest


def _signup(client: Client) -> None:
    page = client.get("/accounts/signup/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/signup/",
        {
            "email": "dee@example.org",
            "username": "dee",
            "display_name": "Dee",
            "password": PASSWORD,
            "birth_month": "3",
            "birth_year": "1988",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302, response.content.decode()


def test_a_guests_conversations_and_images_move_to_the_new_account_with_48_hour_expiry() -> None:
    client, guest = _guest_with_work()
    asset = make_asset(guest, created_hours_ago=2)
    assert asset.expires_at == asset.created_at + timedelta(hours=48)  # made by the helper; recomputed below
    Asset.objects.filter(pk=asset.pk).update(expires_at=asset.created_at + timedelta(hours=24))
    stranger, _ = _guest_with_work()
    _signup(client)

    user = User.objects.get(username="dee")
    assert sorted(c.title for c in Conversation.objects.filter(owner_user=user)) == ["", "Bakery poster"]
    assert not Conversation.objects.filter(owner_guest_id=guest.guest_id).exists()
    asset.refresh_from_db()
    assert (asset.owner_user_id, asset.owner_guest_id) == (user.pk, None)
    assert asset.expires_at == asset.created_at + timedelta(hours=48)
    assert GUEST_SESSION_KEY not in client.session
    listed = client.get("/api/v1/conversations").json()
    assert {c["title"] for c in listed["items"]} == {"", "Bakery poster"}
    # Another guest's work stays theirs.
    assert [c["title"] for c in stranger.get("/api/v1/conversations").json()["items"]] == ["Bakery poster"]


def test_a_refused_signup_moves_nothing() -> None:
    client, guest = _guest_with_work()
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/signup/",
        {
            "email": "not-an-email",
            "username": "dee",
            "display_name": "Dee",
            "password": PASSWORD,
            "birth_month": "3",
            "birth_year": "1988",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 200
    assert Conversation.objects.filter(owner_guest_id=guest.guest_id).count() == 1
    assert not User.objects.exists()
    assert client.session[GUEST_SESSION_KEY] == str(guest.guest_id)
