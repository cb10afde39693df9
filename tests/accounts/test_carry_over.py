"""Signing up from a guest session takes the guest's work into the new account, on the account's terms."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from nanobananas.accounts.identity import GUEST_SESSION_KEY, Owner
from nanobananas.studio.models import Asset, Conversation
from tests.accounts.conftest import PASSWORD, make_asset
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _guest_with_work() -> tuple[Client, Owner]:
    client = Client(enforce_csrf_checks=True)
    headers = csrf_headers(client)
    response = client.post(
        "/api/v1/conversations",
        data=json.dumps({"title": "Bakery poster"}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201
    guest = Owner(guest_id=Conversation.objects.get(id=response.json()["id"]).owner_guest_id)
    return client, guest


def _signup(client: Client) -> None:
    page = client.get("/accounts/signup/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/signup/",
        {
            "email": "dee@example.org",
            "username": "dee",
            "display_name": "Dee",
            "password": PASSWORD,
            "birth_month": "3",
            "birth_year": "1988",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302, response.content.decode()


def test_a_guests_conversations_and_images_move_to_the_new_account_with_48_hour_expiry() -> None:
    client, guest = _guest_with_work()
    asset = make_asset(guest, created_hours_ago=2)
    assert asset.expires_at == asset.created_at + timedelta(hours=48)  # made by the helper; recomputed below
    Asset.objects.filter(pk=asset.pk).update(expires_at=asset.created_at + timedelta(hours=24))
    stranger, _ = _guest_with_work()
    _signup(client)

    user = User.objects.get(username="dee")
    assert sorted(c.title for c in Conversation.objects.filter(owner_user=user)) == ["", "Bakery poster"]
    assert not Conversation.objects.filter(owner_guest_id=guest.guest_id).exists()
    asset.refresh_from_db()
    assert (asset.owner_user_id, asset.owner_guest_id) == (user.pk, None)
    assert asset.expires_at == asset.created_at + timedelta(hours=48)
    assert GUEST_SESSION_KEY not in client.session
    listed = client.get("/api/v1/conversations").json()
    assert {c["title"] for c in listed["items"]} == {"", "Bakery poster"}
    # Another guest's work stays theirs.
    assert [c["title"] for c in stranger.get("/api/v1/conversations").json()["items"]] == ["Bakery poster"]


def test_a_refused_signup_moves_nothing() -> None:
    client, guest = _guest_with_work()
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/signup/",
        {
            "email": "not-an-email",
            "username": "dee",
            "display_name": "Dee",
            "password": PASSWORD,
            "birth_month": "3",
            "birth_year": "1988",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 200
    assert Conversation.objects.filter(owner_guest_id=guest.guest_id).count() == 1
    assert not User.objects.exists()
    assert client.session[GUEST_SESSION_KEY] == str(guest.guest_id)


def _seed_every_guest_row(guest: Owner) -> None:
    """One row of every kind the registry declares as pointing at a guest."""
    from django.utils import timezone

    from nanobananas.accounts.services import quota_consume
    from nanobananas.analytics.feedback import bug_report_create, feedback_set
    from nanobananas.analytics.services import analytics_record
    from nanobananas.moderation.models import BlockedAttempt
    from nanobananas.moderation.services import report_create
    from nanobananas.privacy.services import (
        legal_hold_place,
        legal_hold_release,
        privacy_settings_update,
    )

    asset = make_asset(guest, created_hours_ago=1)
    quota_consume(owner=guest)
    privacy_settings_update(guest, analytics=True)
    analytics_record(guest, "section_viewed", section="home")
    BlockedAttempt.objects.create(owner_guest_id=guest.guest_id, at=timezone.now(), stage="prompt", category="x")
    report_create(owner=guest, asset_id=asset.id, reason="this picture is not what I asked for")
    feedback_set(owner=guest, asset_id=asset.id, rating="up")
    bug_report_create(owner=guest, text="the page froze")
    hold = legal_hold_place(reason="an old request", placed_by_id=None, owner_guest_id=guest.guest_id)
    legal_hold_release(hold_id=hold.id, released_by_id=None)


def test_sign_up_does_with_each_kind_of_guest_row_what_the_registry_declares() -> None:
    from nanobananas.accounts.services import guest_create
    from nanobananas.registry.personal_data import CarryOver, Link, references
    from nanobananas.workflows.signup import account_signup

    guest = Owner(guest_id=guest_create().id)
    _seed_every_guest_row(guest)
    guest_refs = {label: ref for label, ref in references().items() if ref.link == Link.GUEST}
    assert len(guest_refs) == 10  # Conversation, Asset, QuotaUsage, PrivacySettings, ConsentEvent,
    # BlockedAttempt, ReviewItem, LegalHold, Feedback, BugReport (analytics events name nobody)

    def counts(user_id: int | None) -> dict[str, tuple[int, int]]:
        """Per guest reference: (rows of the guest, rows of the account in the same table)."""
        found = {}
        for label, ref in guest_refs.items():
            manager = ref.model()._base_manager
            user_field = ref.field_name.replace("guest", "user")
            mine = manager.filter(**{f"{user_field}_id": user_id}).count() if user_id is not None else 0
            found[label] = (manager.filter(**{f"{ref.field_name}_id": guest.guest_id}).count(), mine)
        return found

    before = counts(None)
    assert [label for label, (n, _) in before.items() if n == 0] == [], "every kind of guest row is seeded"
    user = account_signup(
        email="dee@example.org", username="dee", display_name="Dee", password=PASSWORD,
        link_base="http://testserver/", birth_month=3, birth_year=1988, guest=guest,
    )  # fmt: skip
    after = counts(user.pk)
    for label, ref in guest_refs.items():
        seeded = before[label][0]
        expected = {
            CarryOver.TRANSFER: (0, seeded),
            CarryOver.COPIED: (seeded, seeded),
            CarryOver.STAYS: (seeded, 0),
        }[ref.carry_over]
        assert after[label] == expected, f"{label}: declared {ref.carry_over.name}"
