"""The OpenAI image provider against a local server that speaks the OpenAI REST shapes (real SDK, no network)."""

from __future__ import annotations

import email.utils
import hashlib
import io
import time
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from nanobananas.providers.base import ProviderError, ProviderRefused, ProviderTimeout
from nanobananas.providers.handler import image_provider
from nanobananas.providers.http import public_url, retry_after_seconds
from nanobananas.providers.openai_images import MODERATION_MESSAGE, OpenAIImageProvider, supported_size
from tests.providers.openai_server import (
    API_KEY,
    BAND_COLOURS,
    OpenAIServer,
    Recorded,
    Reply,
    bad_request,
    corrupt_image,
    hang,
    moderation_blocked,
    ok_image,
    png_bytes,
    rate_limited,
    server_error,
)

RED, GREEN, BLUE = BAND_COLOURS
GENERATE = "/v1/images/generations"
EDIT = "/v1/images/edits"
# What the SDK itself adds to every request; anything beyond these (a cookie, a user id) would be a leak.
SDK_HEADERS = {
    "host",
    "accept",
    "accept-encoding",
    "connection",
    "authorization",
    "content-type",
    "content-length",
    "user-agent",
    "x-stainless-lang",
    "x-stainless-package-version",
    "x-stainless-os",
    "x-stainless-arch",
    "x-stainless-runtime",
    "x-stainless-runtime-version",
    "x-stainless-async",
    "x-stainless-retry-count",
    "x-stainless-read-timeout",
}
EDIT_FIELDS = {"model", "prompt", "size", "quality", "background", "output_format", "n"}


