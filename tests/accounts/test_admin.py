"""Staff tools: plans are edited (never added or removed), and the "under 13" action deletes at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from nanobananas.accounts.models import Plan
from tests.accounts.conftest import signup

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture
def staff_client() -> Client:
    staff = User.objects.create_superuser(username="root", email="root@example.org", password="x" * 12)
    client = Client()
    client.force_login(staff)
    return client


def test_plans_are_editable_but_not_added_or_removed(staff_client: Client) -> None:
    plan = Plan.objects.get(code="free")
    assert staff_client.get(f"/admin/accounts/plan/{plan.pk}/change/").status_code == 200
    assert staff_client.get("/admin/accounts/plan/add/").status_code == 403
    assert staff_client.get(f"/admin/accounts/plan/{plan.pk}/delete/").status_code == 403


def test_the_under_13_action_deletes_the_account_and_audits_it(
    staff_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    child = signup(username="kid", email="kid@example.org", display_name="Kid")
    bystander = signup(username="adult", email="adult@example.org", display_name="Adult")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/auth/user/", {"action": "delete_under_13", "_selected_action": [str(child.pk)]}, follow=True
        )
    assert "Deleted 1 account(s) at once" in response.content.decode()
    assert not User.objects.filter(pk=child.pk).exists()
    assert User.objects.filter(pk=bystander.pk).exists()
    from nanobananas.audit.models import AuditEvent

    assert list(AuditEvent.objects.filter(kind__startswith="account.").values_list("kind", "target_id")) == [
        ("account.hard_deleted", str(child.pk))
    ]


def test_the_under_13_action_needs_staff() -> None:
    child = signup(username="kid", email="kid@example.org", display_name="Kid")
    client = Client()
    client.force_login(signup(username="nosy", email="nosy@example.org", display_name="Nosy"))
    response = client.post("/admin/auth/user/", {"action": "delete_under_13", "_selected_action": [str(child.pk)]})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert User.objects.filter(pk=child.pk).exists()
