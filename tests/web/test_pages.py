"""Every section is reachable from the navigation; the chat page carries what its script needs."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

NAV = [
    ("Home", "/"),
    ("AI Image", "/image/"),
    ("AI Video", "/video/"),
    ("AI Tools", "/tools/"),
    ("Me", "/me/"),
]


@pytest.mark.parametrize(("label", "path"), [*NAV, ("Me", "/history/")])
def test_each_section_renders_with_the_full_navigation_and_marks_itself(label: str, path: str) -> None:
    page = Client().get(path).content.decode()
    html = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S).group(1)  # type: ignore[union-attr]
    links = re.findall(r'<a href="([^"]+)"\s*(aria-current="page")?>([^<]+)</a>', html)
    assert [(text, href) for href, _, text in links] == NAV
    assert [text for _, current, text in links if current] == [label]


def test_no_section_says_coming_soon_any_more() -> None:
    for path in ["/", "/tools/"]:
        assert "Coming soon" not in Client().get(path).content.decode()


def test_the_chat_page_sets_the_csrf_cookie_and_loads_its_script() -> None:
    client = Client()
    response = client.get("/image/")
    assert "csrftoken" in response.cookies
    html = response.content.decode()
    assert '<script src="/static/web/image.js" defer></script>' in html
    assert 'id="composer"' in html


def test_pages_send_security_headers() -> None:
    response = Client().get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_home_lists_only_this_visitors_recent_work() -> None:
    from tests.conftest import csrf_headers

    mine = Client(enforce_csrf_checks=True)
    headers = csrf_headers(mine)
    mine.post(
        "/api/v1/conversations", data='{"title": "Bakery poster"}', content_type="application/json", headers=headers
    )
    assert "Bakery poster" in mine.get("/").content.decode()
    assert "Bakery poster" not in Client().get("/").content.decode()


def test_home_says_how_many_images_are_stored_and_when_the_next_goes(
    django_capture_on_commit_callbacks: object,
) -> None:
    from datetime import UTC, datetime

    import time_machine

    from tests.conftest import csrf_headers

    client = Client(enforce_csrf_checks=True)
    with time_machine.travel(datetime(2026, 5, 1, 9, 0, tzinfo=UTC), tick=False):
        headers = csrf_headers(client)
        conversation = client.post("/api/v1/conversations", data="{}", content_type="application/json", headers=headers)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            client.post(
                f"/api/v1/conversations/{conversation.json()['id']}/messages",
                data={"text": "a poster"},
                headers=headers,
            )
    with time_machine.travel(datetime(2026, 5, 1, 11, 30, tzinfo=UTC), tick=False):
        html = client.get("/").content.decode()
    assert "1 image stored here; the next is deleted in 21\xa0hours, 30\xa0minutes (May 2, 2026, 9 a.m. UTC)." in html
