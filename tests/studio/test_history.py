"""History search: the owner's own live images and uploads, searched by sealed prompt text, filtered, paged."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from nanobananas.accounts.identity import GUEST_SESSION_KEY, Owner
from nanobananas.core.exceptions import InvalidInput
from nanobananas.studio.assets import asset_delete
from nanobananas.studio.conversations import conversation_create, conversation_delete
from nanobananas.studio.history import history_search
from nanobananas.studio.models import Asset, Conversation, Job, Message

pytestmark = [pytest.mark.django_db, pytest.mark.database]

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
MARKER = "MARKEROTHERz93q"


def _owner_fields(owner: Owner) -> dict[str, object]:
    return {"owner_user_id": owner.user_id, "owner_guest_id": owner.guest_id}


def make_item(
    owner: Owner,
    prompt: str,
    *,
    at: datetime,
    kind: str = "result",
    conversation: Conversation | None = None,
) -> Asset:
    """A user turn with `prompt` and what it made: a result (through a job) or an upload carried by the turn."""
    conversation = conversation or conversation_create(owner=owner, title=f"chat {uuid.uuid4().hex[:6]}")
    turn = Message.objects.create(
        conversation=conversation, role=Message.Role.USER, text=prompt, expires_at=at + timedelta(days=365)
    )
    number = Asset.objects.filter(conversation=conversation, kind=kind).count() + 1
    common = dict(
        conversation=conversation, kind=kind, number=number, blob_name=f"blobs/{uuid.uuid4()}.png",
        content_type="image/png", width=64, height=48, byte_size=10, sha256="0" * 64, created_at=at,
        expires_at=at + timedelta(hours=48), **_owner_fields(owner),
    )  # fmt: skip
    if kind == "upload":
        return Asset.objects.create(message=turn, operation="upload", **common)
    job = Job.objects.create(
        conversation=conversation, number=Job.objects.filter(conversation=conversation).count() + 1,
        request=turn, status=Job.Status.DONE, queued_at=at, provider="builtin",
    )  # fmt: skip
    reply = Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, text="Here it is.", expires_at=at + timedelta(days=365)
    )
    return Asset.objects.create(
        message=reply, job=job, operation="generate", provider="builtin", model="planner-1", **common
    )


@pytest.fixture
def ana() -> Owner:
    user = get_user_model().objects.create_user(username="ana", email="ana@example.org", password="x" * 12)
    return Owner(user_id=user.pk)


@pytest.fixture
def bo() -> Owner:
    user = get_user_model().objects.create_user(username="bo", email="bo@example.org", password="x" * 12)
    return Owner(user_id=user.pk)


def _ids(page: object) -> list[uuid.UUID]:
    return [item.asset_id for item in page.items]  # type: ignore[attr-defined]


def test_search_finds_the_owners_own_prompt_ignoring_case_and_accents(ana: Owner, bo: Owner) -> None:
    cafe = make_item(ana, "A poster for the Café Lumière grand opening", at=T0)
    make_item(ana, "a birthday card", at=T0 + timedelta(hours=1))
    theirs = make_item(bo, f"a poster for the cafe lumiere {MARKER}", at=T0 + timedelta(hours=2))

    for query in ["cafe lumiere", "CAFÉ", "  grand   OPENING ", "lumière"]:
        page = history_search(owner=ana, q=query)
        assert _ids(page) == [cafe.id], query
    item = history_search(owner=ana, q="cafe").items[0]
    assert item.prompt == "A poster for the Café Lumière grand opening"
    assert (item.kind, item.version, item.provider, item.model) == ("result", 1, "builtin", "planner-1")
    assert (item.created_at, item.expires_at) == (T0, T0 + timedelta(hours=48))
    assert item.conversation_id == cafe.conversation_id

    assert history_search(owner=ana, q=MARKER.lower()).items == []
    assert _ids(history_search(owner=bo, q="cafe")) == [theirs.id]
    all_of_ana = history_search(owner=ana)
    assert theirs.id not in _ids(all_of_ana)
    assert MARKER not in repr(all_of_ana)


def test_uploads_carry_the_prompt_of_their_turn_and_kind_filters(ana: Owner) -> None:
    upload = make_item(ana, "make this photo black and white", at=T0, kind="upload")
    result = make_item(ana, "a poster for a bakery", at=T0 + timedelta(minutes=5))
    assert _ids(history_search(owner=ana, kind="upload")) == [upload.id]
    assert _ids(history_search(owner=ana, kind="result")) == [result.id]
    assert _ids(history_search(owner=ana)) == [result.id, upload.id]
    found = history_search(owner=ana, q="black and white").items[0]
    assert (found.kind, found.provider, found.prompt) == ("upload", "", "make this photo black and white")


def test_date_filters_take_whole_days_and_times(ana: Owner) -> None:
    day1 = make_item(ana, "first", at=T0)
    day2 = make_item(ana, "second", at=T0 + timedelta(days=1))
    day3 = make_item(ana, "third", at=T0 + timedelta(days=2, hours=5))  # 30 Nov, 14:00
    assert _ids(history_search(owner=ana, since="2026-11-29")) == [day3.id, day2.id]
    assert _ids(history_search(owner=ana, until="2026-11-29")) == [day2.id, day1.id]
    assert _ids(history_search(owner=ana, since="2026-11-29", until="2026-11-29")) == [day2.id]
    assert _ids(history_search(owner=ana, since="2026-11-30T14:00:00Z")) == [day3.id]
    assert _ids(history_search(owner=ana, until="2026-11-30T13:59:59+00:00")) == [day2.id, day1.id]


def test_queued_and_deleted_items_never_appear(ana: Owner) -> None:
    kept = make_item(ana, "kept poster", at=T0)
    deleted = make_item(ana, "deleted poster", at=T0 + timedelta(minutes=1))
    in_deleted_chat = make_item(ana, "poster in a deleted chat", at=T0 + timedelta(minutes=2))
    asset_delete(owner=ana, asset_id=deleted.id)
    conversation_delete(owner=ana, conversation_id=in_deleted_chat.conversation_id)
    assert _ids(history_search(owner=ana, q="poster")) == [kept.id]
    assert _ids(history_search(owner=ana)) == [kept.id]


def test_pages_are_stable_while_new_items_arrive(ana: Owner) -> None:
    made = [make_item(ana, f"poster number {n}", at=T0 + timedelta(minutes=n)) for n in range(7)]
    newest_first = [a.id for a in reversed(made)]
    first = history_search(owner=ana, q="poster", limit=3)
    assert _ids(first) == newest_first[:3]
    assert first.next_cursor is not None
    make_item(ana, "poster arriving later", at=T0 + timedelta(hours=5))
    second = history_search(owner=ana, q="poster", limit=3, cursor=first.next_cursor)
    assert _ids(second) == newest_first[3:6]
    third = history_search(owner=ana, q="poster", limit=3, cursor=second.next_cursor)
    assert _ids(third) == newest_first[6:]
    assert third.next_cursor is None


def test_items_made_at_the_same_moment_are_paged_without_loss_or_repeats(ana: Owner) -> None:
    same = [make_item(ana, "twin", at=T0) for _ in range(5)]
    seen: list[uuid.UUID] = []
    cursor = None
    while True:
        page = history_search(owner=ana, limit=2, cursor=cursor)
        seen += _ids(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(a.id for a in same)
    assert len(seen) == 5


def test_search_reads_past_many_non_matching_items(ana: Owner, monkeypatch: pytest.MonkeyPatch) -> None:
    from nanobananas.studio import history

    monkeypatch.setattr(history, "SCAN_CHUNK", 3)
    needle = make_item(ana, "the lighthouse poster", at=T0)
    for n in range(10):
        make_item(ana, f"filler {n}", at=T0 + timedelta(minutes=n + 1))
    page = history_search(owner=ana, q="lighthouse", limit=5)
    assert _ids(page) == [needle.id]
    assert page.next_cursor is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "film"}, "kind: one of upload, result, video."),
        ({"limit": 0}, "limit: between 1 and 100."),
        ({"limit": 101}, "limit: between 1 and 100."),
        ({"since": "yesterday"}, "since: use a date like 2026-11-30 or a time like 2026-11-30T14:00:00Z."),
        ({"until": "2026-02-30"}, "until: use a date like 2026-11-30 or a time like 2026-11-30T14:00:00Z."),
        ({"since": "2026-11-30", "until": "2026-11-29"}, "since must be before until."),
        ({"cursor": "not-a-cursor"}, "cursor: not a cursor this API returned; start again without it."),
        ({"q": "x" * 201}, "q: at most 200 characters."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(ana: Owner, arguments: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput) as problem:
        history_search(owner=ana, **arguments)  # type: ignore[arg-type]
    assert problem.value.message == message


def test_the_api_is_owner_scoped_for_users_and_guests(ana: Owner, bo: Owner) -> None:
    mine = make_item(ana, "a poster for the tea shop", at=T0)
    make_item(bo, f"a poster for the tea shop {MARKER}", at=T0)
    client = Client()
    client.force_login(get_user_model().objects.get(pk=ana.user_id))
    body = client.get("/api/v1/history", {"q": "TEA shop"}).json()
    assert [i["asset_id"] for i in body["items"]] == [str(mine.id)]
    item = body["items"][0]
    assert item["conversation_id"] == str(mine.conversation_id)
    assert item["conversation_title"].startswith("chat ")
    assert (item["kind"], item["version"], item["provider"], item["model"]) == ("result", 1, "builtin", "planner-1")
    assert item["made_with"] == "made on this server"
    assert item["commercial"] is False
    from nanobananas.privacy.services import commercial_image_set

    commercial_image_set(owner=ana, asset_id=mine.id, commercial=True)
    marked = client.get("/api/v1/history", {"q": "TEA shop"}).json()["items"]
    assert [(i["asset_id"], i["commercial"]) for i in marked] == [(str(mine.id), True)]
    assert (item["created_at"], item["expires_at"]) == ("2026-11-28T09:00:00Z", "2026-11-30T09:00:00Z")
    assert item["prompt"] == "a poster for the tea shop"
    assert item["content_url"].startswith(f"/api/v1/assets/{mine.id}/content?token=")
    assert body["next_cursor"] is None
    assert MARKER not in client.get("/api/v1/history").content.decode()

    # A guest sees only the guest's own items; a visitor with nothing yet sees an empty list.
    from nanobananas.accounts.services import guest_create

    guest = Owner(guest_id=guest_create().id)
    guest_item = make_item(guest, "a guest's flyer", at=T0)
    visitor = Client()
    assert visitor.get("/api/v1/history").json() == {"items": [], "next_cursor": None}
    session = visitor.session
    session[GUEST_SESSION_KEY] = str(guest.guest_id)
    session.save()
    visitor.cookies["sessionid"] = session.session_key  # type: ignore[assignment]
    assert [i["asset_id"] for i in visitor.get("/api/v1/history").json()["items"]] == [str(guest_item.id)]


def test_the_api_refuses_bad_input_in_the_error_shape(ana: Owner) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(pk=ana.user_id))
    response = client.get("/api/v1/history", {"kind": "film"})
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid_input", "message": "kind: one of upload, result, video."}}
    assert client.get("/api/v1/history", {"limit": "500"}).json()["error"]["code"] == "invalid_input"


def test_long_prompts_are_cut_to_a_snippet_around_the_match(ana: Owner) -> None:
    prompt = "word " * 60 + "lighthouse at dusk " + "more " * 60
    make_item(ana, prompt, at=T0)
    snippet = history_search(owner=ana, q="lighthouse").items[0].prompt
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert "lighthouse at dusk" in snippet
    assert len(snippet) <= 162


def test_the_history_page_loads_its_script_and_is_linked_from_me() -> None:
    html = Client().get("/history/").content.decode()
    assert '<script src="/static/web/history.js" defer></script>' in html
    assert 'id="history-form"' in html
    assert '<a href="/history/">Your history</a>' in Client().get("/me/").content.decode()
