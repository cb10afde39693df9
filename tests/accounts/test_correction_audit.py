"""Correcting one's profile is audited: which fields changed and when, never the old or new values."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from nanobananas.accounts.services import email_change_request, email_verify, profile_update
from nanobananas.accounts.tokens import email_verification_token
from nanobananas.audit.models import AuditEvent
from tests.accounts.conftest import PASSWORD, signup

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _events(user: User) -> list[tuple[str, dict[str, object]]]:
    return [(e.kind, e.details) for e in AuditEvent.objects.filter(owner_key=f"u{user.pk}").order_by("id")]


def _everything_audited() -> str:
    return json.dumps([[e.kind, e.actor, e.details] for e in AuditEvent.objects.all()])


def test_a_profile_correction_records_the_fields_not_the_values() -> None:
    user = signup(username="ana", display_name="Ana Lima")
    before = AuditEvent.objects.count()
    profile_update(user=user, display_name="Ana Souza Lima", username="ana")
    profile_update(user=user, display_name="Ana Souza Lima", username="ana_sl")
    profile_update(user=user, display_name="Ana Souza Lima", username="ana_sl")  # no change, no record
    assert AuditEvent.objects.count() == before + 2
    assert _events(user)[-2:] == [
        ("profile.updated", {"fields": ["display_name"]}),
        ("profile.updated", {"fields": ["username"]}),
    ]
    audited = _everything_audited()
    assert "Ana Lima" not in audited
    assert "Souza" not in audited
    assert "ana_sl" not in audited


def test_an_email_change_is_audited_when_asked_and_when_confirmed_without_addresses() -> None:
    user = signup(email="old.address.5521@example.org")
    email_change_request(user=user, new_email="new.address.5521@example.org", password=PASSWORD, link_base="http://t/")
    user.refresh_from_db()
    email_verify(uidb64=urlsafe_base64_encode(force_bytes(user.pk)), token=email_verification_token.make_token(user))
    user.refresh_from_db()
    assert user.email == "new.address.5521@example.org"
    kinds = [kind for kind, _ in _events(user)]
    assert kinds[-2:] == ["email.change_requested", "email.changed"]
    assert "address.5521" not in _everything_audited()


def test_a_refused_correction_records_nothing() -> None:
    user = signup()
    before = AuditEvent.objects.count()
    with pytest.raises(Exception, match="password"):
        email_change_request(user=user, new_email="x@example.org", password="wrong password", link_base="http://t/")
    assert AuditEvent.objects.count() == before
