"""Staff see users' content in the admin only after giving a reason, which is audited; the grant
is for one object and expires; people without staff rights never reach the admin."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.audit.models import AuditEvent
from nanobananas.privacy.models import DataExport
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.models import Asset, Message
from tests.accounts.conftest import signup

pytestmark = [pytest.mark.django_db, pytest.mark.database]

PROMPT = "zebra-quartz-7731 poster for the secret launch"
TITLE = "title-kumquat-5520"
WHY = "Support ticket 4411: the user reports a broken image"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def content() -> dict[str, object]:
    user = signup()
    owner = Owner(user_id=user.pk)
    conversation = conversation_create(owner=owner, title=TITLE)
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, role=Message.Role.USER, text=PROMPT, expires_at=now + timedelta(days=365)
    )
    other = Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, text="reply-mango-9090", expires_at=now
    )
    png = _png()
    blob = default_storage.save(f"results/{owner.key}/{uuid.uuid4()}.png", ContentFile(png))
    asset = Asset.objects.create(
        conversation=conversation, message=message, kind=Asset.Kind.RESULT, number=1, operation="generate",
        blob_name=blob, content_type="image/png", width=4, height=3, byte_size=len(png), sha256="0" * 64,
        original_name="holiday-file-name-3141.png", plan={"steps": [{"op": "render", "text": "plan-lychee-2718"}]},
        created_at=now, expires_at=now + timedelta(hours=48), owner_user_id=user.pk,
    )  # fmt: skip
    return {"user": user, "conversation": conversation, "message": message, "other": other, "asset": asset, "png": png}


@pytest.fixture
def staff_user() -> object:
    return get_user_model().objects.create_superuser(username="ops", email="ops@example.org", password="x" * 14)


@pytest.fixture
def staff(staff_user: object) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


MARKERS = (PROMPT, TITLE, "reply-mango-9090", "holiday-file-name-3141", "plan-lychee-2718")


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _no_markers(html: str) -> None:
    for marker in MARKERS:
        assert marker not in html


def test_lists_and_pages_show_no_content_without_a_reason(staff: Client, content: dict) -> None:
    conversation, message, asset = content["conversation"], content["message"], content["asset"]
    pages = [
        "/admin/studio/conversation/",
        "/admin/studio/message/",
        "/admin/studio/asset/",
        f"/admin/studio/conversation/{conversation.pk}/change/",
        f"/admin/studio/message/{message.pk}/change/",
        f"/admin/studio/asset/{asset.pk}/change/",
    ]
    for url in pages:
        html = _page(staff, url)
        _no_markers(html)
        assert "content/image/" not in html
    assert "Hidden." in _page(staff, f"/admin/studio/message/{message.pk}/change/")
    assert staff.get(f"/admin/studio/asset/{asset.pk}/content/image/").status_code == 404
    assert AuditEvent.objects.filter(kind="staff.content_view").count() == 0


def test_the_reason_page_asks_why_and_refuses_an_empty_or_short_answer(staff: Client, content: dict) -> None:
    message = content["message"]
    url = f"/admin/studio/message/{message.pk}/content/"
    assert "Why do you need to view this?" in _page(staff, url)
    for why in ("", "   ", "because"):
        response = staff.post(url, {"why": why})
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
        _no_markers(response.content.decode())
    assert AuditEvent.objects.filter(kind="staff.content_view").count() == 0
    assert PROMPT not in _page(staff, f"/admin/studio/message/{message.pk}/change/")


def test_a_reason_writes_one_audit_record_and_shows_that_object_only(
    staff: Client, staff_user: object, content: dict
) -> None:
    message, other, user = content["message"], content["other"], content["user"]
    before = timezone.now()
    response = staff.post(f"/admin/studio/message/{message.pk}/content/", {"why": f"  {WHY}  "})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/studio/message/{message.pk}/change/"
    events = list(AuditEvent.objects.filter(kind="staff.content_view"))
    assert len(events) == 1
    event = events[0]
    assert (event.actor, event.owner_key, event.target_type, event.target_id) == (
        f"staff:{staff_user.pk}", f"u{user.pk}", "studio.message", str(message.pk),
    )  # fmt: skip
    assert event.details == {"why": WHY, "minutes": 15}
    assert before <= event.at <= timezone.now()
    assert PROMPT in _page(staff, f"/admin/studio/message/{message.pk}/change/")
    # Another object of the same user stays hidden, and looking again writes nothing more.
    assert "reply-mango-9090" not in _page(staff, f"/admin/studio/message/{other.pk}/change/")
    assert AuditEvent.objects.filter(kind="staff.content_view").count() == 1
    # The list never shows content, grant or not.
    _no_markers(_page(staff, "/admin/studio/message/"))


def test_the_grant_ends_after_fifteen_minutes_and_belongs_to_one_session(
    staff: Client, staff_user: object, content: dict
) -> None:
    message = content["message"]
    staff.post(f"/admin/studio/message/{message.pk}/content/", {"why": WHY})
    second_browser = Client()
    second_browser.force_login(staff_user)
    assert PROMPT not in _page(second_browser, f"/admin/studio/message/{message.pk}/change/")
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        assert PROMPT in _page(staff, f"/admin/studio/message/{message.pk}/change/")
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert PROMPT not in _page(staff, f"/admin/studio/message/{message.pk}/change/")


def test_a_conversation_shows_its_title_and_turns_after_a_reason(staff: Client, content: dict) -> None:
    conversation = content["conversation"]
    staff.post(f"/admin/studio/conversation/{conversation.pk}/content/", {"why": WHY})
    html = _page(staff, f"/admin/studio/conversation/{conversation.pk}/change/")
    assert TITLE in html
    assert PROMPT in html
    assert "reply-mango-9090" in html
    event = AuditEvent.objects.get(kind="staff.content_view")
    assert (event.target_type, event.target_id) == ("studio.conversation", str(conversation.pk))


def test_an_image_is_served_only_after_a_reason(staff: Client, content: dict) -> None:
    asset = content["asset"]
    image_url = f"/admin/studio/asset/{asset.pk}/content/image/"
    assert staff.get(image_url).status_code == 404
    staff.post(f"/admin/studio/asset/{asset.pk}/content/", {"why": WHY})
    html = _page(staff, f"/admin/studio/asset/{asset.pk}/change/")
    assert image_url in html
    assert "holiday-file-name-3141" in html
    assert "plan-lychee-2718" in html
    response = staff.get(image_url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == content["png"]
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_an_export_archive_is_downloadable_only_after_a_reason(staff: Client, content: dict) -> None:
    user = content["user"]
    archive = b"PK\x03\x04 archive bytes"
    blob = default_storage.save(f"exports/u{user.pk}/{uuid.uuid4()}.zip", ContentFile(archive))
    export = DataExport.objects.create(
        user=user, status=DataExport.Status.READY, blob_name=blob, byte_size=len(archive),
        requested_at=timezone.now(), ready_at=timezone.now(),
    )  # fmt: skip
    archive_url = f"/admin/privacy/dataexport/{export.pk}/content/archive/"
    html = _page(staff, f"/admin/privacy/dataexport/{export.pk}/change/")
    assert archive_url not in html
    assert blob not in html
    assert staff.get(archive_url).status_code == 404
    staff.post(f"/admin/privacy/dataexport/{export.pk}/content/", {"why": WHY})
    assert archive_url in _page(staff, f"/admin/privacy/dataexport/{export.pk}/change/")
    response = staff.get(archive_url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == archive
    event = AuditEvent.objects.get(kind="staff.content_view")
    assert (event.owner_key, event.target_type) == (f"u{user.pk}", "privacy.dataexport")


def test_content_pages_cannot_be_changed_or_deleted(staff: Client, content: dict) -> None:
    message = content["message"]
    sealed = message.sealed_text
    response = staff.post(f"/admin/studio/message/{message.pk}/change/", {"role": "assistant", "state": "queued"})
    assert response.status_code == 403
    assert staff.post(f"/admin/studio/message/{message.pk}/delete/", {"post": "yes"}).status_code == 403
    message.refresh_from_db()
    assert (message.role, message.state, message.sealed_text) == ("user", "active", sealed)


def test_people_without_staff_rights_never_reach_the_admin(content: dict) -> None:
    message, user = content["message"], content["user"]
    browser = Client()
    browser.force_login(user)
    for url in (
        "/admin/",
        "/admin/studio/message/",
        f"/admin/studio/message/{message.pk}/change/",
        f"/admin/studio/message/{message.pk}/content/",
        f"/admin/studio/asset/{content['asset'].pk}/content/image/",
    ):
        response = browser.get(url)
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/admin/login/"), url
    response = browser.post(f"/admin/studio/message/{message.pk}/content/", {"why": WHY})
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/admin/login/")
    assert Client().get("/admin/studio/message/").status_code == 302
    assert AuditEvent.objects.filter(kind="staff.content_view").count() == 0


def test_staff_without_the_view_permission_cannot_open_content(content: dict) -> None:
    message = content["message"]
    clerk = get_user_model().objects.create_user(username="clerk", password="x" * 14, is_staff=True)
    browser = Client()
    browser.force_login(clerk)
    assert browser.get("/admin/studio/message/").status_code == 403
    assert browser.post(f"/admin/studio/message/{message.pk}/content/", {"why": WHY}).status_code == 404
    assert AuditEvent.objects.filter(kind="staff.content_view").count() == 0
    clerk.user_permissions.add(Permission.objects.get(codename="view_message"))
    browser.force_login(get_user_model().objects.get(pk=clerk.pk))
    assert browser.post(f"/admin/studio/message/{message.pk}/content/", {"why": WHY}).status_code == 302
    assert PROMPT in _page(browser, f"/admin/studio/message/{message.pk}/change/")


def test_searching_the_lists_by_id_never_shows_content_or_fails(staff: Client, content: dict) -> None:
    message = content["message"]
    for url in ("/admin/studio/conversation/", "/admin/studio/message/", "/admin/studio/asset/"):
        for query in ("not-a-uuid", "'", str(message.pk)):
            response = staff.get(url, {"q": query})
            assert response.status_code == 200, (url, query)
            _no_markers(response.content.decode())
    # Text is sealed, so a search for a prompt finds nothing; an id finds its row.
    assert "0 messages" in _page(staff, f"/admin/studio/message/?q={PROMPT.split()[0]}")
    assert "1 message" in _page(staff, f"/admin/studio/message/?q={message.pk}")
