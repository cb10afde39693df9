"""The Gemini provider, with the real google-genai SDK talking to a local server that speaks the Gemini REST API."""

from __future__ import annotations

import base64
import email.utils
import hashlib
import io
import socket
import struct
import time
from typing import Any

import pytest
from django.test import override_settings
from google.genai import types
from PIL import Image

from nanobananas.providers.base import (
    ProviderAnsweredText,
    ProviderError,
    ProviderRefused,
    ProviderTimeout,
    Turn,
    turn_signatures,
)
from nanobananas.providers.gemini import GeminiProvider, nearest_aspect_ratio
from nanobananas.providers.handler import image_provider
from tests.providers.gemini_server import (
    API_KEY,
    GEMINI_3_IMAGE_MODEL,
    GeminiServer,
    Reply,
    blocked_prompt,
    corrupt_image,
    decode_base64,
    finished_without_image,
    hang,
    image_reply,
    images_in,
    rate_limited,
    server_error,
    text_only,
)

MODEL = "gemini-2.5-flash-image"
GENERATE_PATH = f"/v1beta/models/{MODEL}:generateContent"
VIDEO_MODEL = "veo-3.0-fast-generate-001"


class Recorder:
    """Collects what the provider reports: progress steps and the sleeps it asked for (never slept)."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.steps: list[tuple[int, str]] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def progress(self, percent: int, stage: str) -> None:
        self.steps.append((percent, stage))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def make_provider(server: GeminiServer, recorder: Recorder, **options: Any) -> GeminiProvider:
    settings: dict[str, Any] = {
        "api_key": server.api_key,
        "base_url": server.url,
        "model": MODEL,
        "video_model": VIDEO_MODEL,
        "timeout": 10,
        "retries": 3,
        "sleep": recorder.sleep,
        "random": lambda: 0.0,
    }
    settings.update(options)
    return GeminiProvider(**settings)


def picture(width: int, height: int, seed: int = 0) -> Image.Image:
    """An image whose every pixel differs, so a round trip through PNG is checked pixel by pixel."""
    image = Image.new("RGB", (width, height))
    image.putdata(
        [
            ((x * 37 + seed) % 256, (y * 53 + seed) % 256, (x * y + seed) % 256)
            for y in range(height)
            for x in range(width)
        ]
    )
    return image


def inline_image(part: dict[str, Any]) -> Image.Image:
    inline = part["inlineData"]
    assert inline["mime_type"] == "image/png"
    image = Image.open(io.BytesIO(decode_base64(inline["data"])))
    assert image.format == "PNG"
    return image.convert("RGB")


def same_pixels(left: Image.Image, right: Image.Image) -> bool:
    return left.size == right.size and left.convert("RGB").tobytes() == right.convert("RGB").tobytes()


def inline_part(image: Image.Image) -> dict[str, Any]:
    """The part the SDK sends for an image: URL-safe base64 and `mime_type` in snake case (the API takes both)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {
        "inlineData": {"data": base64.urlsafe_b64encode(buffer.getvalue()).decode("ascii"), "mime_type": "image/png"}
    }


def generation_config(aspect_ratio: str) -> dict[str, Any]:
    return {"responseModalities": ["TEXT", "IMAGE"], "imageConfig": {"aspectRatio": aspect_ratio}}


def free_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mp4_bytes() -> bytes:
    """A small MP4 container: an `ftyp` box then an `mdat` box (the provider passes the bytes through)."""
    ftyp = b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41"
    payload = bytes(range(256)) * 4
    return struct.pack(">I", 8 + len(ftyp)) + b"ftyp" + ftyp + struct.pack(">I", 8 + len(payload)) + b"mdat" + payload


# -- text to image -----------------------------------------------------------------------------------------------


def test_text_to_image_sends_the_prompt_the_ratio_and_the_key(gemini_server: GeminiServer, recorder: Recorder) -> None:
    made_by_gemini = picture(64, 36)
    gemini_server.script(image_reply(made_by_gemini, text="Here is your poster."))
    provider = make_provider(gemini_server, recorder)

    made = provider.generate(
        prompt="a poster for my bakery's grand opening", progress=recorder.progress, aspect_ratio="16:9"
    )

    [request] = gemini_server.requests
    assert request.method == "POST"
    assert request.path == GENERATE_PATH
    assert request.query == {}
    assert request.headers["x-goog-api-key"] == API_KEY
    assert request.json == {
        "contents": [{"parts": [{"text": "a poster for my bakery's grand opening"}], "role": "user"}],
        "generationConfig": generation_config("16:9"),
    }
    assert same_pixels(made.image, made_by_gemini)
    assert made.provider == "gemini"
    assert made.model == MODEL
    assert made.content_type == "image/png"
    assert made.details == {
        "sent": {
            "prompt_sha256": hashlib.sha256(b"a poster for my bakery's grand opening").hexdigest(),
            "input_images": 0,
            "history_turns": 0,
            "aspect_ratio": "16:9",
            "model": MODEL,
        },
        "attempts": 1,
        "finish_reason": "STOP",
        "text": "Here is your poster.",
    }
    assert recorder.sleeps == []
    assert recorder.steps[0] == (10, "Sending the request to Gemini 2.5 Flash Image")


def test_without_a_shape_no_image_config_is_sent(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(image_reply(picture(8, 8)))
    made = make_provider(gemini_server, recorder).generate(prompt="a banana", progress=recorder.progress)

    assert gemini_server.requests[0].json == {
        "contents": [{"parts": [{"text": "a banana"}], "role": "user"}],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]},
    }
    assert made.details["sent"]["aspect_ratio"] is None
    assert "text" not in made.details


