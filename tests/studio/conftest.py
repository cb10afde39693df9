"""Fixtures for the studio: owners and conversations."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.models import Conversation


@pytest.fixture
def guest_owner(db: None) -> Owner:
    return Owner(guest_id=guest_create().id)


@pytest.fixture
def other_guest_owner(db: None) -> Owner:
    return Owner(guest_id=guest_create().id)


@pytest.fixture
def user_owner(db: None) -> Owner:
    user = get_user_model().objects.create_user(username="ana", email="ana@example.org", password="x" * 12)
    return Owner(user_id=user.pk)


@pytest.fixture
def conversation(guest_owner: Owner) -> Conversation:
    return conversation_create(owner=guest_owner)
