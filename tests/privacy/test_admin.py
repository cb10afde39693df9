"""Staff place and release legal holds in the admin; receipts are read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from nanobananas.accounts.services import guest_create
from nanobananas.privacy.models import DeletionReceipt, LegalHold

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture
def staff() -> Client:
    admin_user = get_user_model().objects.create_superuser(username="ops", email="ops@example.org", password="x" * 14)
    client = Client()
    client.force_login(admin_user)
    return client


def test_staff_place_a_hold_through_the_service_and_release_it(staff: Client) -> None:
    from nanobananas.audit.models import AuditEvent

    guest = guest_create()
    response = staff.post("/admin/privacy/legalhold/add/", {"owner_guest": str(guest.id), "reason": "court order 7"})
    assert response.status_code == 302, response.content.decode()[:2000]
    hold = LegalHold.objects.get()
    assert (hold.owner_guest_id, hold.reason, hold.released_at) == (guest.id, "court order 7", None)
    assert hold.placed_by is not None
    response = staff.post(
        "/admin/privacy/legalhold/",
        {"action": "release", "_selected_action": [str(hold.id)]},
    )
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is not None
    assert hold.released_by is not None
    events = list(AuditEvent.objects.filter(kind__startswith="hold.").values_list("kind", "actor", "target_id"))
    assert events == [
        ("hold.placed", f"staff:{hold.placed_by_id}", str(hold.id)),
        ("hold.released", f"staff:{hold.released_by_id}", str(hold.id)),
    ]
    assert "court order" not in str(list(AuditEvent.objects.values()))


def test_a_hold_needs_exactly_one_target(staff: Client) -> None:
    response = staff.post("/admin/privacy/legalhold/add/", {"reason": "no target"})
    assert response.status_code == 200
    assert LegalHold.objects.count() == 0


def test_receipts_cannot_be_changed_or_deleted(staff: Client) -> None:
    from django.utils import timezone

    receipt = DeletionReceipt.objects.create(
        kind="asset", item_id="x", owner_key="g1", reason="retention", purged_at=timezone.now()
    )
    assert staff.get("/admin/privacy/deletionreceipt/").status_code == 200
    assert staff.post(f"/admin/privacy/deletionreceipt/{receipt.pk}/delete/", {"post": "yes"}).status_code == 403
    assert DeletionReceipt.objects.filter(pk=receipt.pk).exists()
