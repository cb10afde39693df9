"""The admin's door: optional TOTP (NANOBANANAS_ADMIN_OTP), enrolment from the CLI, and superuser
rights that cannot be granted or widened from the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from nanobananas.audit.models import AuditEvent
from nanobananas.cli import main
from nanobananas.core.staff import staff_totp_enrol

pytestmark = [pytest.mark.django_db, pytest.mark.database]

PASSWORD = "staff password 123"


@pytest.fixture
def staff_user() -> Any:
    return get_user_model().objects.create_superuser(username="ops", email="ops@example.org", password=PASSWORD)


@pytest.fixture
def otp_on(settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "ADMIN_OTP": True}


def _code(device: TOTPDevice, *, wrong: bool = False) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    if wrong:
        value = (value + 1) % 10**device.digits
    return f"{value:0{device.digits}d}"


def _login(client: Client, **extra: str) -> Any:
    return client.post("/admin/login/?next=/admin/", {"username": "ops", "password": PASSWORD, **extra})


def test_the_sign_in_page_asks_for_a_code_only_with_the_flag(settings: Any) -> None:
    page = Client().get("/admin/login/")
    assert page.status_code == 200
    assert 'name="otp_token"' not in page.content.decode()
    settings.NANOBANANAS = {**settings.NANOBANANAS, "ADMIN_OTP": True}
    page = Client().get("/admin/login/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="otp_token"' in html
    assert "<script>" not in html
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_without_the_flag_the_admin_takes_a_staff_password(staff_user: Any) -> None:
    client = Client()
    response = _login(client)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_with_the_flag_a_password_alone_does_not_open_the_admin(otp_on: None, staff_user: Any) -> None:
    device = staff_totp_enrol(email="ops@example.org")
    client = Client()
    response = _login(client)
    assert response.status_code == 200
    assert "Please enter your OTP token." in response.content.decode()
    assert "_auth_user_id" not in client.session
    response = _login(client, otp_device=device.persistent_id, otp_token=_code(device, wrong=True))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_with_the_flag_a_correct_totp_code_opens_the_admin(otp_on: None, staff_user: Any) -> None:
    device = staff_totp_enrol(email="ops@example.org")
    client = Client()
    response = _login(client, otp_device=device.persistent_id, otp_token=_code(device))
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/studio/message/").status_code == 200


def test_with_the_flag_a_session_signed_in_elsewhere_is_not_verified(otp_on: None, staff_user: Any) -> None:
    staff_totp_enrol(email="ops@example.org")
    client = Client()
    client.force_login(staff_user)  # e.g. through the site's own sign-in page: no second factor
    response = client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/admin/login/?next=/admin/")
    assert client.get("/admin/studio/message/").status_code == 302


def test_with_the_flag_staff_without_a_device_cannot_get_in(otp_on: None, staff_user: Any) -> None:
    client = Client()
    response = _login(client, otp_token="123456")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_cli_enrols_a_device_prints_its_uri_and_a_qr_code(staff_user: Any, capsys: Any) -> None:
    assert main(["staff", "totp", "--email", "OPS@example.org"]) == 0
    out = capsys.readouterr().out
    device = TOTPDevice.objects.get(user=staff_user)
    assert device.confirmed
    assert device.config_url in out
    assert out.count("otpauth://totp/") == 1
    assert "\u2588" in out or "\u2580" in out or "\u2584" in out  # the QR code's blocks
    # Enrolling again replaces the old device: its codes stop working.
    assert main(["staff", "totp", "--email", "ops@example.org"]) == 0
    assert list(TOTPDevice.objects.filter(user=staff_user).values_list("pk", flat=True)) != [device.pk]
    assert TOTPDevice.objects.filter(user=staff_user).count() == 1
    events = list(AuditEvent.objects.filter(kind="staff.totp_enrolled").values_list("owner_key", "details"))
    assert events == [(f"u{staff_user.pk}", {"replaced": 0}), (f"u{staff_user.pk}", {"replaced": 1})]


def test_the_cli_refuses_an_unknown_email_or_a_non_staff_account(capsys: Any) -> None:
    get_user_model().objects.create_user(username="ana", email="ana@example.org", password=PASSWORD)
    assert main(["staff", "totp", "--email", "nobody@example.org"]) == 2
    assert "No single account has the email" in capsys.readouterr().err
    assert main(["staff", "totp", "--email", "ana@example.org"]) == 2
    assert "not staff" in capsys.readouterr().err
    assert TOTPDevice.objects.count() == 0
    assert AuditEvent.objects.filter(kind="staff.totp_enrolled").count() == 0


def _user_form(user: Any, **changes: Any) -> dict[str, Any]:
    """The user change form as the admin page would post it, with `changes` applied."""
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1" if hasattr(user, "profile") else "0",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
    }
    if hasattr(user, "profile"):
        profile = user.profile
        data.update(
            {
                "profile-0-id": str(profile.pk),
                "profile-0-user": str(user.pk),
                "profile-0-display_name": profile.display_name,
                "profile-0-plan": str(profile.plan_id) if profile.plan_id else "",
                "profile-0-retention_hours": str(profile.retention_hours or ""),
            }
        )
    else:
        data["profile-TOTAL_FORMS"] = "0"
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_staff_post_cannot_make_anyone_a_superuser(staff_user: Any) -> None:
    from tests.accounts.conftest import signup

    ana = signup()
    client = Client()
    client.force_login(staff_user)
    page = client.get(f"/admin/auth/user/{ana.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    response = client.post(f"/admin/auth/user/{ana.pk}/change/", _user_form(ana, is_superuser="on", first_name="A"))
    assert response.status_code == 302, response.content.decode()[:3000]
    ana.refresh_from_db()
    assert ana.first_name == "A"  # the rest of the form was saved...
    assert ana.is_superuser is False  # ...but not the superuser flag


def test_staff_cannot_widen_their_own_groups_or_permissions(staff_user: Any) -> None:
    clerk = get_user_model().objects.create_user(
        username="clerk", email="clerk@example.org", password=PASSWORD, is_staff=True
    )
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    admins = Group.objects.create(name="admins")
    everything = list(Permission.objects.values_list("pk", flat=True))
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/admin/auth/user/{clerk.pk}/change/").content.decode()
    assert 'name="user_permissions"' not in page
    assert 'name="groups"' not in page
    form = _user_form(clerk, is_superuser="on", groups=[str(admins.pk)], user_permissions=[str(p) for p in everything])
    response = client.post(f"/admin/auth/user/{clerk.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    clerk.refresh_from_db()
    assert clerk.is_superuser is False
    assert list(clerk.groups.all()) == []
    assert sorted(clerk.user_permissions.values_list("codename", flat=True)) == ["change_user", "view_user"]