@pytest.mark.parametrize(
    ("size", "ratio"),
    [((300, 200), "3:2"), ((1080, 1920), "9:16"), ((500, 500), "1:1"), ((1200, 1000), "5:4"), ((2560, 1080), "21:9")],
)
def test_a_size_asks_for_the_nearest_ratio_and_comes_back_exactly_that_size(
    gemini_server: GeminiServer, recorder: Recorder, size: tuple[int, int], ratio: str
) -> None:
    gemini_server.script(image_reply(picture(96, 64)))

    made = make_provider(gemini_server, recorder).generate(prompt="a lighthouse", progress=recorder.progress, size=size)

    assert gemini_server.requests[0].json["generationConfig"] == generation_config(ratio)
    assert made.image.size == size
    assert made.details["returned_size"] == [96, 64]
    assert made.details["sent"]["aspect_ratio"] == ratio


def test_an_unsupported_ratio_is_sent_as_the_nearest_supported_one(
    gemini_server: GeminiServer, recorder: Recorder
) -> None:
    gemini_server.script(image_reply(picture(16, 10)))
    make_provider(gemini_server, recorder).generate(prompt="a beach", progress=recorder.progress, aspect_ratio="16:10")
    assert gemini_server.requests[0].json["generationConfig"] == generation_config("3:2")


def test_the_returned_mime_type_is_kept(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(image_reply(picture(32, 32), mime_type="image/jpeg"))
    made = make_provider(gemini_server, recorder).generate(prompt="a cat", progress=recorder.progress)
    assert made.content_type == "image/jpeg"
    assert made.image.size == (32, 32)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"prompt": "   "}, "the prompt is empty; say what the image should show"),
        ({"prompt": "a cat", "aspect_ratio": "wide"}, "'wide' is not an aspect ratio; write it as width:height"),
        ({"prompt": "a cat", "aspect_ratio": "0:9"}, "'0:9' is not an aspect ratio"),
        (
            {"prompt": "a cat", "size": (0, 100)},
            r"an image size must be two positive numbers of pixels, not \(0, 100\)",
        ),
    ],
)
def test_bad_requests_are_refused_before_anything_is_sent(
    gemini_server: GeminiServer, recorder: Recorder, call: dict[str, Any], message: str
) -> None:
    provider = make_provider(gemini_server, recorder)
    with pytest.raises(ProviderError, match=message) as caught:
        provider.generate(progress=recorder.progress, **call)
    assert caught.value.retryable is False
    assert gemini_server.requests == []


# -- edits ---------------------------------------------------------------------------------------------------------


def test_single_edit_sends_the_image_then_the_instruction(gemini_server: GeminiServer, recorder: Recorder) -> None:
    photo = picture(40, 30, seed=1)
    edited = picture(40, 30, seed=2)
    gemini_server.script(image_reply(edited))

    made = make_provider(gemini_server, recorder).edit(
        image=photo, instruction="replace the dog with a cat", progress=recorder.progress
    )

    [request] = gemini_server.requests
    assert request.path == GENERATE_PATH
    assert request.json == {
        "contents": [{"parts": [inline_part(photo), {"text": "replace the dog with a cat"}], "role": "user"}],
        "generationConfig": generation_config("4:3"),
    }
    assert same_pixels(inline_image(request.json["contents"][0]["parts"][0]), photo)
    assert same_pixels(made.image, edited)
    assert made.details["sent"] == {
        "prompt_sha256": hashlib.sha256(b"replace the dog with a cat").hexdigest(),
        "input_images": 1,
        "history_turns": 0,
        "images_sent": 1,
        "aspect_ratio": "4:3",
        "model": MODEL,
    }


def test_big_pictures_are_scaled_down_and_other_modes_converted(
    gemini_server: GeminiServer, recorder: Recorder
) -> None:
    big = Image.new("RGB", (3000, 1500), (30, 60, 90))
    cmyk = Image.new("CMYK", (40, 30), (0, 255, 255, 0))
    gemini_server.script(image_reply(picture(64, 36)))

    made = make_provider(gemini_server, recorder).edit(
        image=big, images=[cmyk], instruction="put the logo on the wall", progress=recorder.progress
    )

    first, second, _ = gemini_server.requests[0].json["contents"][0]["parts"]
    assert inline_image(first).size == (2048, 1024)
    assert inline_image(first).getpixel((1000, 500)) == (30, 60, 90)
    assert inline_image(second).size == (40, 30)
    assert inline_image(second).getpixel((0, 0)) == (255, 0, 0)
    assert big.size == (3000, 1500)
    assert made.details["sent"]["aspect_ratio"] == "16:9"


def test_images_travel_without_their_metadata(gemini_server: GeminiServer, recorder: Recorder) -> None:
    photo = picture(16, 12, seed=8)
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPSInfo: latitude
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", exif=exif.tobytes(), comment=b"taken at home")
    uploaded = Image.open(buffer)
    uploaded.load()
    assert "exif" in uploaded.info
    gemini_server.script(image_reply(photo))

    make_provider(gemini_server, recorder).edit(image=uploaded, instruction="warmer", progress=recorder.progress)

    sent = Image.open(
        io.BytesIO(decode_base64(gemini_server.requests[0].json["contents"][0]["parts"][0]["inlineData"]["data"]))
    )
    assert sent.format == "PNG"
    assert sent.info == {}
    assert dict(sent.getexif()) == {}


