"""The footer tells each visitor how long their own work is kept: guest, free and Pro (48 h or 7 days)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from nanobananas.accounts.models import Plan
from nanobananas.accounts.services import plan_change, retention_set
from tests.accounts.conftest import PASSWORD, signup

pytestmark = pytest.mark.django_db


def _notice(client: Client, path: str = "/") -> str:
    html = client.get(path).content.decode()
    return re.search(r'<span id="retention-notice">(.*?)</span>', html, re.S).group(1).strip()  # type: ignore[union-attr]


def _signed_in(user: User) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_a_guest_is_told_the_guest_retention() -> None:
    assert (
        _notice(Client())
        == "Runs on your own machine. As a guest, your images are deleted 24 hours after they are made."
    )


def test_a_free_user_is_told_48_hours_not_the_guest_rule() -> None:
    assert _notice(_signed_in(signup()), "/image/") == (
        "Runs on your own machine. Your images are deleted 48 hours after they are made."
    )


def test_a_pro_user_who_chose_7_days_is_told_7_days() -> None:
    user = signup()
    plan_change(user_id=user.pk, plan_code=Plan.PRO)
    retention_set(user=user, hours=168)
    assert _notice(_signed_in(user), "/me/") == (
        "Runs on your own machine. Your images are deleted 7 days after they are made."
    )
