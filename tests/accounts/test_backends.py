"""Authentication pieces: Argon2id first in production, email-or-username lookup, the lockout name."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User
from django.test import RequestFactory

from nanobananas.accounts.backends import EmailOrUsernameBackend, lockout_username
from nanobananas.config import settings as production
from tests.accounts.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def test_production_hashes_with_argon2id_first(settings: Any) -> None:
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    encoded = make_password("a long passphrase")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("a long passphrase", encoded)


def test_axes_comes_first_among_the_backends() -> None:
    assert production.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "nanobananas.accounts.backends.EmailOrUsernameBackend",
    ]


@pytest.mark.parametrize(("name", "found"), [("ana", True), ("ANA@EXAMPLE.ORG", True), ("an", False), ("", False)])
def test_lookup_by_email_or_username(user: User, name: str, found: bool) -> None:
    request = RequestFactory().post("/accounts/login/")
    result = EmailOrUsernameBackend().authenticate(request, username=name, password=PASSWORD)
    assert (result == user) is found


def test_an_inactive_account_cannot_sign_in(user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert EmailOrUsernameBackend().authenticate(None, username="ana", password=PASSWORD) is None


def test_lockout_counts_every_name_of_an_account_as_one(user: User) -> None:
    assert {lockout_username(None, {"username": n}) for n in ("ana", "ANA", "ana@example.org")} == {"ana"}
    assert lockout_username(None, {"username": "Ghost@Example.org"}) == "ghost@example.org"