def test_a_mask_is_not_sent(gemini_server: GeminiServer, recorder: Recorder) -> None:
    photo = picture(20, 20, seed=3)
    mask = Image.new("RGBA", (20, 20), (0, 0, 0, 255))
    gemini_server.script(image_reply(photo), image_reply(photo))
    provider = make_provider(gemini_server, recorder)

    provider.edit(image=photo, instruction="erase the cup", progress=recorder.progress, mask=mask)
    provider.edit(image=photo, instruction="erase the cup", progress=recorder.progress)

    with_mask, without_mask = gemini_server.requests
    assert with_mask.json == without_mask.json
    assert len(with_mask.json["contents"][0]["parts"]) == 2


def test_multi_image_edit_sends_every_image_in_order(gemini_server: GeminiServer, recorder: Recorder) -> None:
    product = picture(30, 30, seed=4)
    scene = picture(48, 27, seed=5)
    gemini_server.script(image_reply(picture(30, 30, seed=6)))

    made = make_provider(gemini_server, recorder).edit(
        image=product, images=[scene], instruction="put this product on the marble table", progress=recorder.progress
    )

    parts = gemini_server.requests[0].json["contents"][0]["parts"]
    assert parts == [inline_part(product), inline_part(scene), {"text": "put this product on the marble table"}]
    assert same_pixels(inline_image(parts[0]), product)
    assert same_pixels(inline_image(parts[1]), scene)
    assert made.details["sent"]["input_images"] == 2
    assert gemini_server.requests[0].json["generationConfig"] == generation_config("1:1")


def test_three_turn_chat_edit_sends_the_earlier_turns_with_their_images(
    gemini_server: GeminiServer, recorder: Recorder
) -> None:
    upload = picture(32, 24, seed=10)
    first, second, third = picture(32, 24, seed=11), picture(32, 24, seed=12), picture(32, 24, seed=13)
    gemini_server.script(image_reply(first), image_reply(second, text="Added a sun."), image_reply(third))
    provider = make_provider(gemini_server, recorder)

    one = provider.edit(image=upload, instruction="make the background blue", progress=recorder.progress)
    history = [Turn("user", "make the background blue", (upload,)), Turn("model", "", (one.image,))]
    two = provider.edit(image=one.image, instruction="now add a sun", progress=recorder.progress, history=history)
    history += [Turn("user", "now add a sun", (one.image,)), Turn("model", "Added a sun.", (two.image,))]
    three = provider.edit(image=two.image, instruction="make it night", progress=recorder.progress, history=history)

    assert [request.path for request in gemini_server.requests] == [GENERATE_PATH] * 3
    # The picture being edited is the model's own last answer, already in the history: it is not sent again.
    assert gemini_server.requests[1].json["contents"] == [
        {"parts": [inline_part(upload), {"text": "make the background blue"}], "role": "user"},
        {"parts": [inline_part(first)], "role": "model"},
        {"parts": [{"text": "now add a sun"}], "role": "user"},
    ]
    contents = gemini_server.requests[2].json["contents"]
    assert contents == [
        {"parts": [inline_part(upload), {"text": "make the background blue"}], "role": "user"},
        {"parts": [inline_part(first)], "role": "model"},
        {"parts": [inline_part(first), {"text": "now add a sun"}], "role": "user"},
        {"parts": [inline_part(second), {"text": "Added a sun."}], "role": "model"},
        {"parts": [{"text": "make it night"}], "role": "user"},
    ]
    sent_images = [inline_image(part) for content in contents for part in content["parts"] if "inlineData" in part]
    assert all(
        same_pixels(got, wanted) for got, wanted in zip(sent_images, [upload, first, first, second], strict=True)
    )
    assert [images_in(request) for request in gemini_server.requests] == [1, 2, 4]
    assert same_pixels(three.image, third)
    assert three.details["sent"]["history_turns"] == 4
    assert three.details["sent"]["input_images"] == 1
    assert three.details["sent"]["images_sent"] == 4


def test_editing_an_older_answer_ends_the_history_at_it_and_sends_it_once(
    gemini_server: GeminiServer, recorder: Recorder
) -> None:
    first, second, third = picture(32, 24, seed=21), picture(32, 24, seed=22), picture(32, 24, seed=23)
    gemini_server.script(image_reply(third))
    history = [
        Turn("user", "a lighthouse at dusk"),
        Turn("model", "", (first,)),
        Turn("user", "add a boat"),
        Turn("model", "", (second,)),
    ]

    made = make_provider(gemini_server, recorder).edit(
        image=first, instruction="go back to the first one and add gulls", progress=recorder.progress, history=history
    )

    [request] = gemini_server.requests
    assert request.json["contents"] == [
        {"parts": [{"text": "a lighthouse at dusk"}], "role": "user"},
        {"parts": [inline_part(first)], "role": "model"},
        {"parts": [{"text": "go back to the first one and add gulls"}], "role": "user"},
    ]
    assert images_in(request) == 1
    assert made.details["sent"]["history_turns"] == 2
    assert made.details["sent"]["images_sent"] == 1