class Sleeps(list[float]):
    """Records the waits the provider asks for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def progress(percent: int, stage: str) -> None:
    assert 0 <= percent <= 100
    assert stage


def provider_for(server: OpenAIServer, sleeps: Sleeps | None = None, **options: Any) -> OpenAIImageProvider:
    settings: dict[str, Any] = {
        "api_key": API_KEY,
        "base_url": server.base_url,
        "model": "gpt-image-1",
        "timeout": 10,
        "retries": 3,
        "sleep": sleeps if sleeps is not None else Sleeps(),
        **options,
    }
    return OpenAIImageProvider(**settings)


def gradient(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A picture whose every pixel differs, so a test can compare what arrived pixel by pixel."""
    width, height = size
    image = Image.new(mode, size)
    image.putdata(
        [
            (x * 255 // width, y * 255 // height, (x + y) % 256, 255 - (x % 7) * 30)[: len(mode)]
            for y in range(height)
            for x in range(width)
        ]
    )
    return image


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()
    return image


def near(pixel: Any, colour: tuple[int, int, int]) -> bool:
    return all(abs(int(a) - b) <= 3 for a, b in zip(pixel[:3], colour, strict=True))


# --- text to image -----------------------------------------------------------------------------------------


def test_generate_sends_exactly_the_documented_json_body(openai_server: OpenAIServer) -> None:
    provider = provider_for(openai_server, quality="high", background="transparent")

    result = provider.generate(prompt="a poster for a bakery's grand opening", progress=progress, size=(300, 200))

    [request] = openai_server.requests
    assert (request.method, request.path) == ("POST", GENERATE)
    assert request.json == {
        "model": "gpt-image-1",
        "prompt": "a poster for a bakery's grand opening",
        "size": "1536x1024",
        "quality": "high",
        "background": "transparent",
        "output_format": "png",
        "n": 1,
    }
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert result.image.size == (300, 200)
    assert (result.provider, result.model, result.content_type) == ("openai", "gpt-image-1", "image/png")
    assert result.details == {
        "sent": {
            "prompt_sha256": hashlib.sha256(b"a poster for a bakery's grand opening").hexdigest(),
            "input_images": 0,
            "mask": False,
            "size": "1536x1024",
            "quality": "high",
            "model": "gpt-image-1",
        }
    }


def test_generate_defaults_quality_and_background_to_auto_and_size_to_auto(openai_server: OpenAIServer) -> None:
    result = provider_for(openai_server).generate(prompt="a lighthouse", progress=progress)

    [request] = openai_server.requests
    assert request.json["quality"] == "auto"
    assert request.json["background"] == "auto"
    assert request.json["size"] == "auto"
    # The server made its default 1024 square; with no size asked for, it comes back as made.
    assert result.image.size == (1024, 1024)
    assert near(result.image.getpixel((512, 10)), RED)
    assert near(result.image.getpixel((512, 1013)), BLUE)


@pytest.mark.parametrize(
    ("size", "aspect_ratio", "expected"),
    [
        (None, None, "auto"),
        ((1024, 1024), None, "1024x1024"),
        ((1100, 1000), None, "1024x1024"),
        ((1920, 1080), None, "1536x1024"),
        ((1080, 1920), None, "1024x1536"),
        ((1200, 1000), None, "1024x1024"),
        ((1300, 1000), None, "1536x1024"),
        (None, "16:9", "1536x1024"),
        (None, "9:16", "1024x1536"),
        (None, "1:1", "1024x1024"),
        (None, "4:5", "1024x1536"),
        (None, "5:4", "1536x1024"),
        ((800, 800), "16:9", "1024x1024"),
    ],
)
def test_supported_size_maps_the_wish_to_the_nearest_size_the_api_accepts(
    size: tuple[int, int] | None, aspect_ratio: str | None, expected: str
) -> None:
    assert supported_size(size, aspect_ratio) == expected


def test_generate_crops_the_centre_and_scales_to_the_exact_size_asked(openai_server: OpenAIServer) -> None:
    provider = provider_for(openai_server)

    wide = provider.generate(prompt="a banner", progress=progress, size=(400, 100))
    tall = provider.generate(prompt="a banner", progress=progress, size=(100, 400))

    assert [request.json["size"] for request in openai_server.requests] == ["1536x1024", "1024x1536"]
    assert wide.image.size == (400, 100)
    # A 4:1 centre crop of the 1536x1024 result (rows 320-704) is nearly all the middle, green band.
    assert near(wide.image.getpixel((200, 50)), GREEN)
    assert near(wide.image.getpixel((0, 50)), GREEN)
    assert tall.image.size == (100, 400)
    assert near(tall.image.getpixel((50, 5)), RED)
    assert near(tall.image.getpixel((50, 200)), GREEN)
    assert near(tall.image.getpixel((50, 395)), BLUE)


def test_generate_with_only_an_aspect_ratio_crops_to_that_ratio_without_scaling(openai_server: OpenAIServer) -> None:
    result = provider_for(openai_server).generate(prompt="a city at night", progress=progress, aspect_ratio="16:9")

    [request] = openai_server.requests
    assert request.json["size"] == "1536x1024"
    assert result.image.size == (1536, 864)


@pytest.mark.parametrize("size", [(0, 100), (100, -1)])
def test_a_size_that_is_not_positive_is_a_clear_error_and_nothing_is_sent(
    openai_server: OpenAIServer, size: tuple[int, int]
) -> None:
    with pytest.raises(ProviderError, match="an image size must be positive"):
        provider_for(openai_server).generate(prompt="a cat", progress=progress, size=size)

    assert openai_server.requests == []


@pytest.mark.parametrize("aspect_ratio", ["wide", "16x9", "0:9", "16:"])
def test_a_bad_aspect_ratio_is_a_clear_error_and_nothing_is_sent(
    openai_server: OpenAIServer, aspect_ratio: str
) -> None:
    with pytest.raises(ProviderError, match="aspect ratio looks like 16:9"):
        provider_for(openai_server).generate(prompt="a cat", progress=progress, aspect_ratio=aspect_ratio)

    assert openai_server.requests == []


def test_an_empty_prompt_is_refused_before_anything_is_sent(openai_server: OpenAIServer) -> None:
    with pytest.raises(ProviderError, match="a prompt is needed"):
        provider_for(openai_server).generate(prompt="   ", progress=progress)

    assert openai_server.requests == []


# --- edits -------------------------------------------------------------------------------------------------


def test_single_edit_sends_the_picture_as_a_png_part_and_keeps_its_size(openai_server: OpenAIServer) -> None:
    photo = gradient((64, 48))

    result = provider_for(openai_server).edit(image=photo, instruction="put a party hat on the cat", progress=progress)

    [request] = openai_server.requests
    assert (request.method, request.path) == ("POST", EDIT)
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert request.fields() == {
        "model": "gpt-image-1",
        "prompt": "put a party hat on the cat",
        "size": "1536x1024",
        "quality": "auto",
        "background": "auto",
        "output_format": "png",
        "n": "1",
    }
    [part] = request.files("image[]")
    assert (part.filename, part.content_type) == ("image-1.png", "image/png")
    sent = decoded(part.data)
    assert sent.mode == "RGB"
    assert sent.tobytes() == photo.tobytes()
    assert request.files("mask") == []
    assert result.image.size == (64, 48)
    assert result.details["sent"] == {
        "prompt_sha256": hashlib.sha256(b"put a party hat on the cat").hexdigest(),
        "input_images": 1,
        "mask": False,
        "size": "1536x1024",
        "quality": "auto",
        "model": "gpt-image-1",
    }


def test_multi_image_edit_sends_every_image_in_order_and_the_mask_with_its_alpha(
    openai_server: OpenAIServer,
) -> None:
    scene = gradient((60, 40))
    product = gradient((30, 30), mode="RGBA")
    logo = Image.new("P", (16, 16), 3)
    logo.putpalette([0, 0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90] * 64)
    # The mask is drawn at twice the scene's size: alpha 0 (change here) in the right half only.
    mask = Image.new("RGBA", (120, 80), (255, 255, 255, 255))
    mask.paste((0, 0, 0, 0), (60, 0, 120, 80))

    result = provider_for(openai_server).edit(
        image=scene,
        instruction="put the product on the table",
        progress=progress,
        images=[product, logo],
        mask=mask,
    )

    [request] = openai_server.requests
    parts = request.files("image[]")
    assert [part.filename for part in parts] == ["image-1.png", "image-2.png", "image-3.png"]
    assert [part.name for part in request.parts if part.filename] == ["image[]", "image[]", "image[]", "mask"]
    first, second, third = (decoded(part.data) for part in parts)
    assert first.tobytes() == scene.tobytes()
    assert second.mode == "RGBA"
    assert second.tobytes() == product.tobytes()
    assert third.mode == "RGB"
    assert third.getpixel((0, 0)) == (70, 80, 90)
    [mask_part] = request.files("mask")
    assert (mask_part.filename, mask_part.content_type) == ("mask.png", "image/png")
    sent_mask = decoded(mask_part.data)
    assert (sent_mask.mode, sent_mask.size) == ("RGBA", (60, 40))
    alpha = sent_mask.getchannel("A")
    assert alpha.crop((0, 0, 30, 40)).getextrema() == (255, 255)
    assert alpha.crop((30, 0, 60, 40)).getextrema() == (0, 0)
    assert result.image.size == (60, 40)
    assert result.details["sent"]["input_images"] == 3
    assert result.details["sent"]["mask"] is True


def test_a_mask_without_alpha_protects_the_whole_picture(openai_server: OpenAIServer) -> None:
    """The studio's reading of a mask: only transparent pixels may change, so an opaque mask changes none."""
    provider_for(openai_server).edit(
        image=gradient((32, 32)), instruction="make it snow", progress=progress, mask=Image.new("L", (32, 32), 0)
    )

    [mask_part] = openai_server.requests[0].files("mask")
    assert decoded(mask_part.data).getchannel("A").getextrema() == (255, 255)


def test_a_large_input_is_scaled_down_before_it_is_sent_and_the_result_keeps_its_size(
    openai_server: OpenAIServer,
) -> None:
    photo = Image.new("RGB", (4096, 1024), (90, 90, 90))

    result = provider_for(openai_server).edit(image=photo, instruction="add a rainbow", progress=progress)

    [part] = openai_server.requests[0].files("image[]")
    assert decoded(part.data).size == (2048, 512)
    assert result.image.size == (4096, 1024)


# --- refusals and errors ------------------------------------------------------------------------------------


def test_moderation_blocked_is_a_refusal_with_its_code_and_is_not_retried(openai_server: OpenAIServer) -> None:
    sleeps = Sleeps()
    openai_server.script(moderation_blocked())

    with pytest.raises(ProviderRefused) as refused:
        provider_for(openai_server, sleeps).generate(prompt="something the safety system blocks", progress=progress)

    assert refused.value.code == "moderation_blocked"
    assert str(refused.value) == MODERATION_MESSAGE
    assert "declined" in MODERATION_MESSAGE
    assert len(openai_server.requests) == 1
    assert sleeps == []


def test_moderation_blocked_on_an_edit_is_the_same_refusal(openai_server: OpenAIServer) -> None:
    openai_server.script(moderation_blocked())

    with pytest.raises(ProviderRefused) as refused:
        provider_for(openai_server).edit(image=gradient((8, 8)), instruction="x-rated", progress=progress)

    assert refused.value.code == "moderation_blocked"


def test_another_400_is_a_terminal_error_with_the_providers_message(openai_server: OpenAIServer) -> None:
    sleeps = Sleeps()
    openai_server.script(bad_request("Invalid value for 'quality': 'ultra'."))

    with pytest.raises(ProviderError) as failed:
        provider_for(openai_server, sleeps).generate(prompt="a cat", progress=progress)

    assert not isinstance(failed.value, ProviderRefused)
    assert str(failed.value) == "OpenAI rejected the request: Invalid value for 'quality': 'ultra'."
    assert failed.value.retryable is False
    assert len(openai_server.requests) == 1
    assert sleeps == []


def test_a_wrong_key_names_the_key_problem_without_repeating_the_key(openai_server: OpenAIServer) -> None:
    provider = provider_for(openai_server, api_key="sk-not-the-right-key")

    with pytest.raises(ProviderError) as failed:
        provider.generate(prompt="a cat", progress=progress)

    assert str(failed.value) == "OpenAI did not accept the API key: check NANOBANANAS_OPENAI_API_KEY"
    assert failed.value.retryable is False
    assert len(openai_server.requests) == 1


def test_429_and_500_are_retried_with_retry_after_then_backoff_and_then_succeed(
    openai_server: OpenAIServer,
) -> None:
    sleeps = Sleeps()
    openai_server.script(rate_limited(retry_after="7"), server_error(), ok_image())

    result = provider_for(openai_server, sleeps, retries=3).generate(prompt="a cat", progress=progress)

    assert len(openai_server.posts(GENERATE)) == 3
    assert result.image.size == (1024, 1024)
    # The 429 said when to come back; the 500 after it waits 2 s (second retry) plus up to 1 s of jitter.
    assert len(sleeps) == 2
    assert sleeps[0] == 7.0
    assert 2.0 <= sleeps[1] < 3.0
    # Every try sent the same body.
    assert len({request.body for request in openai_server.requests}) == 1


def test_edits_are_retried_too(openai_server: OpenAIServer) -> None:
    sleeps = Sleeps()
    openai_server.script(server_error(503), ok_image())

    result = provider_for(openai_server, sleeps).edit(image=gradient((20, 10)), instruction="x", progress=progress)

    assert len(openai_server.posts(EDIT)) == 2
    assert [len(request.files("image[]")) for request in openai_server.requests] == [1, 1]
    assert result.image.size == (20, 10)
    assert len(sleeps) == 1
    assert 1.0 <= sleeps[0] < 2.0


def test_exhausted_retries_are_a_retryable_error_saying_how_many_tries(openai_server: OpenAIServer) -> None:
    sleeps = Sleeps()
    openai_server.script(server_error(), rate_limited(retry_after=None), server_error(502), ok_image())

    with pytest.raises(ProviderError) as failed:
        provider_for(openai_server, sleeps, retries=2).generate(prompt="a cat", progress=progress)

    assert failed.value.retryable is True
    assert str(failed.value) == (
        "OpenAI had a server error (502): The server had an error while processing your request. "
        "Sorry about that! (after 3 tries)"
    )
    assert len(openai_server.requests) == 3
    assert len(sleeps) == 2
    assert 1.0 <= sleeps[0] < 2.0
    assert 2.0 <= sleeps[1] < 3.0


def test_no_retries_configured_means_exactly_one_try(openai_server: OpenAIServer) -> None:
    sleeps = Sleeps()
    openai_server.script(rate_limited())

    with pytest.raises(ProviderError, match="rate limiting") as failed:
        provider_for(openai_server, sleeps, retries=0).generate(prompt="a cat", progress=progress)

    assert failed.value.retryable is True
    assert len(openai_server.requests) == 1
    assert sleeps == []


def test_a_hanging_server_is_a_timeout_quickly(openai_server: OpenAIServer) -> None:
    openai_server.script(hang())
    started = time.monotonic()

    with pytest.raises(ProviderTimeout) as failed:
        provider_for(openai_server, retries=0, timeout=0.3).generate(prompt="a cat", progress=progress)

    assert time.monotonic() - started < 5
    assert str(failed.value) == "OpenAI did not answer within 0.3 seconds"
    assert failed.value.retryable is True
    assert len(openai_server.requests) == 1


def test_a_timeout_is_not_retried_as_the_image_may_still_be_in_the_making(openai_server: OpenAIServer) -> None:
    sleeps = Sleeps()
    openai_server.script(hang(), ok_image())

    with pytest.raises(ProviderTimeout, match=r"^OpenAI did not answer within 0\.3 seconds$"):
        provider_for(openai_server, sleeps, retries=2, timeout=0.3).generate(prompt="a cat", progress=progress)

    assert len(openai_server.requests) == 1
    assert sleeps == []


def test_a_retry_after_longer_than_a_minute_ends_the_tries_at_once(openai_server: OpenAIServer) -> None:
    sleeps = Sleeps()
    openai_server.script(rate_limited(retry_after="120"), ok_image())

    with pytest.raises(ProviderError, match=r"asks to wait 120 seconds before trying again\)$") as failed:
        provider_for(openai_server, sleeps, retries=3).generate(prompt="a cat", progress=progress)

    assert failed.value.retryable is True
    assert len(openai_server.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize("status", [408, 409, 502, 503, 504])
def test_other_passing_failures_are_retried(openai_server: OpenAIServer, status: int) -> None:
    sleeps = Sleeps()
    openai_server.script(server_error(status), ok_image())

    provider_for(openai_server, sleeps, retries=1).generate(prompt="a cat", progress=progress)

    assert len(openai_server.requests) == 2
    assert len(sleeps) == 1


def test_a_corrupt_image_is_a_clear_error(openai_server: OpenAIServer) -> None:
    openai_server.script(corrupt_image())

    with pytest.raises(ProviderError, match="OpenAI returned an image that cannot be read") as failed:
        provider_for(openai_server).generate(prompt="a cat", progress=progress)

    assert not isinstance(failed.value, ProviderTimeout)
    assert len(openai_server.requests) == 1


def test_image_data_that_is_not_base64_is_a_clear_error(openai_server: OpenAIServer) -> None:
    openai_server.script(lambda request: Reply(body={"created": 1, "data": [{"b64_json": "not base64 at all!"}]}))

    with pytest.raises(ProviderError, match="OpenAI returned image data that is not valid base64"):
        provider_for(openai_server).generate(prompt="a cat", progress=progress)


def test_an_answer_without_an_image_is_a_clear_error(openai_server: OpenAIServer) -> None:
    openai_server.script(lambda request: Reply(body={"created": 1, "data": []}))

    with pytest.raises(ProviderError, match="OpenAI answered without an image"):
        provider_for(openai_server).generate(prompt="a cat", progress=progress)


def test_an_image_too_large_to_decode_safely_is_refused(openai_server: OpenAIServer) -> None:
    # A PNG header claiming 60 000 x 60 000 pixels: the guarded decoder stops before allocating it.
    buffer = io.BytesIO()
    Image.new("1", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = (60_000).to_bytes(4, "big") * 2
    openai_server.script(ok_image(bytes(data)))

    with pytest.raises(ProviderError, match="OpenAI returned an image that cannot be read"):
        provider_for(openai_server).generate(prompt="a cat", progress=progress)


# --- what is sent -------------------------------------------------------------------------------------------


def _only_what_we_meant(request: Recorded) -> None:
    assert set(request.headers) <= SDK_HEADERS, set(request.headers) - SDK_HEADERS
    assert "cookie" not in request.headers
    assert "openai-organization" not in request.headers


def test_requests_hold_only_the_prompt_the_images_and_the_options(openai_server: OpenAIServer) -> None:
    provider = provider_for(openai_server)
    provider.generate(prompt="a red bicycle", progress=progress, size=(64, 64))
    provider.edit(
        image=gradient((16, 16)),
        instruction="paint it blue",
        progress=progress,
        images=[gradient((8, 8))],
        mask=Image.new("RGBA", (16, 16)),
    )

    generate, edit = openai_server.requests
    assert set(generate.json) == EDIT_FIELDS
    assert generate.json["prompt"] == "a red bicycle"
    assert set(edit.fields()) == EDIT_FIELDS
    assert edit.fields()["prompt"] == "paint it blue"
    assert [part.name for part in edit.parts if part.filename] == ["image[]", "image[]", "mask"]
    # No identity: no `user` or `safety_identifier` field, no file names from the person's computer.
    for request in (generate, edit):
        _only_what_we_meant(request)
    for part in edit.parts:
        assert part.filename in {None, "image-1.png", "image-2.png", "mask.png"}


def test_uploaded_pngs_carry_no_metadata_from_the_original(openai_server: OpenAIServer) -> None:
    photo = gradient((16, 16))
    photo.info["comment"] = "taken at 12 Example Street"
    photo.info["exif"] = b"Exif\x00\x00MM\x00*"

    provider_for(openai_server).edit(image=photo, instruction="brighter", progress=progress)

    [part] = openai_server.requests[0].files("image[]")
    assert b"Example Street" not in part.data
    assert b"Exif" not in part.data
    assert set(decoded(part.data).info) <= {"dpi", "gamma", "srgb"}


# --- check, describe, configuration -------------------------------------------------------------------------


def test_check_retrieves_the_model(openai_server: OpenAIServer) -> None:
    assert provider_for(openai_server).check() == "ok: gpt-image-1"

    [request] = openai_server.requests
    assert (request.method, request.path, request.body) == ("GET", "/v1/models/gpt-image-1", b"")


def test_check_with_a_bad_key_is_a_provider_error(openai_server: OpenAIServer) -> None:
    with pytest.raises(ProviderError, match="did not accept the API key"):
        provider_for(openai_server, api_key="sk-wrong").check()

    assert len(openai_server.requests) == 1


def test_check_with_an_unknown_model_says_so(openai_server: OpenAIServer) -> None:
    with pytest.raises(ProviderError, match="does not offer the model 'gpt-image-9'"):
        provider_for(openai_server, model="gpt-image-9").check()


def test_check_with_nothing_listening_is_a_retryable_error_without_retries() -> None:
    server = OpenAIServer()
    base_url = server.base_url
    server.close()  # never started: the port is closed again
    sleeps = Sleeps()

    with pytest.raises(ProviderError, match="OpenAI could not be reached") as failed:
        OpenAIImageProvider(api_key=API_KEY, base_url=base_url, timeout=2, retries=3, sleep=sleeps).check()

    assert failed.value.retryable is True
    assert sleeps == []


def test_check_gives_up_after_the_check_timeout(openai_server: OpenAIServer) -> None:
    provider = provider_for(openai_server, timeout=60, check_timeout=0.3)
    openai_server.answer = lambda request: Reply(hang=True)  # type: ignore[method-assign]
    started = time.monotonic()

    with pytest.raises(ProviderTimeout, match=r"^OpenAI did not answer within 0\.3 seconds$"):
        provider.check()

    assert time.monotonic() - started < 5
    assert len(openai_server.requests) == 1


def test_more_than_sixteen_pictures_are_refused_before_anything_is_sent(openai_server: OpenAIServer) -> None:
    pictures = [gradient((4, 4)) for _ in range(16)]

    with pytest.raises(ProviderError, match="at most 16 pictures in one edit, not 17"):
        provider_for(openai_server).edit(
            image=gradient((4, 4)), instruction="a collage", progress=progress, images=pictures
        )

    assert openai_server.requests == []


def test_describe_names_the_model_and_never_the_key(openai_server: OpenAIServer) -> None:
    provider = provider_for(openai_server)

    description = provider.describe()

    assert description == {
        "name": "openai",
        "label": "OpenAI GPT Image 1",
        "model": "gpt-image-1",
        "third_party": True,
        "capabilities": ["generate", "edit", "edit-many"],
        "base_url": openai_server.base_url,
    }
    assert API_KEY not in repr(description)


def test_listings_show_the_endpoint_without_credentials() -> None:
    provider = OpenAIImageProvider(api_key=API_KEY, base_url="http://user:secret@proxy.example:8080/v1?token=abc")

    assert provider.describe()["base_url"] == "http://proxy.example:8080/v1"
    assert public_url("http://[::1]:8000/v1") == "http://[::1]:8000/v1"
    assert public_url("https://api.openai.com/v1") == "https://api.openai.com/v1"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"api_key": ""}, "needs an API key"),
        ({"quality": "ultra"}, "quality must be one of low, medium, high, auto"),
        ({"background": "blue"}, "background must be one of transparent, opaque, auto"),
        ({"timeout": 0}, "timeouts must be positive"),
        ({"check_timeout": -1}, "timeouts must be positive"),
        ({"retries": -1}, "retries cannot be negative"),
    ],
)
def test_bad_options_are_a_configuration_error(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        OpenAIImageProvider(**{"api_key": API_KEY, **options})


def test_the_settings_alias_builds_the_provider(openai_server: OpenAIServer, settings: Any) -> None:
    settings.AI_PROVIDERS = {
        "openai": {
            "BACKEND": "nanobananas.providers.openai_images.OpenAIImageProvider",
            "OPTIONS": {
                "api_key": API_KEY,
                "base_url": openai_server.base_url,
                "model": "gpt-image-1",
                "timeout": 5,
                "retries": 0,
            },
        }
    }

    provider = image_provider("openai")

    assert isinstance(provider, OpenAIImageProvider)
    assert provider.generate(prompt="a cat", progress=progress, size=(10, 10)).image.size == (10, 10)


def test_without_a_base_url_the_provider_talks_to_openai() -> None:
    provider = OpenAIImageProvider(api_key=API_KEY)

    assert str(provider.client.base_url) == "https://api.openai.com/v1/"
    assert provider.client.max_retries == 0
    assert provider.client.timeout == 120.0


# --- retry arithmetic ---------------------------------------------------------------------------------------


def test_retry_after_headers_are_read_in_seconds_milliseconds_or_as_a_date() -> None:
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)

    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert 28 <= (retry_after_seconds({"retry-after": soon}) or 0) <= 30
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_the_servers_default_image_has_three_bands_top_to_bottom() -> None:
    """The crop tests above rely on this picture."""
    image = decoded(png_bytes((30, 30)))

    assert [image.getpixel((15, y)) for y in (0, 15, 29)] == [RED, GREEN, BLUE]
