"""Privacy settings: defaults, each toggle persisted and ledgered, guests, bad input changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.audit.models import AuditEvent
from nanobananas.core.exceptions import InvalidInput
from nanobananas.privacy.models import ConsentEvent, PrivacySettings
from nanobananas.privacy.selectors import (
    SETTING_NAMES,
    analytics_allowed,
    consent_events,
    privacy_settings_get,
    third_party_ai_allowed,
)
from nanobananas.privacy.services import privacy_settings_update

pytestmark = [pytest.mark.django_db, pytest.mark.database]

AT = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
DEFAULTS = {
    "improve_ai": False,
    "commercial_use": False,
    "commercial_training": False,
    "analytics": False,
    "third_party_ai": True,
    "personalization": True,
    "email_product_news": False,
    "email_tips": False,
}


@pytest.fixture
def user() -> Owner:
    account = get_user_model().objects.create_user(username="rowan", email="rowan@example.org", password="x" * 12)
    return Owner(user_id=account.pk)


@pytest.fixture
def guest() -> Owner:
    return Owner(guest_id=guest_create().id)


def _values(row: PrivacySettings) -> dict[str, bool]:
    return {name: getattr(row, name) for name in SETTING_NAMES}


@pytest.mark.parametrize("kind", ["user", "guest"])
def test_an_owner_without_a_row_has_the_privacy_first_defaults(request: pytest.FixtureRequest, kind: str) -> None:
    owner: Owner = request.getfixturevalue(kind)
    settings_row = privacy_settings_get(owner)
    assert settings_row.pk is None
    assert _values(settings_row) == DEFAULTS
    assert third_party_ai_allowed(owner) is True
    assert analytics_allowed(owner) is False
    assert PrivacySettings.objects.count() == 0


def test_a_visitor_without_any_identity_gets_the_defaults_too() -> None:
    assert _values(privacy_settings_get(None)) == DEFAULTS
    assert third_party_ai_allowed(None) is True
    assert analytics_allowed(None) is False


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_each_toggle_is_persisted_and_ledgered_old_to_new(user: Owner, name: str) -> None:
    new = not DEFAULTS[name]
    with time_machine.travel(AT, tick=False):
        privacy_settings_update(user, **{name: new})
    stored = PrivacySettings.objects.get(owner_user_id=user.user_id)
    assert _values(stored) == {**DEFAULTS, name: new}
    events = list(ConsentEvent.objects.filter(owner_user_id=user.user_id).values_list(
        "setting", "subject", "old_value", "new_value", "at", "policy_version", "source"
    ))  # fmt: skip
    assert events == [(name, "", DEFAULTS[name], new, AT, "", "settings")]
    audit = AuditEvent.objects.filter(kind="privacy.settings_changed").get()
    assert (audit.owner_key, audit.details) == (user.key, {name: new})


def test_third_party_opt_out_is_read_by_the_provider_check(user: Owner, guest: Owner) -> None:
    privacy_settings_update(user, third_party_ai=False)
    assert third_party_ai_allowed(user) is False
    assert third_party_ai_allowed(guest) is True
    privacy_settings_update(user, third_party_ai=True)
    assert third_party_ai_allowed(user) is True


def test_setting_a_value_it_already_has_writes_no_ledger_entry(user: Owner) -> None:
    privacy_settings_update(user, improve_ai=False, third_party_ai=True)
    assert (PrivacySettings.objects.count(), ConsentEvent.objects.count()) == (0, 0)
    privacy_settings_update(user, analytics=True)
    privacy_settings_update(user, analytics=True, improve_ai=False)
    assert [(e.setting, e.old_value, e.new_value) for e in consent_events(owner=user)] == [("analytics", False, True)]


def test_the_ledger_lists_newest_first_and_keeps_every_change(user: Owner) -> None:
    with time_machine.travel(AT, tick=False):
        privacy_settings_update(user, improve_ai=True)
    with time_machine.travel(datetime(2026, 7, 2, tzinfo=UTC), tick=False):
        privacy_settings_update(user, improve_ai=False, email_tips=True)
    rows = [(e.setting, e.old_value, e.new_value, e.at.day) for e in consent_events(owner=user)]
    assert rows == [("email_tips", False, True, 2), ("improve_ai", True, False, 2), ("improve_ai", False, True, 1)]


def test_the_policy_version_in_force_is_recorded(user: Owner, monkeypatch: pytest.MonkeyPatch) -> None:
    from nanobananas.privacy import services

    monkeypatch.setattr(services, "_policy_version", lambda: "2026-06")
    privacy_settings_update(user, improve_ai=True)
    assert ConsentEvent.objects.get(owner_user_id=user.user_id).policy_version == "2026-06"


def test_guests_have_their_own_settings_and_ledger(guest: Owner, user: Owner) -> None:
    privacy_settings_update(guest, improve_ai=True, third_party_ai=False)
    assert _values(privacy_settings_get(guest)) == {**DEFAULTS, "improve_ai": True, "third_party_ai": False}
    assert third_party_ai_allowed(guest) is False
    # One request: the same time, in the order the settings are listed; newest first.
    assert [(e.setting, e.new_value) for e in consent_events(owner=guest)] == [
        ("third_party_ai", False),
        ("improve_ai", True),
    ]
    assert _values(privacy_settings_get(user)) == DEFAULTS
    assert consent_events(owner=user) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"improve_ai": "yes"}, "invalid_setting"),
        ({"improve_ai": 1}, "invalid_setting"),
        ({"improve_ai": None}, "invalid_setting"),
        ({"improve_ai": True, "share_everything": True}, "unknown_setting"),
        ({"improve_ai": True, "analytics": "on"}, "invalid_setting"),
    ],
)
def test_a_bad_name_or_value_rejects_the_whole_change(user: Owner, changes: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        privacy_settings_update(user, **changes)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert PrivacySettings.objects.count() == 0
    assert ConsentEvent.objects.count() == 0


def test_guests_cannot_choose_email_preferences_and_nothing_changes(guest: Owner) -> None:
    with pytest.raises(InvalidInput) as caught:
        privacy_settings_update(guest, improve_ai=True, email_tips=True)
    assert caught.value.code == "guest_no_email"
    assert (PrivacySettings.objects.count(), ConsentEvent.objects.count()) == (0, 0)
