"""Sign-in, sign-out and failed sign-ins are audited; no credential is ever stored, and a failed
attempt's typed name only as a keyed hash."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from nanobananas.audit.models import AuditEvent
from nanobananas.moderation.receivers import username_hash

pytestmark = [pytest.mark.django_db, pytest.mark.database]

PASSWORD = "correct horse battery staple 7"


def _audit_bytes() -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind, actor, owner_key, target_type, target_id, details FROM {AuditEvent._meta.db_table}"
        )
        return repr(cursor.fetchall()).encode()


def test_sign_in_and_sign_out_are_recorded() -> None:
    user = get_user_model().objects.create_user(username="farah", email="farah@example.org", password=PASSWORD)
    client = Client()
    assert client.post("/accounts/login/", {"username": "farah@example.org", "password": PASSWORD}).status_code == 302
    signed_in = AuditEvent.objects.get(kind="auth.signed_in")
    assert (signed_in.actor, signed_in.owner_key, signed_in.target_id) == (
        f"user:{user.pk}",
        f"u{user.pk}",
        str(user.pk),
    )
    assert signed_in.details == {"via": "web"}
    client.post("/accounts/logout/")
    signed_out = AuditEvent.objects.get(kind="auth.signed_out")
    assert (signed_out.actor, signed_out.details) == (f"user:{user.pk}", {"via": "web"})
    Client().post("/accounts/logout/")  # a visitor who is not signed in: nothing to record
    assert AuditEvent.objects.filter(kind="auth.signed_out").count() == 1
    assert PASSWORD.encode() not in _audit_bytes()


def test_a_failed_sign_in_keeps_only_a_keyed_hash_of_the_name() -> None:
    get_user_model().objects.create_user(username="farah", email="farah@example.org", password=PASSWORD)
    typed = "Farah.Typed-Name"
    wrong = "wrong-password-Q9"
    response = Client().post("/accounts/login/", {"username": typed, "password": wrong})
    assert response.status_code == 200
    failed = AuditEvent.objects.get(kind="auth.sign_in_failed")
    assert failed.actor == "anonymous"
    assert failed.details == {"username_hmac": username_hash(typed), "via": "web"}
    assert len(failed.details["username_hmac"]) == 64
    assert username_hash(typed) == username_hash(" farah.typed-name ")  # same person, same hash
    assert username_hash(typed) != username_hash("someone-else")
    dump = _audit_bytes()
    assert typed.lower().encode() not in dump.lower()
    assert wrong.encode() not in dump
    assert not AuditEvent.objects.filter(kind="auth.signed_in").exists()


def test_the_name_hash_is_keyed(settings: object) -> None:
    first = username_hash("farah")
    settings.SECRET_KEY = "another-deployment-secret-key-with-enough-length-000000"  # type: ignore[attr-defined]
    assert username_hash("farah") != first
