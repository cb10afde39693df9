"""Feedback on results, error reports of failed jobs and bug reports, end to end through the API."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.analytics.feedback import (
    BUG_REPORT_SHARE_DAYS,
    ConversationNotShared,
    bug_report_conversation_open,
    reports_purge,
)
from nanobananas.analytics.models import BugReport, ErrorReport, Event, Feedback
from nanobananas.audit.models import AuditEvent
from nanobananas.privacy.services import privacy_settings_update
from nanobananas.studio import composition
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Job
from nanobananas.studio.services import IncomingFile, message_send
from nanobananas.workflows.account_delete import account_delete
from tests.privacy.builders import png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.database]

PASSWORD = "correct horse battery"
MARKER = "FEEDMARK4417"


def _user(name: str) -> tuple[Client, Owner]:
    account = get_user_model().objects.create_user(username=name, email=f"{name}@example.org", password=PASSWORD)
    client = Client()
    client.force_login(account)
    return client, Owner(user_id=account.pk)


def _result(owner: Owner) -> Asset:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=f"a poster that says {MARKER}")
    assert job is not None
    job_run(job_id=job.id)
    return Asset.objects.get(conversation=conversation, kind=Asset.Kind.RESULT)


def _put(client: Client, asset_id: Any, body: dict[str, Any]) -> Any:
    return client.put(f"/api/v1/assets/{asset_id}/feedback", body, content_type="application/json")


def _rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return "\n".join(repr(value) for row in cursor.fetchall() for value in row)


def test_a_result_is_rated_with_how_it_was_made_and_not_what_it_shows() -> None:
    client, owner = _user("ana")
    result = _result(owner)
    response = _put(client, result.id, {"rating": "up"})
    assert response.status_code == 200
    assert response.json() == {"asset_id": str(result.id), "rating": "up", "reason": ""}
    feedback = Feedback.objects.get()
    # The test provider makes pictures without a plan: no plan, no hash (the engine's results have one).
    expected_hash = (
        hashlib.sha256(json.dumps(result.plan, sort_keys=True, default=str).encode()).hexdigest() if result.plan else ""
    )
    assert (feedback.plan_sha256, feedback.operation, feedback.provider) == (
        expected_hash, str(result.operation), result.provider,
    )  # fmt: skip
    assert (feedback.owner_user_id, feedback.owner_guest_id) == (owner.user_id, None)
    # Voting again changes the vote: one row per result.
    response = _put(client, result.id, {"rating": "down", "reason": "wrong_text"})
    assert response.json() == {"asset_id": str(result.id), "rating": "down", "reason": "wrong_text"}
    assert list(Feedback.objects.values_list("rating", "reason")) == [("down", "wrong_text")]
    assert MARKER not in _rows(Feedback._meta.db_table)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"rating": "meh"}, "bad_rating"),
        ({"rating": "down", "reason": "ugly colours"}, "bad_reason"),
        ({"rating": None}, "invalid_input"),
    ],
)
def test_a_bad_rating_is_400_and_changes_nothing(body: dict[str, Any], code: str) -> None:
    client, owner = _user("ben")
    result = _result(owner)
    assert _put(client, result.id, {"rating": "up"}).status_code == 200
    response = _put(client, result.id, body)
    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"] == code
    assert list(Feedback.objects.values_list("rating", "reason")) == [("up", "")]


def test_another_owners_result_an_upload_and_an_unknown_id_are_404_and_nothing_is_stored() -> None:
    client, owner = _user("cy")
    other_client, other = _user("di")
    theirs = _result(other)
    conversation = conversation_create(owner=owner)
    message_send(owner=owner, conversation_id=conversation.id, text="here",
                 files=[IncomingFile(name="a.png", data=png_bytes())])  # fmt: skip
    upload = Asset.objects.get(conversation=conversation, kind=Asset.Kind.UPLOAD)
    for asset_id in (theirs.id, upload.id, uuid.uuid4()):
        response = _put(client, asset_id, {"rating": "up"})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert Client().put(f"/api/v1/assets/{theirs.id}/feedback", {"rating": "up"},
                        content_type="application/json").status_code == 404  # fmt: skip
    assert Feedback.objects.count() == 0
    assert other_client.delete(f"/api/v1/assets/{theirs.id}/feedback").status_code == 404


def test_a_vote_can_be_withdrawn_by_its_owner_only() -> None:
    client, owner = _user("eve")
    other_client, _ = _user("fay")
    result = _result(owner)
    _put(client, result.id, {"rating": "down", "reason": "low_quality"})
    assert other_client.delete(f"/api/v1/assets/{result.id}/feedback").status_code == 404
    assert Feedback.objects.count() == 1
    assert client.delete(f"/api/v1/assets/{result.id}/feedback").status_code == 204
    assert Feedback.objects.count() == 0
    assert client.delete(f"/api/v1/assets/{result.id}/feedback").status_code == 404


def test_a_failed_job_leaves_an_error_report_with_no_user_content(monkeypatch: Any, commit: Any) -> None:
    _, owner = _user("gus")
    privacy_settings_update(owner, analytics=True)

    def explode(*args: Any, **kwargs: Any) -> Any:
        secret = f"the prompt was {MARKER}"
        raise RuntimeError(secret)

    monkeypatch.setattr(composition, "_carry_out", explode)
    conversation = conversation_create(owner=owner)
    with commit():
        _, job = message_send(owner=owner, conversation_id=conversation.id, text=f"a poster {MARKER}")
        assert job is not None
        job_run(job_id=job.id)
    assert Job.objects.get(id=job.id).status == Job.Status.FAILED
    report = ErrorReport.objects.get()
    assert (report.job_id, report.exception_class, report.provider) == (job.id, "builtins.RuntimeError", "fake")
    assert report.duration_ms is not None
    assert {"file": "nanobananas/studio/composition.py", "function": "image_job_work"} in [
        {k: v for k, v in frame.items() if k != "line"} for frame in report.frames
    ]
    assert report.frames[-1]["function"] == "explode"
    assert MARKER not in _rows(ErrorReport._meta.db_table)
    assert "the prompt was" not in _rows(ErrorReport._meta.db_table)
    assert list(Event.objects.values_list("name", "label")) == [
        ("generation_requested", "image"),
        ("error", "internal_error"),
    ]


def test_a_bug_report_is_sealed_and_a_shared_conversation_opens_for_staff_until_the_consent_ends() -> None:
    client, owner = _user("hal")
    conversation = conversation_create(owner=owner)
    message_send(owner=owner, conversation_id=conversation.id, text=f"make a poster {MARKER}")
    response = client.post(
        "/api/v1/bug-reports",
        {"text": f"the poster was blank {MARKER}", "page": "/image/", "conversation_id": str(conversation.id),
         "share_conversation": True},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    report = BugReport.objects.get()
    assert (body["id"], body["page"], body["conversation_id"]) == (str(report.id), "/image/", str(conversation.id))
    assert report.text == f"the poster was blank {MARKER}"
    assert MARKER not in _rows(BugReport._meta.db_table)  # sealed with the reporter's key
    assert report.shared_until is not None
    assert abs(report.shared_until - (timezone.now() + timedelta(days=BUG_REPORT_SHARE_DAYS))) < timedelta(minutes=1)
    staff = get_user_model().objects.create_user(username="staff", password=PASSWORD, is_staff=True)
    turns = bug_report_conversation_open(report_id=report.id, staff_user_id=staff.pk)
    assert (turns[0].role, turns[0].text) == ("user", f"make a poster {MARKER}")
    viewed = AuditEvent.objects.get(kind="bug_report.conversation_viewed")
    assert (viewed.actor, viewed.target_id) == (f"staff:{staff.pk}", str(report.id))
    assert AuditEvent.objects.filter(kind="bug_report.conversation_shared", target_id=str(report.id)).count() == 1
    with time_machine.travel(report.shared_until + timedelta(seconds=1)), pytest.raises(ConversationNotShared):
        bug_report_conversation_open(report_id=report.id, staff_user_id=staff.pk)
    assert AuditEvent.objects.filter(kind="bug_report.conversation_viewed").count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "   "}, 400, "bad_text"),
        ({"text": "broken", "page": "https://evil.example/"}, 400, "bad_page"),
        ({"text": "broken", "share_conversation": True}, 400, "no_conversation"),
        ({"text": "broken", "conversation_id": "THEIRS", "share_conversation": True}, 404, "not_found"),
    ],
)
def test_a_bad_bug_report_is_refused_and_stores_nothing(body: dict[str, Any], status: int, code: str) -> None:
    client, _ = _user("ivy")
    _, other = _user("jo")
    theirs = conversation_create(owner=other)
    body = {k: str(theirs.id) if v == "THEIRS" else v for k, v in body.items()}
    response = client.post("/api/v1/bug-reports", body, content_type="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert BugReport.objects.count() == 0
    assert not AuditEvent.objects.filter(kind__startswith="bug_report.").exists()


def test_a_guest_can_report_a_bug_without_sharing_anything() -> None:
    client = Client()
    response = client.post("/api/v1/bug-reports", {"text": "the page froze"}, content_type="application/json")
    assert response.status_code == 201
    report = BugReport.objects.get()
    assert (report.owner_user_id, report.conversation_id, report.shared_until) == (None, None, None)
    assert report.owner_guest_id is not None


def test_account_deletion_erases_feedback_and_bug_reports_and_the_export_holds_them(tmp_path: Any) -> None:
    from nanobananas.privacy.export import export_for_operator

    client, owner = _user("kai")
    other_client, other = _user("lou")
    result = _result(owner)
    theirs = _result(other)
    _put(client, result.id, {"rating": "down", "reason": "not_followed"})
    _put(other_client, theirs.id, {"rating": "up"})
    client.post("/api/v1/bug-reports", {"text": "slow today"}, content_type="application/json")
    archive = export_for_operator(email="kai@example.org", output=tmp_path / "kai.zip")
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as bundle:
        exported = json.loads(bundle.read("feedback.json"))
    assert [(f["result_id"], f["rating"], f["reason"]) for f in exported["feedback"]] == [
        (str(result.id), "down", "not_followed")
    ]
    assert [r["text"] for r in exported["bug_reports"]] == ["slow today"]
    account_delete(user=get_user_model().objects.get(pk=owner.user_id), password=PASSWORD, phrase="delete my account")
    assert list(Feedback.objects.values_list("asset_id", flat=True)) == [theirs.id]
    assert BugReport.objects.count() == 0
    event = AuditEvent.objects.get(kind="account.delete")
    assert (event.details["feedback"], event.details["bug_reports"]) == (1, 1)


def test_reports_feedback_and_bug_reports_go_after_the_raw_days() -> None:
    client, owner = _user("max")
    result = _result(owner)
    _put(client, result.id, {"rating": "up"})
    client.post("/api/v1/bug-reports", {"text": "slow"}, content_type="application/json")
    ErrorReport.objects.create(job_id=uuid.uuid4(), exception_class="builtins.OSError", created_at=timezone.now())
    now = timezone.now()
    assert reports_purge(now=now + timedelta(days=89)) == {"error_reports": 0, "feedback": 0, "bug_reports": 0}
    assert reports_purge(now=now + timedelta(days=90, minutes=1)) == {
        "error_reports": 1, "feedback": 1, "bug_reports": 1,
    }  # fmt: skip


def test_the_plan_hash_is_the_audit_logs_and_empty_without_a_plan() -> None:
    from nanobananas.analytics.feedback import plan_sha256

    plan = {"steps": [{"op": "poster", "title": MARKER}], "version": 1}
    assert plan_sha256(plan) == hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()
    assert plan_sha256(None) == ""
    assert plan_sha256({}) == ""
