"""A chat with a Gemini 3 image model through the studio: each answer's thought signature is kept with its
picture (sealed in the result's steps) and goes back with that picture on the next turn, and every picture
goes to the service once per request. The real SDK talks to the local fake of the REST API, which refuses a
second turn without the signature as the service does."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Job
from nanobananas.studio.services import IncomingFile, message_send
from tests.plans import plans_allow
from tests.providers.gemini_server import (
    API_KEY,
    GEMINI_3_IMAGE_MODEL,
    GeminiServer,
    decode_base64,
    image_reply,
    images_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture
def gemini_3() -> Iterator[GeminiServer]:
    server = GeminiServer()
    server.start()
    plans_allow("gemini")
    providers = {
        "builtin": {"BACKEND": "nanobananas.providers.builtin.BuiltinProvider", "OPTIONS": {}},
        "gemini": {
            "BACKEND": "nanobananas.providers.gemini.GeminiProvider",
            "OPTIONS": {
                "api_key": API_KEY, "base_url": server.url, "model": GEMINI_3_IMAGE_MODEL, "timeout": 10, "retries": 0,
            },
        },
    }  # fmt: skip
    try:
        with override_settings(
            AI_PROVIDERS=providers, NANOBANANAS={**settings.NANOBANANAS, "IMAGE_PROVIDER": "gemini"}
        ):
            yield server
    finally:
        server.stop()


def _picture(seed: int) -> Image.Image:
    image = Image.new("RGB", (48, 32))
    image.putdata([((x * 7 + seed) % 256, (y * 11 + seed) % 256, seed % 256) for y in range(32) for x in range(48)])
    return image


def _png(image: Image.Image) -> IncomingFile:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return IncomingFile(name="photo.png", data=buffer.getvalue())


def _turn(owner: Owner, conversation: Conversation, text: str, files: list[IncomingFile] | None = None) -> Job:
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=text, files=files or [])
    assert job is not None
    job_run(job_id=job.id)
    job.refresh_from_db()
    return job


def test_a_three_turn_gemini_3_chat_sends_back_each_signature_and_each_picture_once(
    gemini_3: GeminiServer, guest_owner: Owner, conversation: Conversation
) -> None:
    gemini_3.script(image_reply(_picture(1)), image_reply(_picture(2)), image_reply(_picture(3)))

    first = _turn(guest_owner, conversation, "replace the sky with a starry night sky", [_png(_picture(0))])
    second = _turn(guest_owner, conversation, "now replace the lighthouse with a windmill")
    third = _turn(guest_owner, conversation, "now replace the windmill with a castle")

    assert [job.status for job in (first, second, third)] == ["done", "done", "done"], [
        (job.error_code, job.error_message) for job in (first, second, third)
    ]
    results = list(Asset.objects.filter(conversation=conversation, kind="result").order_by("number"))
    assert [asset.provider for asset in results] == ["gemini"] * 3
    # Each result keeps the signature the service put on its picture.
    issued = [gemini_3.answers[n]["candidates"][0]["content"]["parts"][0]["thoughtSignature"] for n in range(3)]
    kept = [asset.steps[0]["thought_signatures"] for asset in results]
    assert [[decode_base64(s) for s in signatures] for signatures in kept] == [[decode_base64(s)] for s in issued]
    # The signature is sealed with the owner's key: its bytes are not in the stored column.
    raw = Asset.objects.filter(id=results[0].id).values_list("sealed_steps", flat=True).get()
    assert kept[0][0] not in str(raw)

    requests = gemini_3.calls(":generateContent")
    assert len(requests) == 3
    # The upload; then the first answer (signed), already the picture to edit, so none in the new turn; then the
    # two answers (earlier user turns go as their words).
    assert [images_in(request) for request in requests] == [1, 1, 2]
    last = requests[2].json["contents"]
    model_turns = [content for content in last if content["role"] == "model"]
    assert [decode_base64(turn["parts"][0]["thoughtSignature"]) for turn in model_turns] == [
        decode_base64(issued[0]), decode_base64(issued[1])
    ]  # fmt: skip
    assert last[-1]["parts"] == [{"text": "now replace the windmill with a castle"}]
    assert results[2].sent["images_sent"] == 2