def test_a_picture_given_twice_and_an_upload_not_in_the_history_each_go_once(
    gemini_server: GeminiServer, recorder: Recorder
) -> None:
    answer, scene = picture(20, 20, seed=31), picture(20, 20, seed=32)
    gemini_server.script(image_reply(picture(20, 20, seed=33)))

    make_provider(gemini_server, recorder).edit(
        image=answer,
        images=[scene, scene, answer],
        instruction="put it in this scene",
        progress=recorder.progress,
        history=[Turn("user", "a red chair"), Turn("model", "", (answer,))],
    )

    [request] = gemini_server.requests
    assert request.json["contents"][-1] == {
        "parts": [inline_part(scene), {"text": "put it in this scene"}],
        "role": "user",
    }
    assert images_in(request) == 2


# -- Gemini 3: thought signatures ----------------------------------------------------------------------------------


def test_gemini_3_gets_back_the_thought_signature_of_its_picture_on_the_next_turn(
    gemini_server: GeminiServer, recorder: Recorder
) -> None:
    photo, first, second = picture(32, 24, seed=41), picture(32, 24, seed=42), picture(32, 24, seed=43)
    gemini_server.script(image_reply(first, text="Blue it is."), image_reply(second))
    provider = make_provider(gemini_server, recorder, model=GEMINI_3_IMAGE_MODEL)

    one = provider.edit(image=photo, instruction="make the background blue", progress=recorder.progress)
    [step] = one.details["steps"]
    assert step["op"] == "gemini_turn"
    assert step["model"] == GEMINI_3_IMAGE_MODEL
    [signature] = step["thought_signatures"]
    answer_parts = gemini_server_answer_parts(gemini_server, 0)
    assert decode_base64(signature) == decode_base64(answer_parts[1]["thoughtSignature"])
    assert decode_base64(signature) != decode_base64(answer_parts[0]["thoughtSignature"])  # the text's own

    history = [
        Turn("user", "make the background blue", (photo,)),
        Turn("model", "", (one.image,), signatures=turn_signatures(one.details["steps"])),
    ]
    two = provider.edit(image=one.image, instruction="now add a sun", progress=recorder.progress, history=history)

    second_request = gemini_server.requests[1].json
    model_part = second_request["contents"][1]["parts"][0]
    assert decode_base64(model_part["thoughtSignature"]) == decode_base64(signature)
    assert same_pixels(inline_image(model_part), first)
    assert images_in(gemini_server.requests[1]) == 2
    assert same_pixels(two.image, second)


def test_gemini_3_refuses_a_second_turn_without_the_signature(gemini_server: GeminiServer, recorder: Recorder) -> None:
    photo, first = picture(32, 24, seed=51), picture(32, 24, seed=52)
    gemini_server.script(image_reply(first), image_reply(picture(32, 24, seed=53)))
    provider = make_provider(gemini_server, recorder, model=GEMINI_3_IMAGE_MODEL)
    one = provider.edit(image=photo, instruction="make the background blue", progress=recorder.progress)

    unsigned = [Turn("user", "make the background blue", (photo,)), Turn("model", "", (one.image,))]
    with pytest.raises(ProviderError) as refused:
        provider.edit(image=one.image, instruction="now add a sun", progress=recorder.progress, history=unsigned)

    assert str(refused.value) == (
        "Gemini did not accept the request to make the image (400 INVALID_ARGUMENT: "
        "Image part is missing a thought_signature in content position 2, part position 1.)"
    )
    assert not refused.value.retryable
    assert len(gemini_server.requests) == 2


def test_gemini_2_5_answers_carry_no_signature_and_record_no_steps(
    gemini_server: GeminiServer, recorder: Recorder
) -> None:
    gemini_server.script(image_reply(picture(16, 16, seed=61)))
    made = make_provider(gemini_server, recorder).edit(
        image=picture(16, 16, seed=60), instruction="sharper", progress=recorder.progress
    )
    assert "steps" not in made.details
    assert "thoughtSignature" not in gemini_server_answer_parts(gemini_server, 0)[0]


def gemini_server_answer_parts(server: GeminiServer, index: int) -> list[dict[str, Any]]:
    """The parts of the answer the server gave to its `index`-th generateContent request."""
    return server.answers[index]["candidates"][0]["content"]["parts"]


def test_empty_turns_are_left_out(gemini_server: GeminiServer, recorder: Recorder) -> None:
    photo = picture(10, 10)
    gemini_server.script(image_reply(photo))
    made = make_provider(gemini_server, recorder).edit(
        image=photo, instruction="sharper", progress=recorder.progress, history=[Turn("model", "  ")]
    )
    assert len(gemini_server.requests[0].json["contents"]) == 1
    assert made.details["sent"]["history_turns"] == 0


