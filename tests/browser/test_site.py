"""The whole site in Chromium: phones, dark mode, error pages, the API docs and accessibility basics."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, Server

PAGES = ["/", "/image/", "/video/", "/tools/", "/me/", "/history/", "/accounts/login/", "/no-such-page/"]
PHONE = {"width": 390, "height": 844}

# Every control that a person must be able to name, and whether it has a name (label, aria-label, text, alt).
UNNAMED_CONTROLS = """() => {
  const named = (node) => {
    if (node.getAttribute("aria-label") || node.getAttribute("aria-labelledby") || node.title) return true;
    if (node.labels && node.labels.length && Array.from(node.labels).some((l) => l.textContent.trim())) return true;
    if (node.tagName === "IMG") return node.hasAttribute("alt");
    if (node.tagName === "INPUT" && ["submit", "button"].includes(node.type)) return Boolean(node.value);
    return Boolean(node.textContent.trim()) || Boolean(node.querySelector("img[alt]:not([alt=''])"));
  };
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, img";
  return Array.from(document.querySelectorAll(selector))
    .filter((node) => node.getClientRects().length && !named(node))
    .map((node) => node.outerHTML.slice(0, 120));
}"""

COLOURS = """(selector) => {
  const node = document.querySelector(selector);
  let back = node;
  let background = "rgba(0, 0, 0, 0)";
  while (back && /rgba\\(0, 0, 0, 0\\)|transparent/.test(background)) {
    background = getComputedStyle(back).backgroundColor;
    back = back.parentElement;
  }
  if (/rgba\\(0, 0, 0, 0\\)|transparent/.test(background)) {
    background = getComputedStyle(document.documentElement).backgroundColor;
  }
  return [getComputedStyle(node).color, background];
}"""


def _rgb(css: str) -> tuple[float, float, float]:
    r, g, b = (float(v) for v in re.findall(r"[\d.]+", css)[:3])
    return r, g, b


def _luminance(css: str) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = _rgb(css)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(page: Any, selector: str) -> float:
    text, background = page.evaluate(COLOURS, selector)
    light, dark = sorted((_luminance(text), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture
def context_for(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_a_phone_gets_a_one_line_header_and_no_sideways_scrolling(
    studio_server: Server, context_for: Any, path: str
) -> None:
    p = context_for(viewport=PHONE)
    p.goto(f"{studio_server.url}{path}")
    header = p.locator("header.topbar").bounding_box()
    assert header["height"] <= 60, header
    for part in (".brand", ".account-links", ".menu-button"):
        box = p.locator(part).bounding_box()
        assert header["y"] <= box["y"], part
        assert box["y"] + box["height"] <= header["y"] + header["height"], part
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(p.locator("nav[aria-label=Main]")).to_be_hidden()
    title = p.locator("h1").first
    expect(title).to_be_visible()
    assert p.locator("h1").first.evaluate("(node) => node.scrollWidth <= node.clientWidth")


def test_the_phone_menu_opens_and_leads_to_every_section(studio_server: Server, context_for: Any) -> None:
    p = context_for(viewport=PHONE)
    p.goto(f"{studio_server.url}/")
    p.click(".menu-button")
    nav = p.locator("nav[aria-label=Main]")
    expect(nav).to_be_visible()
    assert nav.locator("a").all_inner_texts() == ["Home", "AI Image", "AI Video", "AI Tools", "Me"]
    nav.get_by_text("AI Image").click()
    p.wait_for_url(f"{studio_server.url}/image/")
    # On the editor the message box is the width of the page.
    box = p.locator("#prompt").bounding_box()
    assert box["width"] >= PHONE["width"] - 40
    p.screenshot(path=str(ARTIFACTS / "phone-image-empty.png"), full_page=True)


def test_the_poster_journey_on_a_phone_has_no_sideways_scrolling(studio_server: Server, context_for: Any) -> None:
    p = context_for(viewport=PHONE)
    p.goto(f"{studio_server.url}/image/")
    p.fill("#prompt", "a poster for a bakery grand opening")
    p.click("#send")
    expect(p.locator(".version")).to_have_count(1, timeout=60_000)
    expect(p.locator(".turn.pending")).to_have_count(0, timeout=60_000)
    expect(p.locator("#current-image")).to_have_js_property("complete", True)
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    image = p.locator("#current-image").bounding_box()
    assert image["x"] >= 0
    assert image["x"] + image["width"] <= PHONE["width"]
    p.screenshot(path=str(ARTIFACTS / "phone-image-poster.png"), full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", "/image/", "/me/", "/no-such-page/"])
def test_both_themes_follow_the_system_setting_with_readable_text(
    studio_server: Server, context_for: Any, scheme: str, path: str
) -> None:
    p = context_for(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    p.goto(f"{studio_server.url}{path}")
    background = _luminance(p.evaluate("getComputedStyle(document.body).backgroundColor || ''") or "rgb(0,0,0)")
    page_background = _luminance(p.evaluate("getComputedStyle(document.documentElement).backgroundColor"))
    if scheme == "dark":
        assert page_background < 0.02
    else:
        assert page_background > 0.85
    assert background in (0.0, page_background) or background == pytest.approx(page_background)
    for selector in ("h1", "nav a[aria-current=page], nav a", "footer.footer", ".account-links a"):
        assert _contrast(p, selector) >= 4.5, (selector, scheme)
    p.screenshot(path=str(ARTIFACTS / f"theme-{scheme}{path.strip('/').replace('/', '-') or '-home'}.png"))


def test_a_missing_page_has_the_navigation_and_a_way_back(studio_server: Server, page: Any) -> None:
    p = page
    response = p.goto(f"{studio_server.url}/no/such/page/")
    assert response.status == 404
    expect(p.locator("h1")).to_have_text("Page not found")
    assert p.locator("nav[aria-label=Main] a").all_inner_texts() == ["Home", "AI Image", "AI Video", "AI Tools", "Me"]
    p.click("text=Back to Home")
    p.wait_for_url(f"{studio_server.url}/")


def test_the_api_docs_render_without_a_parser_error(studio_server: Server, page: Any) -> None:
    p = page
    p.goto(f"{studio_server.url}/api/v1/docs")
    expect(p.locator(".opblock").first).to_be_visible(timeout=20_000)
    assert p.locator(".opblock").count() > 30
    expect(p.get_by_text("Parser error")).to_have_count(0)
    expect(p.locator(".errors-wrapper")).to_have_count(0)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_landmarks_named_controls_and_visible_focus(studio_server: Server, page: Any, path: str) -> None:
    p = page
    p.goto(f"{studio_server.url}{path}")
    for role in ("banner", "main", "contentinfo"):
        expect(p.get_by_role(role)).to_have_count(1)
    expect(p.get_by_role("navigation", name="Main")).to_have_count(1)
    assert p.evaluate(UNNAMED_CONTROLS) == []
    assert p.locator("h1").count() == 1
    if p.locator("[autofocus]").count():
        # A form that starts in its first field: that field shows its focus.
        assert p.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        return
    # The first Tab shows the skip link, visibly focused; following it lands in the main content.
    p.keyboard.press("Tab")
    skip = p.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.evaluate("(node) => getComputedStyle(node).outlineStyle") != "none"
    assert skip.bounding_box()["y"] >= 0
    p.keyboard.press("Enter")
    expect(p.locator("main")).to_be_focused()


def test_the_theme_switch_overrides_the_system_and_is_remembered(studio_server: Server, context_for: Any) -> None:
    p = context_for(viewport={"width": 1280, "height": 800}, color_scheme="light")
    p.goto(f"{studio_server.url}/")

    def page_luminance() -> float:
        return _luminance(p.evaluate("getComputedStyle(document.documentElement).backgroundColor"))

    assert page_luminance() > 0.85
    choice = p.locator("#theme-select")
    expect(choice).to_have_value("system")
    choice.select_option("dark")
    assert page_luminance() < 0.02
    p.goto(f"{studio_server.url}/image/")  # another page, same browser: still dark, from the first paint
    expect(p.locator("#theme-select")).to_have_value("dark")
    assert page_luminance() < 0.02
    assert _contrast(p, "h1") >= 4.5
    p.locator("#theme-select").select_option("system")
    assert page_luminance() > 0.85
    p.emulate_media(color_scheme="dark")
    assert page_luminance() < 0.02
    p.locator("#theme-select").select_option("light")
    p.reload()
    assert page_luminance() > 0.85


def test_transparency_shows_as_a_checkerboard(studio_server: Server, page: Any) -> None:
    p = page
    p.goto(f"{studio_server.url}/image/")
    p.fill("#prompt", "a poster for a bakery grand opening")
    p.click("#send")
    expect(p.locator(".version")).to_have_count(1, timeout=60_000)
    for selector in ("#current-image", ".version img", ".bubble img.result"):
        background = p.locator(selector).first.evaluate("(node) => getComputedStyle(node).backgroundImage")
        assert background.startswith("conic-gradient("), (selector, background)


def test_the_first_load_of_ai_image_is_small_and_same_origin(studio_server: Server, page: Any) -> None:
    p = page
    p.goto(f"{studio_server.url}/image/")
    p.wait_for_load_state("networkidle")
    entries = p.evaluate(
        "performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".map((e) => [e.name, e.transferSize])"
    )
    assert all(name.startswith(studio_server.url) for name, _ in entries), entries
    total = sum(size for _, size in entries)
    assert 5_000 < total < 200_000, entries  # the page, its stylesheet and scripts really were counted
