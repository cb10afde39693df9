"""The product records its events where they happen: a tool run, a sign-up from a guest session, an upgrade;
nothing while the person's switch is off."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.analytics.models import Event
from nanobananas.billing.services import offline_subscription_activate
from nanobananas.privacy.services import privacy_settings_update
from nanobananas.studio.services import IncomingFile
from nanobananas.studio.tools import tool_run_start
from nanobananas.workflows.signup import account_signup
from tests.privacy.builders import png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.database]

ADULT = {"birth_month": 3, "birth_year": 1988}


def _signup(name: str, guest: Owner | None = None) -> Any:
    return account_signup(email=f"{name}@example.org", username=name, display_name=name.title(),
                          password="correct horse battery", link_base="http://testserver/", guest=guest,
                          **ADULT)  # fmt: skip


def test_a_tool_run_is_a_tool_used_event(commit: Any) -> None:
    owner = Owner(guest_id=guest_create().id)
    privacy_settings_update(owner, analytics=True)
    with commit():
        tool_run_start(owner=owner, name="upscale", params={}, files=[IncomingFile(name="a.png", data=png_bytes())])
    # The tool's job ran too (the queue runs at once in tests): its result is a finished generation.
    assert sorted(Event.objects.values_list("name", "label", "owner_kind")) == [
        ("generation_completed", "builtin", "guest"),
        ("generation_requested", "tools", "guest"),
        ("tool_used", "upscale", "guest"),
    ]


def test_a_guest_who_switched_analytics_on_is_counted_when_signing_up_and_a_new_account_is_not(commit: Any) -> None:
    guest = Owner(guest_id=guest_create().id)
    privacy_settings_update(guest, analytics=True)
    with commit():
        _signup("dee", guest=guest)
        _signup("eli")
    assert list(Event.objects.values_list("name", "label", "owner_kind")) == [("signed_up", "guest", "account")]


def test_an_upgrade_to_pro_is_recorded_once(commit: Any) -> None:
    user = get_user_model().objects.create_user(username="fay", email="fay@example.org", password="x" * 12)
    privacy_settings_update(Owner(user_id=user.pk), analytics=True)
    with commit():
        offline_subscription_activate(user_id=user.pk)
    assert list(Event.objects.values_list("name", "label")) == [("upgraded", "pro")]
