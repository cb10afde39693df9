"""The studio API as a browser uses it: guest sessions, CSRF, error shapes, live job events."""

from __future__ import annotations

import io
import json
import logging
import uuid
from typing import ClassVar

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client
from PIL import Image

from nanobananas.studio.models import Asset, Conversation, Job, Message
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _read_stream(response: object) -> bytes:
    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])  # type: ignore[attr-defined]

    return async_to_sync(collect)()


def _counts() -> tuple[int, int, int, int]:
    return Conversation.objects.count(), Message.objects.count(), Job.objects.count(), Asset.objects.count()


def _post(client: Client, path: str, body: object, headers: dict[str, str]) -> object:
    return client.post(path, data=json.dumps(body), content_type="application/json", headers=headers)


def _start(client: Client) -> tuple[dict[str, str], str]:
    headers = csrf_headers(client)
    response = _post(client, "/api/v1/conversations", {}, headers)
    assert response.status_code == 201, response.content  # type: ignore[attr-defined]
    return headers, response.json()["id"]  # type: ignore[attr-defined]


def test_a_guest_chat_turn_end_to_end(guest_client: Client, django_capture_on_commit_callbacks: object) -> None:
    headers, conversation_id = _start(guest_client)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = _post(
            guest_client,
            f"/api/v1/conversations/{conversation_id}/messages",
            {"text": "a poster for a bakery grand opening"},
            headers,
        )
    assert response.status_code == 202  # type: ignore[attr-defined]
    sent = response.json()  # type: ignore[attr-defined]
    assert sent["message"]["text"] == "a poster for a bakery grand opening"
    assert sent["job"]["events_url"] == f"/api/v1/jobs/{sent['job']['id']}/events"

    job = guest_client.get(f"/api/v1/jobs/{sent['job']['id']}").json()
    assert (job["status"], job["progress"], job["provider"]) == ("done", 100, "fake")

    detail = guest_client.get(f"/api/v1/conversations/{conversation_id}").json()
    assert detail["title"] == "a poster for a bakery grand opening"
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant"]
    [asset] = detail["messages"][1]["assets"]
    assert (asset["width"], asset["height"], asset["content_type"]) == (64, 48, "image/png")

    content = guest_client.get(asset["content_url"])
    assert content.status_code == 200
    assert content["Content-Type"] == "image/png"
    body = _read_stream(content)
    assert Image.open(io.BytesIO(body)).size == (64, 48)
    assert len(body) == asset["byte_size"]


def test_the_first_write_creates_one_guest_and_reads_create_none(guest_client: Client) -> None:
    from nanobananas.accounts.models import Guest

    assert guest_client.get("/api/v1/conversations").json() == {"items": [], "count": 0}
    assert Guest.objects.count() == 0
    headers, first = _start(guest_client)
    _post(guest_client, "/api/v1/conversations", {}, headers)
    assert Guest.objects.count() == 1
    listed = guest_client.get("/api/v1/conversations").json()
    assert listed["count"] == 2
    assert listed["items"][1]["id"] == first


def test_a_second_browser_sees_nothing_of_the_first(guest_client: Client) -> None:
    headers, conversation_id = _start(guest_client)
    with pytest.MonkeyPatch.context():
        sent = _post(guest_client, f"/api/v1/conversations/{conversation_id}/messages", {"text": "hi"}, headers).json()  # type: ignore[attr-defined]
    job_id = sent["job"]["id"]

    stranger = Client(enforce_csrf_checks=True)
    stranger_headers = csrf_headers(stranger)
    before = _counts()
    for path in [f"/api/v1/conversations/{conversation_id}", f"/api/v1/jobs/{job_id}"]:
        response = stranger.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    response = _post(
        stranger, f"/api/v1/conversations/{conversation_id}/messages", {"text": "mine now"}, stranger_headers
    )
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert stranger.get("/api/v1/conversations").json()["count"] == 0
    assert _counts()[1:] == before[1:]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 400, "empty_message"),
        ({"text": "   "}, 400, "empty_message"),
        ({"text": "x" * 4001}, 400, "message_too_long"),
        ({}, 400, "invalid_input"),
        ({"text": 12}, 400, "invalid_input"),
    ],
)
def test_bad_messages_get_a_clear_error_and_change_nothing(
    guest_client: Client, body: object, status: int, code: str
) -> None:
    headers, conversation_id = _start(guest_client)
    before = _counts()
    response = _post(guest_client, f"/api/v1/conversations/{conversation_id}/messages", body, headers)
    assert response.status_code == status  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == code
    assert error["message"]
    assert _counts() == before


