"""What leaves the server when a cloud model is used: the prompt and the pictures, nothing about the person.

The real SDK talks to a local server that speaks the provider's REST shapes; every byte it received
(headers and bodies) is searched for the user's email, name, username, ids and address.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from PIL import Image

from nanobananas.accounts.models import Guest, Profile
from nanobananas.studio.models import Asset, Conversation
from tests.conftest import csrf_headers
from tests.providers.gemini_server import API_KEY as GEMINI_KEY
from tests.providers.gemini_server import GeminiServer, image_reply
from tests.providers.openai_server import API_KEY, OpenAIServer

pytestmark = [pytest.mark.django_db, pytest.mark.database]

EMAIL = "marker.person.4417@example.org"
USERNAME = "markerperson4417"
NAME = "Zebulon Markerperson"
ADDRESS = "203.0.113.77"


@pytest.fixture
def openai_cloud() -> Iterator[OpenAIServer]:
    server = OpenAIServer()
    server.start()
    providers = {
        "builtin": {"BACKEND": "nanobananas.providers.builtin.BuiltinProvider", "OPTIONS": {}},
        "openai": {
            "BACKEND": "nanobananas.providers.openai_images.OpenAIImageProvider",
            "OPTIONS": {"api_key": API_KEY, "base_url": server.base_url, "timeout": 10, "retries": 0},
        },
    }
    try:
        with override_settings(
            AI_PROVIDERS=providers, NANOBANANAS={**settings.NANOBANANAS, "IMAGE_PROVIDER": "openai"}
        ):
            yield server
    finally:
        server.close()


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_only_the_prompt_and_pictures_reach_the_provider(
    openai_cloud: OpenAIServer, django_capture_on_commit_callbacks: object
) -> None:
    user = get_user_model().objects.create_user(username=USERNAME, email=EMAIL, password="x" * 12)
    Profile.objects.update_or_create(user=user, defaults={"display_name": NAME})
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(user)
    headers = csrf_headers(client)
    conversation_id = client.post(
        "/api/v1/conversations", data="{}", content_type="application/json", headers=headers
    ).json()["id"]
    turns = [
        {"text": "a photo of a red fox in the snow"},
        {"text": "replace the dog with a cat", "files": [("photo.png", _photo())]},
    ]
    for turn in turns:
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            if "files" in turn:
                _, data = turn["files"][0]
                response = client.post(
                    f"/api/v1/conversations/{conversation_id}/messages",
                    data={"text": turn["text"], "files": io.BytesIO(data)},
                    headers=headers,
                )
            else:
                response = client.post(
                    f"/api/v1/conversations/{conversation_id}/messages",
                    data=json.dumps(turn),
                    content_type="application/json",
                    headers=headers,
                )
        assert response.status_code == 202, response.content

    made = list(Asset.objects.filter(conversation_id=conversation_id, kind="result").order_by("number"))
    assert [(a.provider, a.operation) for a in made] == [("openai", "generate"), ("openai", "edit")]
    assert [r.path for r in openai_cloud.requests] == ["/v1/images/generations", "/v1/images/edits"]
    assert openai_cloud.requests[0].json["prompt"] == "a photo of a red fox in the snow"
    assert openai_cloud.requests[1].field_value("prompt") == "replace the dog with a cat"

    conversation = Conversation.objects.get(id=conversation_id)
    secrets = [
        EMAIL,
        USERNAME,
        NAME,
        ADDRESS,
        "Zebulon",
        "markerperson",
        f"assets/u{user.pk}/",
        f"uploads/u{user.pk}/",
        str(conversation.id),
    ]
    secrets += [str(asset.id) for asset in Asset.objects.filter(conversation=conversation)]
    secrets += [str(guest.id) for guest in Guest.objects.all()]
    secrets.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    for request in openai_cloud.requests:
        everything = (json.dumps(request.headers) + request.path).encode() + request.body
        for secret in secrets:
            assert secret.encode() not in everything, f"{secret!r} was sent to the provider in {request.path}"


@pytest.fixture
def gemini_cloud() -> Iterator[GeminiServer]:
    server = GeminiServer()
    server.start()
    providers = {
        "builtin": {"BACKEND": "nanobananas.providers.builtin.BuiltinProvider", "OPTIONS": {}},
        "gemini": {
            "BACKEND": "nanobananas.providers.gemini.GeminiProvider",
            "OPTIONS": {"api_key": GEMINI_KEY, "base_url": server.url, "timeout": 10, "retries": 0},
        },
    }
    try:
        with override_settings(
            AI_PROVIDERS=providers, NANOBANANAS={**settings.NANOBANANAS, "IMAGE_PROVIDER": "gemini"}
        ):
            yield server
    finally:
        server.stop()


def test_a_three_turn_gemini_chat_sends_prompts_pictures_and_its_own_turns_only(
    gemini_cloud: GeminiServer, django_capture_on_commit_callbacks: object
) -> None:
    user = get_user_model().objects.create_user(username=USERNAME, email=EMAIL, password="x" * 12)
    Profile.objects.update_or_create(user=user, defaults={"display_name": NAME})
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(user)
    headers = csrf_headers(client)
    conversation_id = client.post(
        "/api/v1/conversations", data="{}", content_type="application/json", headers=headers
    ).json()["id"]
    colours = [(200, 40, 40), (40, 200, 40), (40, 40, 200)]
    gemini_cloud.script(*(image_reply(Image.new("RGB", (64, 48), colour)) for colour in colours))
    for text in ("a photo of a cabin by a snowy lake", "add a red canoe on the water", "make it night with stars"):
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            response = client.post(
                f"/api/v1/conversations/{conversation_id}/messages",
                data=json.dumps({"text": text}),
                content_type="application/json",
                headers=headers,
            )
        assert response.status_code == 202, response.content

    made = list(Asset.objects.filter(conversation_id=conversation_id, kind="result").order_by("number"))
    assert [(a.provider, a.operation) for a in made] == [("gemini", "generate"), ("gemini", "edit"), ("gemini", "edit")]
    calls = gemini_cloud.calls(":generateContent")
    assert len(calls) == 3
    third = calls[2].json["contents"]
    # Two earlier exchanges (user words, model picture) and then this turn: the picture and the words.
    assert [content["role"] for content in third] == ["user", "model", "user", "model", "user"]
    assert third[0]["parts"] == [{"text": "a photo of a cabin by a snowy lake"}]
    assert third[2]["parts"] == [{"text": "add a red canoe on the water"}]
    assert third[-1]["parts"][-1] == {"text": "make it night with stars"}

    conversation = Conversation.objects.get(id=conversation_id)
    secrets = [EMAIL, USERNAME, NAME, ADDRESS, "Zebulon", "markerperson", f"assets/u{user.pk}/", str(conversation.id)]
    secrets += [str(asset.id) for asset in Asset.objects.filter(conversation=conversation)]
    secrets.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    for request in gemini_cloud.requests:
        everything = json.dumps([request.path, request.query, request.headers, request.json])
        for secret in secrets:
            assert secret not in everything, f"{secret!r} was sent to the provider in {request.path}"
