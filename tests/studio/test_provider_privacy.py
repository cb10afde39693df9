"""What leaves the server when a cloud model is used: the prompt and the pictures, nothing about the person.

The real SDK talks to a local server that speaks the provider's REST shapes; every byte it received
(headers and bodies) is searched for the user's email, name, username, ids and address.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.test import Client, override_settings
from PIL import Image

from nanobananas.accounts.models import Guest, Profile
from nanobananas.studio.models import Asset
from tests.conftest import csrf_headers
from tests.plans import plans_allow
from tests.providers.gemini_server import API_KEY as GEMINI_KEY
from tests.providers.gemini_server import GeminiServer, image_reply
from tests.providers.openai_server import API_KEY, OpenAIServer

pytestmark = [pytest.mark.django_db, pytest.mark.database]

EMAIL = "marker.person.4417@example.org"
USERNAME = "markerperson4417"
NAME = "Zebulon Markerperson"
ADDRESS = "203.0.113.77"


@contextmanager
def _cloud(alias: str, backend: str, options: dict[str, Any]) -> Iterator[None]:
    """The deployment's image provider is `alias`, with the built-in engine beside it (and in every plan)."""
    plans_allow(alias)
    providers = {
        "builtin": {"BACKEND": "nanobananas.providers.builtin.BuiltinProvider", "OPTIONS": {}},
        alias: {"BACKEND": backend, "OPTIONS": {"timeout": 10, "retries": 0, **options}},
    }
    with override_settings(AI_PROVIDERS=providers, NANOBANANAS={**settings.NANOBANANAS, "IMAGE_PROVIDER": alias}):
        yield


@pytest.fixture
def openai_cloud() -> Iterator[OpenAIServer]:
    server = OpenAIServer()
    server.start()
    try:
        backend = "nanobananas.providers.openai_images.OpenAIImageProvider"
        with _cloud("openai", backend, {"api_key": API_KEY, "base_url": server.base_url}):
            yield server
    finally:
        server.close()


@pytest.fixture
def gemini_cloud() -> Iterator[GeminiServer]:
    server = GeminiServer()
    server.start()
    try:
        with _cloud(
            "gemini", "nanobananas.providers.gemini.GeminiProvider", {"api_key": GEMINI_KEY, "base_url": server.url}
        ):
            yield server
    finally:
        server.stop()


@dataclass
class _Chat:
    """A signed-in person with a name, an email and an address of their own, in one conversation."""

    user: User
    client: Client
    headers: dict[str, str]
    conversation_id: str

    @classmethod
    def start(cls) -> _Chat:
        user = get_user_model().objects.create_user(username=USERNAME, email=EMAIL, password="x" * 12)
        Profile.objects.update_or_create(user=user, defaults={"display_name": NAME})
        client = Client(REMOTE_ADDR=ADDRESS)
        client.force_login(user)
        headers = csrf_headers(client)
        response = client.post("/api/v1/conversations", data="{}", content_type="application/json", headers=headers)
        return cls(user=user, client=client, headers=headers, conversation_id=response.json()["id"])

    def send(self, text: str, capture: Any, photo: bytes | None = None) -> None:
        path = f"/api/v1/conversations/{self.conversation_id}/messages"
        with capture(execute=True):
            if photo is not None:
                body = {"text": text, "files": io.BytesIO(photo)}
                response = self.client.post(path, data=body, headers=self.headers)
            else:
                body_json = json.dumps({"text": text})
                response = self.client.post(path, data=body_json, content_type="application/json", headers=self.headers)
        assert response.status_code == 202, response.content

    def made(self) -> list[tuple[str, str]]:
        results = Asset.objects.filter(conversation_id=self.conversation_id, kind="result").order_by("number")
        return [(a.provider, a.operation) for a in results]

    def secrets(self) -> list[str]:
        """Everything about the person and their stored things that must never reach a provider."""
        secrets = [EMAIL, USERNAME, NAME, ADDRESS, "Zebulon", "markerperson", self.conversation_id]
        secrets += [f"assets/u{self.user.pk}/", f"uploads/u{self.user.pk}/"]
        secrets += [str(asset.id) for asset in Asset.objects.filter(conversation_id=self.conversation_id)]
        secrets += [str(guest.id) for guest in Guest.objects.all()]
        secrets.append(self.client.cookies[settings.SESSION_COOKIE_NAME].value)
        return secrets


def _assert_absent(secrets: list[str], sent: str, where: str) -> None:
    for secret in secrets:
        assert secret not in sent, f"{secret!r} was sent to the provider in {where}"


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_only_the_prompt_and_pictures_reach_the_provider(
    openai_cloud: OpenAIServer, django_capture_on_commit_callbacks: object
) -> None:
    chat = _Chat.start()
    chat.send("a photo of a red fox in the snow", django_capture_on_commit_callbacks)
    chat.send("replace the dog with a cat", django_capture_on_commit_callbacks, photo=_photo())

    assert chat.made() == [("openai", "generate"), ("openai", "edit")]
    assert [r.path for r in openai_cloud.requests] == ["/v1/images/generations", "/v1/images/edits"]
    assert openai_cloud.requests[0].json["prompt"] == "a photo of a red fox in the snow"
    assert openai_cloud.requests[1].field_value("prompt") == "replace the dog with a cat"
    secrets = chat.secrets()
    for request in openai_cloud.requests:
        # Multipart bodies hold PNG bytes: searched as bytes, decoded leniently.
        sent = json.dumps(request.headers) + request.path + request.body.decode("latin-1")
        _assert_absent(secrets, sent, request.path)


def test_a_three_turn_gemini_chat_sends_prompts_pictures_and_its_own_turns_only(
    gemini_cloud: GeminiServer, django_capture_on_commit_callbacks: object
) -> None:
    chat = _Chat.start()
    colours = [(200, 40, 40), (40, 200, 40), (40, 40, 200)]
    gemini_cloud.script(*(image_reply(Image.new("RGB", (64, 48), colour)) for colour in colours))
    for text in ("a photo of a cabin by a snowy lake", "add a red canoe on the water", "make it night with stars"):
        chat.send(text, django_capture_on_commit_callbacks)

    assert chat.made() == [("gemini", "generate"), ("gemini", "edit"), ("gemini", "edit")]
    calls = gemini_cloud.calls(":generateContent")
    assert len(calls) == 3
    third = calls[2].json["contents"]
    # Two earlier exchanges (user words, model picture) and then this turn: the picture and the words.
    assert [content["role"] for content in third] == ["user", "model", "user", "model", "user"]
    assert third[0]["parts"] == [{"text": "a photo of a cabin by a snowy lake"}]
    assert third[2]["parts"] == [{"text": "add a red canoe on the water"}]
    assert third[-1]["parts"][-1] == {"text": "make it night with stars"}
    secrets = chat.secrets()
    for request in gemini_cloud.requests:
        _assert_absent(secrets, json.dumps([request.path, request.query, request.headers, request.json]), request.path)
