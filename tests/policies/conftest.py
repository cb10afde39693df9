"""Fixtures for policies: users who joined before a new version, and a published second version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from nanobananas.policies.models import PolicyDocument
from nanobananas.policies.services import policy_publish

PASSWORD = "policy pages are public 9"


def member(username: str, *, active: bool = True, joined_minutes_ago: int = 10) -> User:
    """An account made `joined_minutes_ago` minutes ago: after the shipped first versions, before any
    version a test publishes."""
    user = User.objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, is_active=active
    )
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(minutes=joined_minutes_ago))
    user.refresh_from_db()
    return user


CHANGE = "Analytics are now off by default."


def draft(kind: str = "privacy", version: str = "2", summary: str = CHANGE) -> PolicyDocument:
    return PolicyDocument.objects.create(
        kind=kind,
        version=version,
        title="Privacy policy" if kind == "privacy" else "Terms of use",
        body=f"# What changed\n\nVersion {version} text.\n\n- first point\n- second point\n",
        summary=summary,
    )


def published(kind: str = "privacy", version: str = "2") -> PolicyDocument:
    return policy_publish(document=draft(kind, version), by=None)


def signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def ana(db: None) -> User:
    return member("ana")