def test_a_20_megabyte_prompt_is_rejected_before_it_is_read(guest_client: Client) -> None:
    headers, conversation_id = _start(guest_client)
    before = _counts()
    response = _post(
        guest_client, f"/api/v1/conversations/{conversation_id}/messages", {"text": "x" * 20_000_000}, headers
    )
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert response.json() == {  # type: ignore[attr-defined]
        "error": {"code": "payload_too_large", "message": "The request is too large."}
    }
    assert _counts() == before


def test_unknown_and_malformed_ids_are_404_and_400(guest_client: Client) -> None:
    headers, _ = _start(guest_client)
    missing = uuid.uuid4()
    assert guest_client.get(f"/api/v1/conversations/{missing}").json()["error"]["code"] == "not_found"
    assert guest_client.get(f"/api/v1/jobs/{missing}").status_code == 404
    assert guest_client.get(f"/api/v1/assets/{missing}").status_code == 404
    response = _post(guest_client, f"/api/v1/conversations/{missing}/messages", {"text": "hi"}, headers)
    assert response.status_code == 404  # type: ignore[attr-defined]
    malformed = guest_client.get("/api/v1/conversations/not-a-uuid")
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "invalid_input"


def test_writes_without_the_csrf_token_are_refused(guest_client: Client) -> None:
    before = _counts()
    response = guest_client.post("/api/v1/conversations", data="{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert _counts() == before


def test_health_reports_each_part(guest_client: Client) -> None:
    report = guest_client.get("/api/v1/health").json()
    assert report["status"] == "ok"
    assert set(report["checks"]) == {"database", "queue", "storage", "retention"}
    assert all(check["ok"] for check in report["checks"].values())


def test_health_says_degraded_when_storage_fails(guest_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.files.storage import default_storage

    def broken(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(default_storage.__class__, "save", broken)
    response = guest_client.get("/api/v1/health")
    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert storage == {
        "ok": False,
        "detail": "PermissionError: read-only file system",
        "milliseconds": storage["milliseconds"],
    }


def test_openapi_and_docs_are_served_without_a_cdn(guest_client: Client) -> None:
    schema = guest_client.get("/api/v1/openapi.json").json()
    assert "/api/v1/conversations/{conversation_id}/messages" in schema["paths"]
    assert "/api/v1/jobs/{job_id}/events" in schema["paths"]
    docs = guest_client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def _parse_sse(raw: str) -> list[tuple[str, dict[str, object]]]:
    events = []
    for block in raw.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_job_events_stream_the_result_and_hide_it_from_strangers() -> None:
    from huey.contrib.djhuey import HUEY

    from nanobananas.accounts.identity import Owner
    from nanobananas.accounts.services import guest_create
    from nanobananas.studio.conversations import conversation_create
    from nanobananas.studio.jobs import job_run
    from nanobananas.studio.services import message_send

    guest = guest_create()
    owner = Owner(guest_id=guest.id)
    conversation = conversation_create(owner=owner)
    HUEY.immediate = False
    try:
        _, job = message_send(owner=owner, conversation_id=conversation.id, text="a card")
    finally:
        HUEY.storage.flush_all()
        HUEY.immediate = True
    job_run(job_id=job.id)

    client = AsyncClient()
    _login_guest(client, guest.id)

    async def follow() -> tuple[int, str, str, int]:
        response = await client.get(f"/api/v1/jobs/{job.id}/events")
        raw = b"".join([chunk async for chunk in response.streaming_content]).decode()  # type: ignore[attr-defined]
        stranger = await AsyncClient().get(f"/api/v1/jobs/{job.id}/events")
        return response.status_code, response["Content-Type"], raw, stranger.status_code

    status, content_type, raw, stranger_status = async_to_sync(follow)()
    assert (status, content_type, stranger_status) == (200, "text/event-stream", 404)
    [(name, data)] = _parse_sse(raw)
    assert name == "done"
    assert data["status"] == "done"
    result = data["result"]
    assert isinstance(result, dict)
    assert result["role"] == "assistant"
    assert len(result["assets"]) == 1


def _login_guest(client: AsyncClient, guest_id: uuid.UUID) -> None:
    from importlib import import_module

    from django.conf import settings

    from nanobananas.accounts.identity import GUEST_SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[GUEST_SESSION_KEY] = str(guest_id)
    store.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_job_events_follow_a_job_from_queued_to_done() -> None:
    from asgiref.sync import sync_to_async
    from huey.contrib.djhuey import HUEY

    from nanobananas.accounts.identity import Owner
    from nanobananas.accounts.services import guest_create
    from nanobananas.studio.conversations import conversation_create
    from nanobananas.studio.jobs import job_run
    from nanobananas.studio.services import message_send

    guest = guest_create()
    owner = Owner(guest_id=guest.id)
    conversation = conversation_create(owner=owner)
    HUEY.immediate = False
    try:
        _, job = message_send(owner=owner, conversation_id=conversation.id, text="a card")
    finally:
        HUEY.storage.flush_all()
        HUEY.immediate = True

    client = AsyncClient()
    _login_guest(client, guest.id)

    async def follow() -> list[str]:
        response = await client.get(f"/api/v1/jobs/{job.id}/events")
        stream = response.streaming_content.__aiter__()  # type: ignore[attr-defined]
        seen = []
        async for chunk in stream:
            events = _parse_sse(chunk.decode())
            seen.extend(name for name, _ in events)
            if seen == ["queued"]:
                # The worker picks the job up while the page is listening.
                await sync_to_async(job_run)(job_id=job.id)
        return seen

    assert async_to_sync(follow)() == ["queued", "done"]


def _pictures(count: int) -> list[io.BytesIO]:
    pictures = []
    for number in range(count):
        picture = io.BytesIO(b"not read: the body is refused while it is parsed")
        picture.name = f"photo-{number}.png"
        pictures.append(picture)
    return pictures


def test_eleven_files_get_the_json_too_many_files_and_no_error_in_the_log(
    guest_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    headers, conversation_id = _start(guest_client)
    before = _counts()
    with caplog.at_level(logging.INFO):
        response = guest_client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            {"text": "put these together", "files[]": _pictures(11)},
            headers=headers,
        )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"error": {"code": "too_many_files", "message": "Send at most 10 pictures at once."}}
    assert _counts() == before
    # A client's mistake, not the server's: no error report, no traceback, no "suspicious operation" alarm.
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.name.startswith("django.security")] == []


def test_eleven_files_to_the_openai_edits_endpoint_get_its_error_shape(caplog: pytest.LogCaptureFixture) -> None:
    from nanobananas.tokens.services import token_create
    from tests.accounts.conftest import signup

    user = signup(username="edith", email="edith@example.org")
    _, raw = token_create(user_id=user.pk, name="tool", scopes=["images:write"])
    with caplog.at_level(logging.INFO):
        response = Client().post(
            "/v1/images/edits",
            {"prompt": "brighter", "image[]": _pictures(11)},
            headers={"Authorization": f"Bearer {raw}"},
        )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": "Send at most 10 images at once.",
            "type": "invalid_request_error",
            "param": None,
            "code": "too_many_files",
        }
    }
    assert Conversation.objects.count() == 0
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.name.startswith("django.security")] == []


