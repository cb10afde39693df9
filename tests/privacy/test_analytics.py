"""First-party analytics: nothing while the setting is off, real product events while on, 13-month expiry."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.privacy.export import export_for_operator, export_request
from nanobananas.privacy.models import AnalyticsEvent
from nanobananas.privacy.services import analytics_expire, analytics_record, privacy_settings_update, retention_purge
from nanobananas.studio.services import conversation_create, job_run, message_send

pytestmark = [pytest.mark.django_db, pytest.mark.database]

AT = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)


def _user(name: str) -> tuple[Client, Owner]:
    account = get_user_model().objects.create_user(username=name, email=f"{name}@example.org", password="x" * 12)
    client = Client()
    client.force_login(account)
    return client, Owner(user_id=account.pk)


def _make_image(owner: Owner) -> None:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster for my bakery")
    assert job is not None
    job_run(job_id=job.id)


def _use_the_product(client: Client, owner: Owner) -> None:
    """A studio page view, an image made and an export requested: the three recorded product events."""
    assert client.get("/image/").status_code == 200
    _make_image(owner)
    export_request(user=get_user_model().objects.get(pk=owner.user_id))


def _events(owner: Owner) -> list[tuple[str, dict[str, object]]]:
    rows = AnalyticsEvent.objects.filter(owner_user_id=owner.user_id).order_by("id")
    return [(e.name, e.props) for e in rows]


def test_analytics_are_off_by_default_and_record_nothing() -> None:
    client, owner = _user("dana")
    _use_the_product(client, owner)
    assert analytics_record(owner, "page_view", page="image") is None
    assert AnalyticsEvent.objects.count() == 0


def test_with_analytics_on_the_real_product_events_are_recorded_without_content() -> None:
    client, owner = _user("eli")
    privacy_settings_update(owner, analytics=True)
    _use_the_product(client, owner)
    events = _events(owner)
    assert [name for name, _ in events] == ["page_view", "image_made", "export_requested"]
    assert events[0][1] == {"page": "image"}
    assert set(events[1][1]) == {"operation", "provider"}
    assert events[2][1] == {}
    assert "bakery" not in json.dumps([props for _, props in events])


def test_switching_analytics_off_stops_every_event_from_that_moment() -> None:
    client, owner = _user("fia")
    privacy_settings_update(owner, analytics=True)
    client.get("/image/")
    before = list(AnalyticsEvent.objects.values_list("id", flat=True))
    assert len(before) == 1
    response = client.patch("/api/v1/me/privacy", {"analytics": False}, content_type="application/json")
    assert response.json()["analytics"] is False
    _use_the_product(client, owner)
    assert list(AnalyticsEvent.objects.values_list("id", flat=True)) == before


def test_one_owners_setting_does_not_switch_on_anothers_events() -> None:
    client_on, on = _user("gus")
    client_off, off = _user("hal")
    privacy_settings_update(on, analytics=True)
    client_on.get("/image/")
    client_off.get("/image/")
    guest = Owner(guest_id=guest_create().id)
    assert analytics_record(guest, "page_view", page="image") is None
    assert analytics_record(None, "page_view", page="image") is None
    assert (_events(on), _events(off)) == ([("page_view", {"page": "image"})], [])
    assert AnalyticsEvent.objects.count() == 1


def test_guests_who_switch_analytics_on_are_recorded_too() -> None:
    guest = Owner(guest_id=guest_create().id)
    privacy_settings_update(guest, analytics=True)
    event = analytics_record(guest, "page_view", page="image")
    assert event is not None
    assert (event.owner_guest_id, event.owner_user_id, event.name) == (guest.guest_id, None, "page_view")


def test_unknown_events_and_properties_are_programming_errors_and_texts_are_cut() -> None:
    _, owner = _user("ivy")
    privacy_settings_update(owner, analytics=True)
    with pytest.raises(ValueError, match="unknown analytics event"):
        analytics_record(owner, "prompt_typed")
    with pytest.raises(ValueError, match="takes no property"):
        analytics_record(owner, "page_view", page="image", prompt="a cat")
    with pytest.raises(ValueError, match="short code"):
        analytics_record(owner, "page_view", page=["image"])  # type: ignore[arg-type]
    assert AnalyticsEvent.objects.count() == 0
    event = analytics_record(owner, "image_made", operation="edit", provider="p" * 100)
    assert event is not None
    assert event.props == {"operation": "edit", "provider": "p" * 40}


def test_events_expire_after_13_months_through_the_retention_purge() -> None:
    _, owner = _user("jon")
    privacy_settings_update(owner, analytics=True)
    with time_machine.travel(datetime(2026, 3, 15, 10, 0, tzinfo=UTC), tick=False):
        old = analytics_record(owner, "page_view", page="image")
    with time_machine.travel(datetime(2026, 4, 20, 10, 0, tzinfo=UTC), tick=False):
        newer = analytics_record(owner, "page_view", page="image")
    assert old is not None
    assert newer is not None
    with time_machine.travel(datetime(2027, 4, 15, 9, 59, 59, tzinfo=UTC), tick=False):
        assert "analytics_event" not in retention_purge().purged
    assert AnalyticsEvent.objects.count() == 2
    with time_machine.travel(datetime(2027, 4, 15, 10, 0, 1, tzinfo=UTC), tick=False):
        assert retention_purge().purged["analytics_event"] == 1
    assert list(AnalyticsEvent.objects.values_list("id", flat=True)) == [newer.id]


def test_an_event_from_the_end_of_a_month_is_kept_through_the_shorter_month_13_months_later() -> None:
    _, owner = _user("kai")
    privacy_settings_update(owner, analytics=True)
    with time_machine.travel(AT, tick=False):  # 31 March
        analytics_record(owner, "page_view", page="image")
    assert analytics_expire(now=datetime(2027, 4, 30, 23, 59, tzinfo=UTC)) == 0
    assert analytics_expire(now=datetime(2027, 5, 1, 0, 0, tzinfo=UTC)) == 1
    assert AnalyticsEvent.objects.count() == 0


def test_the_data_export_holds_the_users_events_and_no_one_elses(tmp_path: Path) -> None:
    client, owner = _user("kim")
    other_client, other = _user("lou")
    for person in (owner, other):
        privacy_settings_update(person, analytics=True)
    with time_machine.travel(AT, tick=False):
        client.get("/image/")
        other_client.get("/image/")
        _make_image(other)
    archive = export_for_operator(email="kim@example.org", output=tmp_path / "kim.zip")
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as bundle:
        analytics = json.loads(bundle.read("analytics.json"))
    assert analytics == [{"name": "page_view", "at": "2026-03-31T10:00:00Z", "props": {"page": "image"}}]
