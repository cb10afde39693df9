"""Staff edit drafts, publish them with the admin action (notices follow), and cannot change a published version."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from nanobananas.audit.models import AuditEvent
from nanobananas.policies.models import PolicyDocument, PolicyNotice
from tests.policies.conftest import draft, member

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture
def staff() -> Client:
    admin_user = get_user_model().objects.create_superuser(username="ops", email="ops@example.org", password="x" * 14)
    client = Client()
    client.force_login(admin_user)
    return client


def test_staff_write_a_draft_and_publish_it(staff: Client, django_capture_on_commit_callbacks: Any) -> None:
    member("reader")
    response = staff.post(
        "/admin/policies/policydocument/add/",
        {
            "kind": "terms",
            "version": "2",
            "title": "Terms of use",
            "summary": "Clearer rules.",
            "body": "# New\n\nText.",
        },
    )
    assert response.status_code == 302
    document = PolicyDocument.objects.get(kind="terms", version="2")
    assert document.published_at is None
    assert document.created_by.username == "ops"  # type: ignore[union-attr]
    assert staff.get(f"/admin/policies/policydocument/{document.pk}/change/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            "/admin/policies/policydocument/",
            {"action": "publish", "_selected_action": [str(document.pk)]},
        )
    document.refresh_from_db()
    assert document.published_at is not None
    # The staff account joined after version 1 but before version 2, so it is told as well.
    assert sorted(m.to[0] for m in mail.outbox) == ["ops@example.org", "reader@example.org"]
    assert "http://testserver/terms/versions/2/" in mail.outbox[0].body
    assert PolicyNotice.objects.filter(document=document).count() == 2
    assert AuditEvent.objects.filter(kind="policy.publish", target_id=str(document.pk)).count() == 1


def test_a_published_version_is_read_only(staff: Client) -> None:
    shipped = PolicyDocument.objects.get(kind="privacy", version="1")
    page = staff.get(f"/admin/policies/policydocument/{shipped.pk}/change/")
    assert page.status_code == 200
    assert 'name="body"' not in page.content.decode()
    response = staff.post(
        f"/admin/policies/policydocument/{shipped.pk}/change/",
        {"kind": "privacy", "version": "1", "title": "Changed", "summary": "", "body": "Changed"},
    )
    assert response.status_code == 403
    shipped.refresh_from_db()
    assert shipped.title == "Privacy policy"
    assert staff.post(f"/admin/policies/policydocument/{shipped.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PolicyDocument.objects.filter(pk=shipped.pk).exists()


def test_publishing_a_published_version_again_changes_nothing(staff: Client) -> None:
    document = draft(kind="privacy", version="5")
    for _ in range(2):
        staff.post("/admin/policies/policydocument/", {"action": "publish", "_selected_action": [str(document.pk)]})
    assert AuditEvent.objects.filter(kind="policy.publish").count() == 1
