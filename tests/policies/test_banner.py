"""The banner: signed-in users who joined before a version see it until they accept (or close it); continued
use after the notice email is recorded once; guests never see it."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nanobananas.policies.models import PolicyAcceptance
from nanobananas.policies.services import policy_notices_send
from tests.policies.conftest import member, published, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.database]

BANNER = 'class="policy-banner"'


def _csrf(client: Client) -> dict[str, str]:
    client.get("/image/")
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def test_no_banner_while_the_version_in_force_predates_the_account() -> None:
    client = signed_in(member("settled"))
    html = client.get("/").content.decode()
    assert BANNER not in html


def test_accounts_older_than_the_first_versions_are_told_about_both() -> None:
    client = signed_in(member("pioneer", joined_minutes_ago=60 * 24 * 365))
    html = client.get("/").content.decode()
    assert html.count(BANNER) == 2
    assert "We updated our privacy policy (version 1): First version." in html
    assert "We updated our terms of use (version 1): First version." in html


def test_banner_until_accepted_then_gone() -> None:
    user = member("reader")
    document = published(version="2")
    client = signed_in(user)
    html = client.get("/").content.decode()
    assert BANNER in html
    assert "We updated our privacy policy (version 2): Analytics are now off by default." in html
    assert '<a class="button small" href="/privacy/versions/2/">Read it</a>' in html
    assert '<script src="/static/policies/banner.js" defer></script>' in html
    assert BANNER in client.get("/me/").content.decode()

    response = client.post(
        "/api/v1/me/policy-acceptances",
        data=json.dumps({"kind": "privacy", "version": "2"}),
        content_type="application/json",
        **_csrf(client),
    )
    assert response.status_code == 201
    assert response.json()["how"] == "clicked"
    assert response.json()["is_current"] is True
    assert BANNER not in client.get("/").content.decode()
    assert list(PolicyAcceptance.objects.values_list("user_id", "document_id", "how")) == [
        (user.pk, document.pk, "clicked")
    ]
    # Another device (a new session) knows it too.
    assert BANNER not in signed_in(user).get("/").content.decode()


def test_continued_use_after_the_notice_is_recorded_once() -> None:
    user = member("regular")
    document = published(version="2")
    client = signed_in(user)
    client.get("/")
    assert not PolicyAcceptance.objects.exists()  # no notice has reached the user yet
    policy_notices_send(document_id=document.pk)
    client.get("/")
    client.get("/me/")
    signed_in(user).get("/")
    assert list(PolicyAcceptance.objects.values_list("user_id", "document_id", "how")) == [
        (user.pk, document.pk, "continued_use")
    ]
    # The banner stays until the user presses Accept; that is recorded as well.
    assert BANNER in client.get("/").content.decode()
    client.post(
        "/api/v1/me/policy-acceptances",
        data=json.dumps({"kind": "privacy", "version": "2"}),
        content_type="application/json",
        **_csrf(client),
    )
    assert sorted(PolicyAcceptance.objects.values_list("how", flat=True)) == ["clicked", "continued_use"]


def test_a_settled_session_costs_one_query_per_request() -> None:
    user = member("counted")
    document = published(version="2")
    policy_notices_send(document_id=document.pk)
    client = signed_in(user)
    client.get("/api/v1/history")  # first request: continued use recorded, remembered in the session
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/history")
    policy_queries = [q["sql"] for q in queries.captured_queries if "policies_" in q["sql"]]
    assert len(policy_queries) == 1


def test_closing_hides_the_banner_for_this_session_without_accepting() -> None:
    user = member("closer")
    published(version="2")
    client = signed_in(user)
    response = client.post(
        "/api/v1/me/policy-notices/close",
        data=json.dumps({"kind": "privacy", "version": "2"}),
        content_type="application/json",
        **_csrf(client),
    )
    assert response.status_code == 204
    assert BANNER not in client.get("/").content.decode()
    assert not PolicyAcceptance.objects.exists()
    assert BANNER in signed_in(user).get("/").content.decode()


def test_the_banner_form_works_without_javascript() -> None:
    user = member("nojs")
    published(version="2")
    client = signed_in(user)
    headers = _csrf(client)
    response = client.post(
        "/policies/notice/",
        {"kind": "privacy", "version": "2", "action": "accept", "next": "/me/"},
        **headers,
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert PolicyAcceptance.objects.get().how == "clicked"
    away = client.post(
        "/policies/notice/", {"kind": "privacy", "version": "2", "action": "accept", "next": "https://evil.example/"},
        **headers,
    )  # fmt: skip
    assert away["Location"] == "/"
    assert client.post("/policies/notice/", {"kind": "privacy", "version": "7"}, **headers).status_code == 404


def test_guests_see_no_banner_and_nothing_is_recorded() -> None:
    published(version="2")
    html = Client().get("/").content.decode()
    assert BANNER not in html
    assert not PolicyAcceptance.objects.exists()