# -- outcomes other than an image -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "code", "category", "message"),
    [
        (
            blocked_prompt("SAFETY", "HARM_CATEGORY_SEXUALLY_EXPLICIT"),
            "blocked_prompt",
            "sexual",
            "Gemini declined this request under its safety guidelines before making anything. Nothing was made; "
            "rephrasing the request or using a different picture may work. (flagged category: sexual)",
        ),
        (
            blocked_prompt("PROHIBITED_CONTENT"),
            "blocked_prompt",
            "",
            "Gemini declined this request under its safety guidelines before making anything. Nothing was made; "
            "rephrasing the request or using a different picture may work.",
        ),
        (
            finished_without_image("IMAGE_SAFETY", "HARM_CATEGORY_DANGEROUS_CONTENT"),
            "image_safety",
            "dangerous",
            "Gemini made an image but did not return it because it may go against its safety guidelines. "
            "Nothing was made; rephrasing the request or using a different picture may work. "
            "(flagged category: dangerous)",
        ),
        (
            finished_without_image("PROHIBITED_CONTENT"),
            "prohibited_content",
            "",
            "Gemini does not make this kind of content, so no image was made.",
        ),
        (
            finished_without_image("NO_IMAGE"),
            "no_image",
            "",
            "Gemini could not make an image for this request. "
            "Describing the picture you want more concretely may work.",
        ),
        (
            finished_without_image("SAFETY", "HARM_CATEGORY_HATE_SPEECH"),
            "safety",
            "hate",
            "Gemini stopped because the request may go against its safety guidelines. Nothing was made; "
            "rephrasing the request or using a different picture may work. (flagged category: hate)",
        ),
        (
            finished_without_image("SAFETY", "HARM_CATEGORY_HARASSMENT"),
            "safety",
            "harassment",
            "Gemini stopped because the request may go against its safety guidelines. Nothing was made; "
            "rephrasing the request or using a different picture may work. (flagged category: harassment)",
        ),
        (
            finished_without_image("IMAGE_OTHER"),
            "refused",
            "",
            "Gemini did not return an image for this request. Nothing was made; "
            "rephrasing the request or using a different picture may work.",
        ),
    ],
)
def test_each_refusal_kind_has_its_code_category_and_message(
    gemini_server: GeminiServer, recorder: Recorder, reply: Any, code: str, category: str, message: str
) -> None:
    gemini_server.script(reply)
    with pytest.raises(ProviderRefused) as caught:
        make_provider(gemini_server, recorder).generate(prompt="something", progress=recorder.progress)
    assert caught.value.code == code
    assert caught.value.category == category
    assert str(caught.value) == message
    assert len(gemini_server.requests) == 1
    assert recorder.sleeps == []


def test_a_refusal_outranks_the_words_that_came_with_it(gemini_server: GeminiServer, recorder: Recorder) -> None:
    reply = finished_without_image("IMAGE_SAFETY", "HARM_CATEGORY_SEXUALLY_EXPLICIT")
    reply.body["candidates"][0]["content"] = {"role": "model", "parts": [{"text": "I can't make that."}]}
    gemini_server.script(reply)
    with pytest.raises(ProviderRefused) as caught:
        make_provider(gemini_server, recorder).generate(prompt="something", progress=recorder.progress)
    assert (caught.value.code, caught.value.category) == ("image_safety", "sexual")


def test_text_and_no_image_is_an_answer_in_words(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(text_only("Which of the two dogs should become a cat?"))
    with pytest.raises(ProviderAnsweredText) as caught:
        make_provider(gemini_server, recorder).edit(
            image=picture(8, 8), instruction="replace the dog with a cat", progress=recorder.progress
        )
    assert caught.value.text == "Which of the two dogs should become a cat?"
    assert (caught.value.provider, caught.value.model) == ("gemini", MODEL)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"usageMetadata": {"promptTokenCount": 3}}, "Gemini answered with no result at all; trying again may work"),
        (
            {"candidates": [{"finishReason": "STOP", "index": 0}]},
            "Gemini finished (STOP) without an image or any words; trying again may work",
        ),
        (
            {"candidates": [{"finishReason": "MAX_TOKENS", "content": {"role": "model", "parts": []}, "index": 0}]},
            "Gemini finished (MAX_TOKENS) without an image or any words; trying again may work",
        ),
    ],
)
def test_an_empty_answer_is_a_retryable_failure(
    gemini_server: GeminiServer, recorder: Recorder, body: dict[str, Any], message: str
) -> None:
    gemini_server.script(Reply(body))
    with pytest.raises(ProviderError) as caught:
        make_provider(gemini_server, recorder).generate(prompt="a cat", progress=recorder.progress)
    assert str(caught.value) == message
    assert caught.value.retryable is True
    assert len(gemini_server.requests) == 1


