"""Pseudonymous analytics events: only while switched on, off the request path, unlinkable across months,
purged after NANOBANANAS_ANALYTICS_RAW_DAYS, nothing left that points at a deleted account."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.analytics.models import DailyAggregate, Event, MonthlySalt
from nanobananas.analytics.selectors import events_of_owner
from nanobananas.analytics.services import (
    STORE_EVENT_JOB,
    aggregates_refresh,
    analytics_record,
    browser_family,
    device_class,
    event_store,
    events_purge,
    pseudonym_of,
    salts_destroy,
)
from nanobananas.analytics.tasks import run_analytics_upkeep
from nanobananas.privacy.export import export_for_operator, export_request
from nanobananas.privacy.services import privacy_settings_update
from nanobananas.registry import jobs
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.services import message_send
from nanobananas.workflows.account_delete import account_delete

pytestmark = [pytest.mark.django_db, pytest.mark.database]

PASSWORD = "correct horse battery"
PROMPT_MARKER = "PROMPTMARK7731"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)
MARCH = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 3, 9, 30, tzinfo=UTC)


def _user(name: str) -> tuple[Client, Owner]:
    account = get_user_model().objects.create_user(username=name, email=f"{name}@example.org", password=PASSWORD)
    client = Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="203.0.113.77")
    client.force_login(account)
    return client, Owner(user_id=account.pk)


def _make_image(owner: Owner) -> None:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=f"a poster {PROMPT_MARKER}")
    assert job is not None
    job_run(job_id=job.id)


def _use_the_product(client: Client, owner: Owner) -> None:
    """A studio page view, an image made and an export requested."""
    assert client.get("/image/").status_code == 200
    _make_image(owner)
    export_request(user=get_user_model().objects.get(pk=owner.user_id))


def _table_bytes() -> str:
    """Every value of every row of the events, aggregates and salts tables, as one text."""
    tables = [Event._meta.db_table, DailyAggregate._meta.db_table]
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values += [repr(value) for row in cursor.fetchall() for value in row]
    return "\n".join(values)


def _payload(owner: Owner, name: str, at: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()), "user_id": owner.user_id,
        "guest_id": str(owner.guest_id) if owner.guest_id else None, "name": name,
        "label": fields.get("label", ""), "operation": fields.get("operation", ""),
        "duration_ms": fields.get("duration_ms"), "browser": "", "device": "", "at": at.isoformat(),
    }  # fmt: skip


def test_analytics_are_off_by_default_and_nothing_is_queued_or_stored(
    commit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, owner = _user("dana")
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setitem(jobs._JOBS, STORE_EVENT_JOB, lambda *args: queued.append(args))
    with commit():
        _use_the_product(client, owner)
        assert analytics_record(owner, "section_viewed", section="image") is False
    assert Event.objects.count() == 0
    assert MonthlySalt.objects.count() == 0
    assert queued == []


def test_with_analytics_on_the_real_events_are_stored_under_a_pseudonym_without_content(commit: Any) -> None:
    client, owner = _user("eli")
    privacy_settings_update(owner, analytics=True)
    with commit():
        _use_the_product(client, owner)
    rows = list(Event.objects.order_by("id"))
    assert [(e.name, e.label) for e in rows] == [
        ("section_viewed", "image"),
        ("generation_requested", "image"),
        ("generation_completed", "fake"),  # the test settings' provider
        ("export_requested", ""),
    ]
    assert (rows[0].browser, rows[0].device, rows[0].owner_kind) == ("firefox", "desktop", "account")
    assert rows[2].operation != ""
    assert rows[2].duration_ms is not None
    [secret] = MonthlySalt.objects.values_list("secret", flat=True)
    assert {e.pseudonym for e in rows} == {pseudonym_of(owner, bytes(secret))}
    assert all(e.at.second == 0 and e.at.microsecond == 0 for e in rows)


def test_switching_analytics_off_stops_events_at_once_even_those_already_queued(commit: Any) -> None:
    client, owner = _user("fia")
    privacy_settings_update(owner, analytics=True)
    with commit():
        client.get("/image/")
    assert Event.objects.count() == 1
    with commit():
        assert analytics_record(owner, "tool_used", tool="upscale") is True  # queued, waits for the commit
        response = client.patch("/api/v1/me/privacy", {"analytics": False}, content_type="application/json")
        assert response.json()["analytics"] is False
    with commit():
        _use_the_product(client, owner)
    assert list(Event.objects.values_list("name", flat=True)) == ["section_viewed"]


def test_guests_are_off_until_they_accept_and_one_owners_switch_is_not_anothers(commit: Any) -> None:
    guest = Owner(guest_id=guest_create().id)
    _, other = _user("hal")
    with commit():
        assert analytics_record(guest, "section_viewed", section="image") is False
        assert analytics_record(other, "section_viewed", section="image") is False
        assert analytics_record(None, "section_viewed", section="image") is False
    assert Event.objects.count() == 0
    privacy_settings_update(guest, analytics=True)
    with commit():
        assert analytics_record(guest, "section_viewed", section="image", user_agent=IPHONE) is True
    event = Event.objects.get()
    assert (event.owner_kind, event.browser, event.device) == ("guest", "safari", "mobile")


def test_bad_events_are_programming_errors_and_queue_nothing(commit: Any) -> None:
    _, owner = _user("ivy")
    privacy_settings_update(owner, analytics=True)
    with commit():
        with pytest.raises(ValueError, match="unknown analytics event"):
            analytics_record(owner, "prompt_typed")
        with pytest.raises(ValueError, match="takes no property"):
            analytics_record(owner, "section_viewed", section="image", prompt="x")
        with pytest.raises(ValueError, match="short code, not text"):
            analytics_record(owner, "tool_used", tool="a poster for my bakery")
        with pytest.raises(ValueError, match="short code, not text"):
            analytics_record(owner, "tool_used", tool="x" * 41)
        with pytest.raises(ValueError, match="milliseconds"):
            analytics_record(owner, "video_made", provider="builtin", duration_ms=-1)
    assert Event.objects.count() == 0


def test_a_task_that_runs_twice_stores_the_event_once() -> None:
    _, owner = _user("jo")
    privacy_settings_update(owner, analytics=True)
    payload = _payload(owner, "tool_used", datetime.now(UTC), label="upscale")
    assert event_store(payload=payload) is not None
    assert event_store(payload=payload) is None
    assert Event.objects.count() == 1


def test_a_byte_search_of_events_and_aggregates_finds_no_email_address_id_or_prompt(commit: Any) -> None:
    client, owner = _user("kim")
    guest = Owner(guest_id=guest_create().id)
    for person in (owner, guest):
        privacy_settings_update(person, analytics=True)
    guest_client = Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="198.51.100.23")
    session = guest_client.session
    with commit():
        _use_the_product(client, owner)
        analytics_record(guest, "section_viewed", section="image", user_agent=FIREFOX)
        analytics_record(guest, "signed_up", source="guest")
    assert session is not None
    aggregates_refresh()
    assert Event.objects.count() == 6
    assert DailyAggregate.objects.filter(metric="active_owners", dimension="").get().count == 2
    found = _table_bytes()
    assert "generation_completed" in found  # the search does see the rows
    assert guest.guest_id is not None
    for needle in (
        "kim@example.org", "kim", "203.0.113.77", "198.51.100.23", PROMPT_MARKER, "Mozilla", "Firefox/128",
        f"u{owner.user_id}", f"user:{owner.user_id}", str(guest.guest_id), guest.guest_id.hex,
    ):  # fmt: skip
        assert needle not in found, needle


def test_two_months_of_events_cannot_be_joined_once_the_first_months_salt_is_destroyed() -> None:
    _, ana = _user("ana")
    _, ben = _user("ben")
    for person in (ana, ben):
        privacy_settings_update(person, analytics=True)
    for moment in (MARCH, MARCH + timedelta(days=5), APRIL, APRIL + timedelta(days=5)):
        with time_machine.travel(moment, tick=False):
            for person in (ana, ben):
                assert event_store(payload=_payload(person, "section_viewed", moment, label="image")) is not None
    march = Event.objects.filter(at__lt=datetime(2026, 4, 1, tzinfo=UTC))
    april = Event.objects.filter(at__gte=datetime(2026, 4, 1, tzinfo=UTC))
    # Within a month one person is one pseudonym (daily active owners can be counted), across months another.
    assert len(set(march.values_list("pseudonym", flat=True))) == 2
    assert len(set(april.values_list("pseudonym", flat=True))) == 2
    assert not set(march.values_list("pseudonym", flat=True)) & set(april.values_list("pseudonym", flat=True))
    with time_machine.travel(APRIL + timedelta(days=6), tick=False):
        assert salts_destroy() == 1
    assert list(MonthlySalt.objects.values_list("month", flat=True)) == ["2026-04"]
    # No secret left computes a March pseudonym of either person: March can no longer be tied to April.
    left = [bytes(s) for s in MonthlySalt.objects.values_list("secret", flat=True)]
    candidates = {pseudonym_of(person, secret) for person in (ana, ben) for secret in left}
    assert not candidates & set(march.values_list("pseudonym", flat=True))
    assert candidates == set(april.values_list("pseudonym", flat=True))
    # A late event of the finished month is dropped: its salt is never made again.
    with time_machine.travel(APRIL + timedelta(days=6), tick=False):
        assert event_store(payload=_payload(ana, "section_viewed", MARCH, label="image")) is None
    assert MonthlySalt.objects.count() == 1


def test_raw_events_are_purged_after_90_days_and_their_aggregates_stay() -> None:
    _, owner = _user("cy")
    privacy_settings_update(owner, analytics=True)
    with time_machine.travel(MARCH, tick=False):
        event_store(payload=_payload(owner, "tool_used", MARCH, label="upscale"))
    with time_machine.travel(MARCH + timedelta(days=1), tick=False):
        event_store(payload=_payload(owner, "tool_used", MARCH + timedelta(days=1), label="erase"))
        aggregates_refresh()
    with time_machine.travel(MARCH + timedelta(days=90) - timedelta(minutes=1), tick=False):
        run_analytics_upkeep.call_local()
    assert Event.objects.count() == 2
    with time_machine.travel(MARCH + timedelta(days=90, minutes=1), tick=False):
        run_analytics_upkeep.call_local()  # the same hour's run: it ran already (once per interval)
    assert Event.objects.count() == 2
    with time_machine.travel(MARCH + timedelta(days=90, hours=1), tick=False):
        run_analytics_upkeep.call_local()
    assert list(Event.objects.values_list("label", flat=True)) == ["erase"]
    assert list(DailyAggregate.objects.filter(metric="tool_used", dimension="upscale").values_list("day", "count")) == [
        (date(2026, 3, 14), 1)
    ]
    assert MonthlySalt.objects.count() == 0  # March's (and nobody made one since)


def test_the_raw_days_setting_shortens_the_purge(settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "ANALYTICS_RAW_DAYS": 7}
    _, owner = _user("di")
    privacy_settings_update(owner, analytics=True)
    with time_machine.travel(MARCH, tick=False):
        event_store(payload=_payload(owner, "tool_used", MARCH, label="upscale"))
    assert events_purge(now=MARCH + timedelta(days=7) - timedelta(seconds=1)) == 0
    assert events_purge(now=MARCH + timedelta(days=7, seconds=1)) == 1


def test_daily_aggregates_match_a_known_seeded_set() -> None:
    owners = [_user(f"p{n}")[1] for n in range(3)]
    guest = Owner(guest_id=guest_create().id)
    for person in (*owners, guest):
        privacy_settings_update(person, analytics=True)
    day = MARCH
    seeded = [
        (owners[0], "generation_completed", {"label": "builtin", "operation": "poster", "duration_ms": 100}),
        (owners[0], "generation_completed", {"label": "builtin", "operation": "edit", "duration_ms": 300}),
        (owners[1], "generation_completed", {"label": "builtin", "operation": "poster", "duration_ms": 200}),
        (owners[1], "generation_completed", {"label": "gemini", "operation": "edit", "duration_ms": 4000}),
        (owners[2], "generation_completed", {"label": "builtin", "operation": "poster", "duration_ms": 1000}),
        (guest, "section_viewed", {"label": "image"}),
        (guest, "section_viewed", {"label": "tools"}),
        (owners[2], "error", {"label": "internal_error"}),
    ]
    with time_machine.travel(day, tick=False):
        for person, name, fields in seeded:
            assert event_store(payload=_payload(person, name, day, **fields)) is not None
        with time_machine.travel(day + timedelta(days=1, hours=1), tick=False):
            event_store(payload=_payload(guest, "section_viewed", day + timedelta(days=1), label="home"))
    with time_machine.travel(day + timedelta(days=1, hours=2), tick=False):
        assert aggregates_refresh() == [date(2026, 3, 14), date(2026, 3, 15)]
    rows = {
        (a.metric, a.dimension): (a.count, a.p50_ms, a.p95_ms)
        for a in DailyAggregate.objects.filter(day=date(2026, 3, 14))
    }
    assert rows == {
        ("generation_completed", ""): (5, 300, 4000),
        ("generation_completed", "builtin"): (4, 200, 1000),
        ("generation_completed", "gemini"): (1, 4000, 4000),
        ("section_viewed", ""): (2, None, None),
        ("section_viewed", "image"): (1, None, None),
        ("section_viewed", "tools"): (1, None, None),
        ("error", ""): (1, None, None),
        ("error", "internal_error"): (1, None, None),
        ("active_owners", ""): (4, None, None),
        ("active_owners", "account"): (3, None, None),
        ("active_owners", "guest"): (1, None, None),
    }
    # Rebuilding is idempotent, and a day whose raw events are gone keeps its numbers.
    with time_machine.travel(day + timedelta(days=1, hours=3), tick=False):
        aggregates_refresh()
    assert DailyAggregate.objects.filter(day=date(2026, 3, 14)).count() == 11
    Event.objects.filter(day=date(2026, 3, 14)).delete()
    with time_machine.travel(day + timedelta(days=1, hours=4), tick=False):
        assert aggregates_refresh() == [date(2026, 3, 15)]
    assert DailyAggregate.objects.filter(day=date(2026, 3, 14)).count() == 11


def test_account_deletion_leaves_no_event_that_any_stored_secret_ties_to_the_person(commit: Any) -> None:
    client, owner = _user("eve")
    other_client, other = _user("finn")
    for person in (owner, other):
        privacy_settings_update(person, analytics=True)
    with time_machine.travel(MARCH, tick=False):
        event_store(payload=_payload(owner, "tool_used", MARCH, label="upscale"))
    salts_destroy()  # March is over: its events name nobody
    with commit():
        client.get("/image/")
        other_client.get("/image/")
    assert len(events_of_owner(owner=owner)) == 1
    user = get_user_model().objects.get(pk=owner.user_id)
    with commit():
        account_delete(user=user, password=PASSWORD, phrase="delete my account")
    assert events_of_owner(owner=owner) == []
    secrets_left = [bytes(s) for s in MonthlySalt.objects.values_list("secret", flat=True)]
    remaining = set(Event.objects.values_list("pseudonym", flat=True))
    assert not {pseudonym_of(owner, secret) for secret in secrets_left} & remaining
    assert len(remaining) == 2  # March's unlinkable event and the other person's
    assert len(events_of_owner(owner=other)) == 1
    found = _table_bytes()
    assert f"u{owner.user_id}" not in found
    assert "eve@example.org" not in found


def test_the_data_export_holds_this_months_own_events_and_no_one_elses(commit: Any, tmp_path: Path) -> None:
    client, owner = _user("gil")
    other_client, other = _user("lou")
    for person in (owner, other):
        privacy_settings_update(person, analytics=True)
    with commit():
        client.get("/image/")
        other_client.get("/image/")
        _make_image(other)
    archive = export_for_operator(email="gil@example.org", output=tmp_path / "gil.zip")
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as bundle:
        analytics = json.loads(bundle.read("analytics.json"))
    [event] = analytics
    assert {k: v for k, v in event.items() if k != "at"} == {
        "name": "section_viewed", "label": "image", "operation": "", "duration_ms": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("agent", "family", "device"),
    [
        (FIREFOX, "firefox", "desktop"),
        (IPHONE, "safari", "mobile"),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0", "edge", "desktop"),
        ("Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/120.0 Safari/537.36", "chrome", "tablet"),
        ("curl/8.5.0", "other", "desktop"),
        ("", "", ""),
    ],
)
def test_only_a_browser_family_and_device_class_are_taken_from_the_user_agent(
    agent: str, family: str, device: str
) -> None:
    assert (browser_family(agent), device_class(agent)) == (family, device)
