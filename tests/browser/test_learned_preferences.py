"""Me -> Privacy, "What we learned about your preferences", in the browser: it lists what three kept square
posters taught, and its reset button forgets it."""

from __future__ import annotations

import subprocess
import sys

from playwright.sync_api import expect

from tests.live_server import Server, server_environment

CREATE_USER = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "nanobananas.config.settings"
django.setup()
from django.contrib.auth import get_user_model
get_user_model().objects.create_user(username="wren", email="wren@example.org", password="keeps square posters 4")
"""

# Three designs asked for through the API as the page's scripts do, each waited for until it is done.
MAKE_DESIGNS = """async (prompts) => {
  const token = decodeURIComponent((document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/) || [])[1] || "");
  const headers = {"X-CSRFToken": token};
  const states = [];
  for (const text of prompts) {
    const made = await fetch("/api/v1/conversations", {method: "POST", credentials: "same-origin",
      headers: {...headers, "Content-Type": "application/json"}, body: "{}"});
    const conversation = await made.json();
    const form = new FormData();
    form.append("text", text);
    const sent = await fetch(`/api/v1/conversations/${conversation.id}/messages`,
      {method: "POST", credentials: "same-origin", headers, body: form});
    const job = (await sent.json()).job;
    let status = job.status;
    for (let i = 0; i < 600 && !["done", "failed", "refused"].includes(status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await (await fetch(`/api/v1/jobs/${job.id}`, {credentials: "same-origin"})).json()).status;
    }
    states.push(status);
  }
  return states;
}"""


def test_what_was_learned_is_shown_and_the_reset_button_forgets_it(studio_server: Server, page: object) -> None:
    subprocess.run([sys.executable, "-c", CREATE_USER], env=server_environment(studio_server.home), check=True)
    p = page
    p.goto(f"{studio_server.url}/accounts/login/")  # type: ignore[attr-defined]
    p.fill("#id_username", "wren")  # type: ignore[attr-defined]
    p.fill("#id_password", "keeps square posters 4")  # type: ignore[attr-defined]
    p.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
    p.goto(f"{studio_server.url}/me/")  # type: ignore[attr-defined]
    learned = p.locator("#learned-preferences")  # type: ignore[attr-defined]
    expect(learned).to_contain_text("Nothing yet")

    events = ("spring fair", "book club", "school concert")
    prompts = [f"a 1080x1080 poster for the {event} in navy and gold" for event in events]
    assert p.evaluate(MAKE_DESIGNS, prompts) == ["done"] * 3  # type: ignore[attr-defined]

    p.reload()  # type: ignore[attr-defined]
    expect(learned.locator("li")).to_have_text(
        ["Poster: 1080 x 1080 (square)", "Colours: navy, gold", "Fonts: Roboto", "Usually made by: builtin"]
    )
    expect(p.locator("#privacy-form input[name=personalization]")).to_be_checked()  # type: ignore[attr-defined]

    learned.get_by_role("button", name="Reset what we learned").click()
    expect(learned).to_contain_text("Nothing yet")
    expect(learned.locator("li")).to_have_count(0)