def _form(size: int) -> tuple[bytes, str]:
    """A multipart body of exactly `size` bytes with an empty `text` and `prompt` (so both upload endpoints
    refuse it with their own 400 once it passes the size rule), and its content type."""
    from django.test.client import BOUNDARY, encode_multipart

    def body(padding: int) -> bytes:
        return encode_multipart(BOUNDARY, {"text": "", "prompt": "", "padding": "x" * padding})

    padding = size - len(body(0))
    assert padding > 0
    encoded = body(padding)
    assert len(encoded) == size
    return encoded, f"multipart/form-data; boundary={BOUNDARY}"


def _api_token() -> str:
    from nanobananas.tokens.services import token_create
    from tests.accounts.conftest import signup

    user = signup(username="uploader", email="uploader@example.org")
    _, raw = token_create(user_id=user.pk, name="tool", scopes=["images:write"])
    return raw


def _both_upload_endpoints(
    guest_client: Client, token: str, body: bytes, content_type: str, **extra: str
) -> tuple[object, object]:
    """The same body sent to the studio's message endpoint and to the OpenAI-compatible edits endpoint."""
    headers, conversation_id = _start(guest_client)
    studio = guest_client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        data=body,
        content_type=content_type,
        headers=headers,
        **extra,  # type: ignore[arg-type]
    )
    openai = Client().post(
        "/v1/images/edits",
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
        **extra,  # type: ignore[arg-type]
    )
    return studio, openai


