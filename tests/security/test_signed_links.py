"""Signed download links carry opaque ids only: their readable payload names no account and no guest."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.core.exceptions import NotFound
from nanobananas.privacy.export import export_download_url, export_link_open
from nanobananas.privacy.models import DataExport
from nanobananas.studio.models import Asset
from nanobananas.studio.outputs import asset_content_url
from tests.accounts.conftest import make_asset, signup

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _readable(token: str) -> str:
    """What anyone holding the link can read: Django's signed value is base64 JSON, not encrypted."""
    return signing.b64_decode(token.split(":", 1)[0].encode()).decode()


def _payload(token: str) -> Any:
    return json.loads(_readable(token))


def _body(response: Any) -> bytes:
    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def test_an_image_link_names_neither_the_guest_nor_the_account() -> None:
    guest = guest_create()
    asset = make_asset(Owner(guest_id=guest.id), created_hours_ago=1)
    token = _token(asset_content_url(asset))
    signed_id, owner_tag = _payload(token)
    assert signed_id == str(asset.id)
    assert len(owner_tag) == 24
    for secret in (str(guest.id), guest.id.hex):
        assert secret not in _readable(token)
    response = Client().get(asset_content_url(asset))
    assert response.status_code == 200
    assert _body(response) == b"pixels"

    user = signup()
    user_asset = make_asset(Owner(user_id=user.pk), created_hours_ago=1)
    _, user_tag = _payload(_token(asset_content_url(user_asset)))
    assert f'"u{user.pk}"' not in _readable(_token(asset_content_url(user_asset)))
    assert user_tag != owner_tag


def test_an_image_link_stops_when_the_image_changes_owner() -> None:
    guest = guest_create()
    asset = make_asset(Owner(guest_id=guest.id), created_hours_ago=1)
    link = asset_content_url(asset)
    user = signup()
    Asset.objects.filter(pk=asset.pk).update(owner_guest=None, owner_user=user)
    response = Client().get(link)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


def _ready_export(user: User) -> DataExport:
    now = timezone.now()
    return DataExport.objects.create(
        user=user,
        status=DataExport.Status.READY,
        requested_at=now,
        ready_at=now,
        expires_at=now + timedelta(days=7),
    )


def test_an_export_link_names_only_the_export() -> None:
    user = signup()
    export = _ready_export(user)
    url = export_download_url(export=export)
    assert url is not None
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert _payload(token) == {"export": str(export.id)}
    assert export_link_open(token=token, user_id=user.pk) == export
    stranger = signup(username="bea", email="bea@example.org")
    with pytest.raises(NotFound):
        export_link_open(token=token, user_id=stranger.pk)
    assert uuid.UUID(_payload(token)["export"]) == export.id
