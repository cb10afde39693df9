"""The age gate: month-and-year boundaries, a kind refusal that stores nothing, and the retry cookie."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from nanobananas.accounts.age import RETRY_COOKIE, age_gate_passes
from nanobananas.accounts.models import Guest, Profile, RateWindow, UserSession

pytestmark = [pytest.mark.django_db, pytest.mark.database]

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("month", "year", "passes"),
    [
        (12, 2013, False),  # 12 years 11 months
        (11, 2013, True),  # exactly 13 (the birth month counts as reached)
        (10, 2013, True),  # 13 years 1 month
        (1, 2014, False),  # 12 years 10 months
        (11, 2014, False),  # exactly 12
        (1, 1950, True),
    ],
)
def test_thirteen_is_counted_in_whole_months(month: int, year: int, passes: bool) -> None:
    assert age_gate_passes(birth_month=month, birth_year=year, today=TODAY) is passes


def _form(month: int, year: int, username: str = "kid") -> dict[str, str]:
    return {
        "email": f"{username}@example.org",
        "username": username,
        "display_name": "Someone",
        "password": "correct horse battery",
        "birth_month": str(month),
        "birth_year": str(year),
    }


def test_the_form_asks_for_month_and_year_without_hinting_at_the_cutoff() -> None:
    html = Client().get("/accounts/signup/").content.decode()
    assert 'name="birth_month"' in html
    assert 'name="birth_year"' in html
    assert "Date of birth" in html
    # The form itself, not the page around it (the site menu is a `popover`, which contains "over").
    form = html[html.index("<form") : html.index("</form>")]
    for hint in ("13", "thirteen", "over", "old enough", "checkbox"):
        assert hint not in form.lower().replace("2013", "").replace("1913", "")
    assert 'type="checkbox"' not in html


@time_machine.travel("2026-11-30 12:00:00+00:00", tick=False)
def test_twelve_years_eleven_months_gets_no_account_and_a_kind_page() -> None:
    client = Client()
    response = client.post("/accounts/signup/", _form(12, 2013))
    assert response.status_code == 200
    html = response.content.decode()
    assert "We can't create an account right now" in html
    assert "Nothing you typed has been saved" in html
    assert RETRY_COOKIE in response.cookies
    assert response.cookies[RETRY_COOKIE]["httponly"]
    # Nothing about the attempt is stored: no user, no profile, no guest, no mail; the cookie holds no date.
    assert (User.objects.count(), Profile.objects.count(), Guest.objects.count(), len(mail.outbox)) == (0, 0, 0, 0)
    assert (RateWindow.objects.count(), UserSession.objects.count()) == (0, 0)
    assert "2013" not in response.cookies[RETRY_COOKIE].value
    assert "12" not in response.cookies[RETRY_COOKIE].value.split(":")[0]


@time_machine.travel("2026-11-30 12:00:00+00:00", tick=False)
def test_the_cookie_stops_an_immediate_retry_with_another_date() -> None:
    client = Client()
    client.post("/accounts/signup/", _form(12, 2013))
    retry = client.post("/accounts/signup/", _form(1, 1990))
    assert "We can't create an account right now" in retry.content.decode()
    assert User.objects.count() == 0
    assert "We can't create an account right now" in client.get("/accounts/signup/").content.decode()


def test_the_cookie_lapses_after_a_day() -> None:
    with time_machine.travel("2026-11-30 12:00:00+00:00", tick=False):
        client = Client()
        client.post("/accounts/signup/", _form(12, 2013))
    with time_machine.travel("2026-12-01 12:00:01+00:00", tick=False):
        response = client.post("/accounts/signup/", _form(12, 2013, username="later"))
    assert response.status_code == 302
    assert User.objects.filter(username="later").exists()


@time_machine.travel("2026-11-30 12:00:00+00:00", tick=False)
def test_exactly_thirteen_gets_an_account() -> None:
    response = Client().post("/accounts/signup/", _form(11, 2013, username="teen"))
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert RETRY_COOKIE not in response.cookies
    user = User.objects.get(username="teen")
    assert user.profile.display_name == "Someone"
    # The birth date itself is not kept anywhere on the account.
    assert not any("birth" in field.name for field in Profile._meta.get_fields())
