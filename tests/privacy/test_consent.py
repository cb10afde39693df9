"""The consent ledger: append-only, with the policy version, carried from a guest into an account, exported."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Guest
from nanobananas.accounts.services import guest_create
from nanobananas.core.exceptions import Conflict
from nanobananas.policies.selectors import current_version
from nanobananas.privacy.export import export_for_operator
from nanobananas.privacy.models import CommercialImage, ConsentEvent, PrivacySettings
from nanobananas.privacy.selectors import commercial_image_ids, consent_events, privacy_settings_get
from nanobananas.privacy.services import (
    commercial_image_set,
    privacy_settings_carry_over,
    privacy_settings_update,
    retention_purge,
)
from nanobananas.studio.models import Asset
from nanobananas.workflows.signup import account_signup
from tests.accounts.conftest import PASSWORD, make_asset

pytestmark = [pytest.mark.django_db, pytest.mark.database]

# After the first policy version was published (versions are published at install time, "now").
AT = datetime(2027, 1, 4, 14, 0, tzinfo=UTC)


def _user(name: str) -> Owner:
    account = get_user_model().objects.create_user(username=name, email=f"{name}@example.org", password="x" * 12)
    return Owner(user_id=account.pk)


def _ledger(owner: Owner) -> list[tuple[str, bool, bool, datetime, str, str]]:
    return [
        (e.setting, e.old_value, e.new_value, e.at, e.policy_version, e.source) for e in consent_events(owner=owner)
    ]


def test_the_version_of_the_privacy_policy_in_force_is_recorded() -> None:
    owner = _user("mia")
    document = current_version(kind="privacy")
    assert document is not None
    privacy_settings_update(owner, improve_ai=True)
    assert ConsentEvent.objects.get().policy_version == document.version != ""


def test_the_ledger_is_append_only() -> None:
    owner = _user("ned")
    privacy_settings_update(owner, improve_ai=True)
    event = ConsentEvent.objects.get()
    event.new_value = False
    for attempt in (
        event.save,
        event.delete,
        lambda: ConsentEvent.objects.filter(id=event.id).update(new_value=False),
        lambda: ConsentEvent.objects.filter(id=event.id).delete(),
    ):
        with pytest.raises(Conflict) as caught:
            attempt()
        assert caught.value.code == "ledger_append_only"
    stored = ConsentEvent.objects.get()
    assert (stored.setting, stored.old_value, stored.new_value) == ("improve_ai", False, True)


def test_the_ledger_goes_with_its_guest_and_only_with_it() -> None:
    guest = Owner(guest_id=guest_create().id)
    owner = _user("ora")
    privacy_settings_update(guest, third_party_ai=False)
    privacy_settings_update(owner, analytics=True)
    Guest.objects.filter(id=guest.guest_id).delete()
    assert list(ConsentEvent.objects.values_list("setting", flat=True)) == ["analytics"]
    assert list(PrivacySettings.objects.values_list("owner_user_id", flat=True)) == [owner.user_id]


def test_a_guest_who_signs_up_keeps_their_choices_and_their_ledger() -> None:
    guest = Owner(guest_id=guest_create().id)
    with time_machine.travel(AT, tick=False):
        privacy_settings_update(guest, improve_ai=True, third_party_ai=False)
    version = ConsentEvent.objects.first().policy_version  # type: ignore[union-attr]
    account = account_signup(
        email="pia@example.org",
        username="pia",
        display_name="Pia",
        password=PASSWORD,
        link_base="http://t/",
        guest=guest,
        birth_month=1,
        birth_year=1990,
    )
    owner = Owner(user_id=account.pk)
    chosen = privacy_settings_get(owner)
    assert chosen.pk is not None
    assert (chosen.improve_ai, chosen.third_party_ai, chosen.analytics) == (True, False, False)
    assert _ledger(owner) == [
        ("third_party_ai", True, False, AT, version, "carried_over"),
        ("improve_ai", False, True, AT, version, "carried_over"),
    ]
    # The guest's own rows stay with the guest (and go when it is purged).
    assert len(_ledger(guest)) == 2


def test_an_account_with_its_own_settings_keeps_them() -> None:
    guest = Owner(guest_id=guest_create().id)
    owner = _user("quin")
    privacy_settings_update(guest, improve_ai=True, analytics=True)
    privacy_settings_update(owner, email_tips=True)
    assert privacy_settings_carry_over(source=guest, target=owner) is False
    chosen = privacy_settings_get(owner)
    assert (chosen.improve_ai, chosen.analytics, chosen.email_tips) == (False, False, True)
    assert [e[0] for e in _ledger(owner)] == ["email_tips"]


def test_nothing_is_carried_when_the_guest_never_chose() -> None:
    guest = Owner(guest_id=guest_create().id)
    owner = _user("rio")
    assert privacy_settings_carry_over(source=guest, target=owner) is False
    assert privacy_settings_carry_over(source=owner, target=owner) is False
    assert (PrivacySettings.objects.count(), ConsentEvent.objects.count()) == (0, 0)


def test_the_export_holds_the_settings_and_the_whole_ledger(tmp_path: Path) -> None:
    owner = _user("sol")
    other = _user("tam")
    asset = make_asset(owner, created_hours_ago=1)
    with time_machine.travel(AT, tick=False):
        privacy_settings_update(owner, improve_ai=True, commercial_use=True)
        commercial_image_set(owner=owner, asset_id=asset.id, commercial=True)
        privacy_settings_update(other, analytics=True, email_product_news=True)
    version = current_version(kind="privacy").version  # type: ignore[union-attr]
    archive = export_for_operator(email="sol@example.org", output=tmp_path / "sol.zip")
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as bundle:
        account = json.loads(bundle.read("account.json"))
    stamp = "2027-01-04T14:00:00Z"
    assert account["privacy_settings"] == {
        "improve_ai": True,
        "commercial_use": True,
        "commercial_training": False,
        "analytics": False,
        "third_party_ai": True,
        "personalization": True,
        "email_product_news": False,
        "email_tips": False,
        "changed_at": stamp,
        "commercial_images": [str(asset.id)],
    }
    assert account["consents"] == [
        {"setting": "improve_ai", "subject": "", "old": False, "new": True, "at": stamp,
         "policy_version": version, "source": "settings"},
        {"setting": "commercial_use", "subject": "", "old": False, "new": True, "at": stamp,
         "policy_version": version, "source": "settings"},
        {"setting": "commercial_image", "subject": str(asset.id), "old": False, "new": True, "at": stamp,
         "policy_version": version, "source": "settings"},
    ]  # fmt: skip


def test_the_purge_deletes_the_commercial_mark_with_its_image() -> None:
    owner = _user("uma")
    asset = make_asset(owner, created_hours_ago=1)
    kept = make_asset(owner, created_hours_ago=1)
    commercial_image_set(owner=owner, asset_id=asset.id, commercial=True)
    commercial_image_set(owner=owner, asset_id=kept.id, commercial=True)
    Asset.objects.filter(id=asset.id).update(state="queued", queued_at=AT)
    assert commercial_image_ids(owner=owner) == [kept.id]  # hidden at once, like the image
    assert retention_purge().purged["asset"] == 1
    assert not Asset.objects.filter(id=asset.id).exists()
    assert list(CommercialImage.objects.values_list("asset_id", flat=True)) == [kept.id]
    # The ledger keeps the record that the mark was made (ids only, no content).
    assert [(e.setting, e.subject) for e in consent_events(owner=owner)][-1] == ("commercial_image", str(asset.id))
