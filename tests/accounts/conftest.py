"""Fixtures for accounts: a signed-up user and a browser signed in as them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from nanobananas.accounts.services import account_signup

PASSWORD = "correct horse battery"


def signup(username: str = "ana", email: str = "ana@example.org", display_name: str = "Ana Lima") -> User:
    return account_signup(
        email=email, username=username, display_name=display_name, password=PASSWORD, link_base="http://testserver/"
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
