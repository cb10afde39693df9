"""Fixtures for accounts: a signed-up user and a browser signed in as them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import account_signup
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.models import Asset, Message

PASSWORD = "correct horse battery"
# A birth month and year past the age gate, for callers of `account_signup`.
ADULT = {"birth_month": 1, "birth_year": 1990}


def signup(username: str = "ana", email: str = "ana@example.org", display_name: str = "Ana Lima") -> User:
    return account_signup(
        email=email,
        username=username,
        display_name=display_name,
        password=PASSWORD,
        link_base="http://testserver/",
        **ADULT,
    )


def make_asset(owner: Owner, created_hours_ago: int) -> Asset:
    """An image result with real bytes in storage, made `created_hours_ago` hours ago."""
    conversation = conversation_create(owner=owner)
    blob = default_storage.save(f"results/{owner.key}/{uuid.uuid4()}.png", ContentFile(b"pixels"))
    created = timezone.now() - timedelta(hours=created_hours_ago)
    message = Message.objects.create(
        conversation=conversation, role=Message.Role.USER, text="a poster", expires_at=created + timedelta(days=365)
    )
    return Asset.objects.create(
        conversation=conversation,
        message=message,
        kind=Asset.Kind.RESULT,
        number=1,
        operation="create",
        blob_name=blob,
        content_type="image/png",
        width=1,
        height=1,
        byte_size=1,
        sha256="0" * 64,
        created_at=created,
        expires_at=created + timedelta(hours=48),
        owner_user_id=owner.user_id,
        owner_guest_id=owner.guest_id,
    )


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run on-commit work (mail) inside the test's transaction, as a real commit would."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def user(db: None) -> User:
    return signup()


@pytest.fixture
def user_client(user: User) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    return client