def test_a_corrupt_image_is_a_clear_failure(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(corrupt_image())
    with pytest.raises(ProviderError) as caught:
        make_provider(gemini_server, recorder).generate(prompt="a cat", progress=recorder.progress)
    assert str(caught.value).startswith("Gemini returned an image that cannot be read (")
    assert str(caught.value).endswith("); nothing was saved. Trying again may work.")
    assert caught.value.retryable is True


# -- retries and timeouts ------------------------------------------------------------------------------------------


def test_429_waits_as_long_as_retry_after_says_then_succeeds(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(rate_limited(retry_after="7"), image_reply(picture(8, 8)))
    made = make_provider(gemini_server, recorder).generate(prompt="a cat", progress=recorder.progress)
    assert len(gemini_server.calls(":generateContent")) == 2
    assert recorder.sleeps == [7.0]
    assert made.details["attempts"] == 2
    assert (10, "Gemini is busy; trying again in 7 s") in recorder.steps


def test_429_honours_the_retry_delay_in_the_error_body(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(rate_limited(retry_delay="26s"), image_reply(picture(8, 8)))
    make_provider(gemini_server, recorder).generate(prompt="a cat", progress=recorder.progress)
    assert recorder.sleeps == [26.0]
    assert len(gemini_server.requests) == 2


def test_retry_after_as_a_date_is_honoured(gemini_server: GeminiServer, recorder: Recorder) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    gemini_server.script(rate_limited(retry_after=when), image_reply(picture(8, 8)))
    make_provider(gemini_server, recorder).generate(prompt="a cat", progress=recorder.progress)
    [slept] = recorder.sleeps
    assert 27 <= slept <= 30
    assert len(gemini_server.requests) == 2


def test_429_asking_for_longer_than_the_longest_wait_fails_at_once(
    gemini_server: GeminiServer, recorder: Recorder
) -> None:
    gemini_server.script(rate_limited(retry_after="3600"), image_reply(picture(8, 8)))
    with pytest.raises(ProviderError) as caught:
        make_provider(gemini_server, recorder).generate(prompt="a cat", progress=recorder.progress)
    assert str(caught.value) == "Gemini is rate-limiting requests and asks to wait 3600 seconds; try again later"
    assert caught.value.retryable is True
    assert len(gemini_server.requests) == 1
    assert recorder.sleeps == []


def test_5xx_backs_off_exponentially_then_succeeds(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(server_error(500), server_error(503), server_error(500), image_reply(picture(8, 8)))
    made = make_provider(gemini_server, recorder).generate(prompt="a cat", progress=recorder.progress)
    assert len(gemini_server.requests) == 4
    assert recorder.sleeps == [1.0, 2.0, 4.0]
    assert made.details["attempts"] == 4


def test_500_then_success_with_jitter(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(server_error(500), image_reply(picture(8, 8)))
    make_provider(gemini_server, recorder, random=lambda: 0.5).generate(prompt="a cat", progress=recorder.progress)
    assert len(gemini_server.requests) == 2
    assert recorder.sleeps == [1.25]


def test_retries_exhausted_is_a_retryable_failure(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(server_error(500), server_error(500), server_error(500), image_reply(picture(8, 8)))
    with pytest.raises(ProviderError) as caught:
        make_provider(gemini_server, recorder, retries=2).generate(prompt="a cat", progress=recorder.progress)
    assert str(caught.value) == (
        "Gemini could not make the image: 500 INTERNAL after 3 tries "
        "(An internal error has occurred. Please retry.); try again later"
    )
    assert caught.value.retryable is True
    assert len(gemini_server.requests) == 3
    assert recorder.sleeps == [1.0, 2.0]


def test_rate_limit_exhausted_says_so(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(rate_limited(), rate_limited())
    with pytest.raises(ProviderError) as caught:
        make_provider(gemini_server, recorder, retries=1).generate(prompt="a cat", progress=recorder.progress)
    assert str(caught.value) == (
        "Gemini is rate-limiting requests (429 RESOURCE_EXHAUSTED) and still was after 2 tries; try again later"
    )
    assert caught.value.retryable is True
    assert recorder.sleeps == [1.0]


def test_a_rejected_request_is_not_retried(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.models.discard(MODEL)
    with pytest.raises(ProviderError) as caught:
        make_provider(gemini_server, recorder).generate(prompt="a cat", progress=recorder.progress)
    assert str(caught.value).startswith(f"Gemini at 127.0.0.1:{gemini_server.url.rsplit(':', 1)[1]} does not offer")
    assert caught.value.retryable is False
    assert len(gemini_server.requests) == 1
    assert recorder.sleeps == []


def test_an_unreachable_service_is_retried_then_named(recorder: Recorder) -> None:
    port = free_port()
    provider = GeminiProvider(
        api_key="k", base_url=f"http://127.0.0.1:{port}", retries=2, sleep=recorder.sleep, random=lambda: 0.0
    )
    with pytest.raises(
        ProviderError, match=rf"^could not reach Gemini at 127\.0\.0\.1:{port} \(ConnectError: "
    ) as caught:
        provider.generate(prompt="a cat", progress=recorder.progress)
    assert str(caught.value).endswith(" after 3 tries")
    assert caught.value.retryable is True
    assert recorder.sleeps == [1.0, 2.0]


def test_a_hang_is_a_timeout_after_the_configured_seconds(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(hang(5))
    provider = make_provider(gemini_server, recorder, timeout=1)
    started = time.monotonic()
    with pytest.raises(ProviderTimeout) as caught:
        provider.generate(prompt="a cat", progress=recorder.progress)
    assert time.monotonic() - started < 3
    assert str(caught.value) == (
        "Gemini did not make the image within 1 second (it may be overloaded); try again later"
    )
    assert caught.value.retryable is True
    assert len(gemini_server.requests) == 1


# -- what is sent ---------------------------------------------------------------------------------------------------


def test_requests_carry_only_the_key_and_the_sdk_headers(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script(image_reply(picture(8, 8)))
    make_provider(gemini_server, recorder).edit(image=picture(8, 8), instruction="sharper", progress=recorder.progress)
    [request] = gemini_server.requests
    assert set(request.headers) == {
        "host",
        "accept",
        "accept-encoding",
        "connection",
        "content-type",
        "content-length",
        "user-agent",
        "x-goog-api-client",
        "x-goog-api-key",
        "x-server-timeout",
    }
    assert request.headers["x-server-timeout"] == "10"
    assert set(request.json) == {"contents", "generationConfig"}


# -- video ----------------------------------------------------------------------------------------------------------


def test_veo_video_is_polled_then_downloaded(gemini_server: GeminiServer, recorder: Recorder) -> None:
    video = mp4_bytes()
    gemini_server.script_video(video=video, polls=2)
    first_frame = picture(32, 18, seed=7)
    provider = make_provider(gemini_server, recorder)

    made = provider.generate_video(
        prompt="the poster comes alive",
        progress=recorder.progress,
        image=first_frame,
        aspect_ratio="16:9",
        duration_seconds=8,
    )

    assert made.data == video
    assert made.content_type == "video/mp4"
    assert (made.provider, made.model) == ("gemini", VIDEO_MODEL)
    start, *polls, download, storage = gemini_server.requests
    assert (start.method, start.path) == ("POST", f"/v1beta/models/{VIDEO_MODEL}:predictLongRunning")
    assert start.headers["x-goog-api-key"] == API_KEY
    buffer = io.BytesIO()
    first_frame.save(buffer, format="PNG")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    assert start.json == {
        "instances": [
            {
                "prompt": "the poster comes alive",
                "image": {"bytesBase64Encoded": encoded, "mimeType": "image/png"},
            }
        ],
        "parameters": {"aspectRatio": "16:9", "durationSeconds": 8},
    }
    assert same_pixels(
        Image.open(io.BytesIO(base64.b64decode(start.json["instances"][0]["image"]["bytesBase64Encoded"]))),
        first_frame,
    )
    operation = made.details["operation"]
    assert operation.startswith(f"models/{VIDEO_MODEL}/operations/")
    assert [(poll.method, poll.path) for poll in polls] == [("GET", f"/v1beta/{operation}")] * 3
    assert download.method == "GET"
    assert download.path.startswith("/v1beta/files/")
    assert download.path.endswith(":download")
    assert download.query == {"alt": ["media"]}
    assert download.headers["x-goog-api-key"] == API_KEY
    assert storage.path.startswith("/storage/")
    assert recorder.sleeps == [10.0, 10.0, 10.0]
    assert made.details["polls"] == 3
    assert made.details["sent"] == {
        "prompt_sha256": hashlib.sha256(b"the poster comes alive").hexdigest(),
        "input_images": 1,
        "history_turns": 0,
        "aspect_ratio": "16:9",
        "duration_seconds": 8,
        "model": VIDEO_MODEL,
    }
    assert recorder.steps[0] == (5, "Sending the request to Veo 3.0 Fast Generate 001")
    assert (95, "Downloading the video") in recorder.steps
    assert recorder.steps[-1] == (100, "Video ready")


def test_the_sdk_still_builds_veo_requests_only_for_vertex(gemini_server: GeminiServer, recorder: Recorder) -> None:
    """Why the job is started through the SDK's HTTP client: when a google-genai upgrade makes this pass
    through, `generate_video` can use `models.generate_videos` instead."""
    provider = make_provider(gemini_server, recorder)
    with pytest.raises(ValueError, match="only supported in Gemini Enterprise Agent Platform mode"):
        provider.client.models.generate_videos(model=VIDEO_MODEL, source=types.GenerateVideosSource(prompt="a cat"))
    assert gemini_server.requests == []


def test_veo_prompt_only_sends_only_the_prompt(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script_video(video=mp4_bytes(), polls=0)
    make_provider(gemini_server, recorder).generate_video(prompt="a slow zoom on a cake", progress=recorder.progress)
    assert gemini_server.requests[0].json == {"instances": [{"prompt": "a slow zoom on a cake"}]}
    assert recorder.sleeps == [10.0]


def test_veo_video_sent_inline_needs_no_download(gemini_server: GeminiServer, recorder: Recorder) -> None:
    video = mp4_bytes()
    gemini_server.script_video(video=video, polls=1, inline=True, mime_type="video/mp4")
    made = make_provider(gemini_server, recorder).generate_video(prompt="a cake", progress=recorder.progress)
    assert made.data == video
    assert made.content_type == "video/mp4"
    assert [request.method for request in gemini_server.requests] == ["POST", "GET", "GET"]
    assert not any(":download" in request.path for request in gemini_server.requests)
    assert (95, "Downloading the video") not in recorder.steps


def test_veo_taking_too_long_is_a_timeout(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script_video(video=mp4_bytes(), polls=10)
    provider = make_provider(gemini_server, recorder, video_max_wait_seconds=20)
    with pytest.raises(ProviderTimeout) as caught:
        provider.generate_video(prompt="a cake", progress=recorder.progress)
    assert str(caught.value) == (
        "Veo 3.0 Fast Generate 001 did not finish the video within 20 seconds; try again later"
    )
    assert recorder.sleeps == [10.0, 10.0]
    assert len(gemini_server.calls(":predictLongRunning")) == 1
    assert len([r for r in gemini_server.requests if "/operations/" in r.path]) == 2


def test_veo_safety_filter_is_a_refusal(gemini_server: GeminiServer, recorder: Recorder) -> None:
    reason = "The video could not be made because it may violate the usage guidelines."
    gemini_server.script_video(video=None, polls=0, filtered_reasons=(reason,))
    with pytest.raises(ProviderRefused) as caught:
        make_provider(gemini_server, recorder).generate_video(prompt="a cake", progress=recorder.progress)
    assert caught.value.code == "safety"
    assert str(caught.value) == (
        "Veo 3.0 Fast Generate 001 did not return the video because it may go against its safety guidelines: "
        f"{reason} Rephrasing the request or using a different picture may work."
    )


def test_veo_job_error_is_a_failure(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script_video(polls=1, error={"code": 3, "message": "The prompt is too long."})
    with pytest.raises(ProviderError) as caught:
        make_provider(gemini_server, recorder).generate_video(prompt="a cake", progress=recorder.progress)
    assert str(caught.value) == "Veo 3.0 Fast Generate 001 could not make the video: The prompt is too long."
    assert caught.value.retryable is False


def test_veo_returning_something_else_than_a_video_fails(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script_video(video=b"<html>not a video</html>", polls=0)
    with pytest.raises(ProviderError, match=r"returned a file that is not a video \(24 bytes\); nothing was saved"):
        make_provider(gemini_server, recorder).generate_video(prompt="a cake", progress=recorder.progress)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"prompt": " "}, "a video needs a prompt or a first frame"),
        ({"prompt": "a cake", "duration_seconds": 30}, "Veo makes videos of 1 to 8 seconds, not 30"),
        ({"prompt": "a cake", "aspect_ratio": "tall"}, "'tall' is not an aspect ratio"),
    ],
)
def test_bad_video_requests_send_nothing(
    gemini_server: GeminiServer, recorder: Recorder, call: dict[str, Any], message: str
) -> None:
    gemini_server.script_video(video=mp4_bytes())
    with pytest.raises(ProviderError, match=message):
        make_provider(gemini_server, recorder).generate_video(progress=recorder.progress, **call)
    assert gemini_server.requests == []


def test_veo_square_is_sent_as_the_nearest_video_shape(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.script_video(video=mp4_bytes(), polls=0)
    made = make_provider(gemini_server, recorder).generate_video(
        prompt="a cake", progress=recorder.progress, aspect_ratio="3:4"
    )
    assert gemini_server.requests[0].json["parameters"] == {"aspectRatio": "9:16"}
    assert made.details["sent"]["aspect_ratio"] == "9:16"


# -- check, settings, description -----------------------------------------------------------------------------------


def test_check_reads_the_model(gemini_server: GeminiServer, recorder: Recorder) -> None:
    assert make_provider(gemini_server, recorder).check() == f"ok: {MODEL}"
    [request] = gemini_server.requests
    assert (request.method, request.path) == ("GET", f"/v1beta/models/{MODEL}")
    assert request.headers["x-goog-api-key"] == API_KEY


def test_check_gives_up_after_the_check_timeout(gemini_server: GeminiServer, recorder: Recorder) -> None:
    gemini_server.model_info_delay = 5
    provider = make_provider(gemini_server, recorder, timeout=120, check_timeout=1)
    started = time.monotonic()
    with pytest.raises(ProviderTimeout) as caught:
        provider.check()
    assert time.monotonic() - started < 3
    assert str(caught.value) == "Gemini did not answer within 1 second (it may be overloaded); try again later"
    assert len(gemini_server.requests) == 1
    assert gemini_server.requests[0].headers["x-server-timeout"] == "1"


def test_check_with_a_wrong_key_says_so(gemini_server: GeminiServer, recorder: Recorder) -> None:
    with pytest.raises(ProviderError) as caught:
        make_provider(gemini_server, recorder, api_key="not-the-key").check()
    assert str(caught.value) == (
        "Gemini refused the API key (400 API_KEY_INVALID: API key not valid. Please pass a valid API key.); "
        "check NANOBANANAS_GEMINI_API_KEY"
    )
    assert caught.value.retryable is False
    assert len(gemini_server.requests) == 1


def test_check_against_nothing_listening_says_where_it_looked(recorder: Recorder) -> None:
    port = free_port()
    provider = GeminiProvider(api_key="k", base_url=f"http://127.0.0.1:{port}", timeout=5, sleep=recorder.sleep)
    with pytest.raises(
        ProviderError, match=rf"^could not reach Gemini at 127\.0\.0\.1:{port} \(ConnectError: "
    ) as caught:
        provider.check()
    assert caught.value.retryable is True
    assert recorder.sleeps == []


def test_without_a_key_the_provider_says_what_to_set() -> None:
    with pytest.raises(
        ProviderError, match=r"^the Gemini provider needs an API key \(set NANOBANANAS_GEMINI_API_KEY\)$"
    ):
        GeminiProvider(api_key=None, base_url=None)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout": 0}, "timeout must be a positive number of seconds, not 0"),
        ({"retries": -1}, "retries must be 0 or more, not -1"),
    ],
)
def test_bad_options_are_named(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ProviderError, match=f"^{message}$"):
        GeminiProvider(api_key="k", **options)


def test_description_names_the_model_and_never_the_key(gemini_server: GeminiServer, recorder: Recorder) -> None:
    provider = make_provider(gemini_server, recorder)
    assert provider.describe() == {
        "name": "gemini",
        "label": "Gemini 2.5 Flash Image",
        "model": MODEL,
        "third_party": True,
        "capabilities": ["generate", "edit", "edit-many", "chat", "video"],
    }
    assert API_KEY not in repr(provider.describe())


def test_the_settings_alias_builds_it(gemini_server: GeminiServer) -> None:
    providers = {
        "gemini": {
            "BACKEND": "nanobananas.providers.gemini.GeminiProvider",
            "OPTIONS": {"api_key": API_KEY, "base_url": gemini_server.url, "model": MODEL, "timeout": 5, "retries": 0},
        }
    }
    with override_settings(AI_PROVIDERS=providers):
        provider = image_provider("gemini")
    assert isinstance(provider, GeminiProvider)
    assert provider.check() == f"ok: {MODEL}"


@pytest.mark.parametrize(
    ("model", "label"),
    [("gemini-2.5-flash-image", "Gemini 2.5 Flash Image"), ("models/gemini-3-pro-image", "Gemini 3 Pro Image")],
)
def test_the_label_follows_the_configured_model(model: str, label: str) -> None:
    assert GeminiProvider(api_key="k", model=model).label == label


@pytest.mark.parametrize(
    ("ratio", "nearest"), [(1.0, "1:1"), (1.78, "16:9"), (0.56, "9:16"), (2.4, "21:9"), (10.0, "21:9")]
)
def test_nearest_aspect_ratio(ratio: float, nearest: str) -> None:
    assert nearest_aspect_ratio(ratio) == nearest
