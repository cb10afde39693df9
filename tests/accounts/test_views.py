"""Account pages: sign-up, verification, sign-in by email or username, sign-out, reset, email and password changes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Profile, UserSession
from nanobananas.accounts.selectors import plan_for
from tests.accounts.conftest import PASSWORD, signup

pytestmark = [pytest.mark.django_db, pytest.mark.database]

SIGNUP = {
    "email": "Bea@Example.ORG",
    "username": "bea",
    "display_name": "Bea  Costa",
    "password": PASSWORD,
    "birth_month": "5",
    "birth_year": "1990",
}


def _link(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/\S+)", str(message.body))
    assert match, message.body
    return match.group(1)


def test_signup_creates_a_free_account_signs_in_and_mails_a_verification_link(on_commit: Any) -> None:
    client = Client()
    with on_commit(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    user = User.objects.get(username="bea")
    assert user.email == "Bea@example.org"
    assert user.password.startswith("md5$")  # the test hasher; production uses Argon2 first
    profile = user.profile
    assert (profile.display_name, profile.email_key) == ("Bea Costa", "bea@example.org")
    assert plan_for(owner=Owner(user_id=user.pk)).code == "free"
    assert profile.email_verified_at is None
    [message] = mail.outbox
    assert message.to == ["Bea@example.org"]
    assert message.subject == "Confirm your email address for Nanobananas"
    me = client.get("/me/").content.decode()
    assert "Bea Costa" in me
    assert "not confirmed yet" in me


def test_the_verification_link_confirms_once(on_commit: Any) -> None:
    client = Client()
    with on_commit(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    link = _link(mail.outbox[0])
    assert client.get(link).status_code == 302
    profile = Profile.objects.get(user__username="bea")
    assert profile.email_verified_at is not None
    again = client.get(link)
    assert again.status_code == 400
    assert "invalid or has expired" in again.content.decode()
    assert Profile.objects.get(pk=profile.pk).email_verified_at == profile.email_verified_at


def test_a_forged_verification_link_changes_nothing(user: User) -> None:
    response = Client().get("/accounts/verify/MQ/abc-123/")
    assert response.status_code == 400
    assert Profile.objects.get(user=user).email_verified_at is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "ANA@example.org", "An account with this email already exists"),
        ("username", "ANA", "That username is taken"),
        ("username", "a@b", "A username has 3 to 30"),
        ("password", "password", "This password is too common"),
    ],
)
def test_signup_refusals_store_nothing(user: User, field: str, value: str, message: str, on_commit: Any) -> None:
    mail.outbox.clear()
    with on_commit(execute=True):
        response = Client().post("/accounts/signup/", {**SIGNUP, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (User.objects.count(), Profile.objects.count(), len(mail.outbox)) == (1, 1, 0)


@pytest.mark.parametrize("name", ["ana", "ANA", "ana@example.org", "Ana@Example.org"])
def test_sign_in_by_username_or_email(user: User, name: str) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": name, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    session = UserSession.objects.get(user=user)
    assert session.signed_in_at is not None
    assert "Ana Lima" in client.get("/").content.decode()


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(user: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "ana", "password": "nope nope nope"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert not UserSession.objects.filter(user=user).exists()


def test_the_top_bar_says_sign_in_for_guests_and_the_name_for_users(user_client: Client) -> None:
    guest = Client().get("/").content.decode()
    assert 'href="/accounts/login/">Sign in</a> / <a class="account-name" href="/accounts/signup/">Sign up</a>' in guest
    assert '<a class="account-name" href="/me/">Ana Lima</a>' in user_client.get("/").content.decode()


def test_sign_out_ends_the_session(user: User, user_client: Client) -> None:
    response = user_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not UserSession.objects.filter(user=user).exists()
    assert "Sign in" in user_client.get("/").content.decode()


def test_password_reset_by_email(user: User) -> None:
    other = Client()
    other.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    mail.outbox.clear()
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "ANA@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    [message] = mail.outbox
    assert message.subject == "Reset your Nanobananas password"
    form_url = client.get(_link(message))["Location"]
    done = client.post(form_url, {"new_password1": "a brand new secret", "new_password2": "a brand new secret"})
    assert done["Location"] == "/accounts/password/reset/complete/"
    user.refresh_from_db()
    assert user.check_password("a brand new secret")
    assert not UserSession.objects.filter(user=user).exists()
    assert client.post("/accounts/login/", {"username": "ana", "password": PASSWORD}).status_code == 200


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(user: User) -> None:
    mail.outbox.clear()
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_email_change_waits_for_the_new_address_to_be_verified(user: User, user_client: Client, on_commit: Any) -> None:
    mail.outbox.clear()
    with on_commit(execute=True):
        response = user_client.post("/accounts/email/", {"new_email": "ana.new@example.org", "password": PASSWORD})
    assert response["Location"] == "/me/"
    user.refresh_from_db()
    assert user.email == "ana@example.org"
    verify, notice = sorted(mail.outbox, key=lambda m: m.to[0])
    assert verify.to == ["ana.new@example.org"]
    assert notice.to == ["ana@example.org"]
    assert "ana.new@example.org" in str(notice.body)
    assert user_client.get(_link(verify)).status_code == 302
    user.refresh_from_db()
    assert user.email == "ana.new@example.org"
    assert (user.profile.email_key, user.profile.pending_email) == ("ana.new@example.org", "")
    assert user.profile.email_verified_at is not None


def test_email_change_needs_the_password_and_a_free_address(user: User, user_client: Client, on_commit: Any) -> None:
    signup(username="cai", email="cai@example.org", display_name="Cai")
    mail.outbox.clear()
    with on_commit(execute=True):
        wrong = user_client.post("/accounts/email/", {"new_email": "x@example.org", "password": "not it at all"})
        taken = user_client.post("/accounts/email/", {"new_email": "CAI@example.org", "password": PASSWORD})
    assert "The password is not right." in wrong.content.decode()
    assert "An account with this email already exists." in taken.content.decode()
    assert mail.outbox == []
    assert Profile.objects.get(user=user).pending_email == ""


def test_password_change_keeps_this_session_and_ends_the_others(user: User, user_client: Client) -> None:
    elsewhere = Client()
    elsewhere.post("/accounts/login/", {"username": "ana@example.org", "password": PASSWORD})
    assert UserSession.objects.filter(user=user).count() == 2
    response = user_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "another long secret", "new_password2": "another long secret"},
    )
    assert response["Location"] == "/me/"
    assert UserSession.objects.filter(user=user).count() == 1
    assert user_client.get("/me/").status_code == 200
    assert "Ana Lima" in user_client.get("/").content.decode()
    assert "Sign in" in elsewhere.get("/").content.decode()


def test_sign_out_everywhere_else(user: User, user_client: Client) -> None:
    others = [Client(), Client()]
    for other in others:
        other.post("/accounts/login/", {"username": "ana", "password": PASSWORD}, HTTP_USER_AGENT="Firefox/130")
    me = user_client.get("/me/").content.decode()
    assert me.count("<li>") >= 3
    assert "this browser" in me
    response = user_client.post("/accounts/sessions/end-others/", follow=True)
    assert "Signed out of 2 other sessions." in response.content.decode()
    assert UserSession.objects.filter(user=user).count() == 1
    for other in others:
        assert "Sign in" in other.get("/").content.decode()
    assert "Ana Lima" in user_client.get("/").content.decode()


def test_profile_corrections(user: User, user_client: Client) -> None:
    response = user_client.post("/accounts/profile/", {"display_name": "Ana L.", "username": "ana_l"}, follow=True)
    assert "Your profile is saved." in response.content.decode()
    user.refresh_from_db()
    assert (user.username, user.profile.display_name) == ("ana_l", "Ana L.")


def test_a_taken_username_changes_nothing(user: User, user_client: Client) -> None:
    signup(username="cai", email="cai@example.org", display_name="Cai")
    response = user_client.post("/accounts/profile/", {"display_name": "New", "username": "Cai"}, follow=True)
    assert "That username is taken." in response.content.decode()
    user.refresh_from_db()
    assert (user.username, user.profile.display_name) == ("ana", "Ana Lima")


def test_account_pages_need_a_signed_in_user() -> None:
    client = Client()
    for path in ("/accounts/email/", "/accounts/password/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert client.post("/accounts/sessions/end-others/")["Location"].startswith("/accounts/login/")