def test_one_byte_over_the_limit_is_413_on_both_upload_endpoints_and_at_the_limit_is_read(
    guest_client: Client, settings: object
) -> None:
    body, content_type = _form(4096)
    token = _api_token()
    before = _counts()

    settings.MAX_REQUEST_BYTES = 4095  # type: ignore[attr-defined]
    studio, openai = _both_upload_endpoints(guest_client, token, body, content_type)
    assert studio.status_code == 413  # type: ignore[attr-defined]
    assert studio.json() == {"error": {"code": "payload_too_large", "message": "The request is too large."}}  # type: ignore[attr-defined]
    assert openai.status_code == 413  # type: ignore[attr-defined]
    assert openai.json() == {  # type: ignore[attr-defined]
        "error": {
            "message": "The request is too large.",
            "type": "invalid_request_error",
            "param": None,
            "code": "payload_too_large",
        }
    }
    assert _counts()[1:] == before[1:]

    settings.MAX_REQUEST_BYTES = 4096  # type: ignore[attr-defined]
    studio, openai = _both_upload_endpoints(guest_client, token, body, content_type)
    # Read: each endpoint now answers the empty text or prompt it found in the body.
    assert studio.status_code == 400  # type: ignore[attr-defined]
    assert studio.json()["error"]["code"] == "empty_message"  # type: ignore[attr-defined]
    assert openai.status_code == 400  # type: ignore[attr-defined]
    assert openai.json()["error"]["code"] == "missing_prompt"  # type: ignore[attr-defined]
    assert _counts()[1:] == before[1:]


@pytest.mark.parametrize("declared", ["4096 bytes", "-1", "0x1000"])
def test_a_content_length_that_is_not_a_whole_number_is_400_invalid_input_on_both_upload_endpoints(
    guest_client: Client, declared: str
) -> None:
    body, content_type = _form(4096)
    token = _api_token()
    before = _counts()

    studio, openai = _both_upload_endpoints(guest_client, token, body, content_type, CONTENT_LENGTH=declared)

    assert studio.status_code == 400  # type: ignore[attr-defined]
    assert studio.json() == {  # type: ignore[attr-defined]
        "error": {"code": "invalid_input", "message": "The Content-Length header is not a number."}
    }
    assert openai.status_code == 400  # type: ignore[attr-defined]
    assert openai.json() == {  # type: ignore[attr-defined]
        "error": {
            "message": "The Content-Length header is not a number.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_input",
        }
    }
    assert _counts()[1:] == before[1:]


class _PartsSeen:
    """An upload handler that records every file part Django starts to parse (FILE_UPLOAD_HANDLERS)."""

    seen: ClassVar[list[str]] = []

    def __init__(self, request: object = None) -> None:
        self.request = request

    def handle_raw_input(self, *args: object, **kwargs: object) -> None:
        return None

    def new_file(self, field_name: str, *args: object, **kwargs: object) -> None:
        self.seen.append(field_name)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def upload_complete(self) -> None:
        return None


def test_an_oversized_upload_is_refused_on_both_endpoints_before_django_parses_a_part(
    guest_client: Client, settings: object
) -> None:
    from django.test.client import BOUNDARY, encode_multipart

    picture = io.BytesIO(b"\x89PNG" + b"\0" * 5000)
    picture.name = "photo.png"
    body = encode_multipart(BOUNDARY, {"text": "hi", "prompt": "hi", "files[]": picture})
    picture.seek(0)
    token = _api_token()
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}._PartsSeen"]  # type: ignore[attr-defined]
    settings.MAX_REQUEST_BYTES = len(body) - 1  # type: ignore[attr-defined]
    _PartsSeen.seen.clear()

    studio, openai = _both_upload_endpoints(guest_client, token, body, f"multipart/form-data; boundary={BOUNDARY}")

    assert (studio.status_code, openai.status_code) == (413, 413)  # type: ignore[attr-defined]
    assert _PartsSeen.seen == []
