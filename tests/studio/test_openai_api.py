"""The official openai SDK, pointed at a live server, generates and edits through /v1/images/*."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.live_server import Server, server_environment, start_server

CREATE_TOKEN = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "nanobananas.config.settings"
django.setup()
from django.contrib.auth import get_user_model
from nanobananas.tokens.services import token_create
user = get_user_model().objects.create_user(username="sdk", email="sdk@example.org", password="x" * 14)
print(token_create(user_id=user.pk, name="sdk test", scopes=["images:write"])[1])
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    home = tmp_path_factory.mktemp("openai-home")
    live = start_server(home)
    try:
        created = subprocess.run(
            [sys.executable, "-c", CREATE_TOKEN],
            env=server_environment(home),
            capture_output=True,
            text=True,
            check=True,
        )
        yield live, created.stdout.strip().splitlines()[-1]
    finally:
        live.stop()


@pytest.fixture
def sdk(server: tuple[Server, str]) -> Iterator[object]:
    from openai import OpenAI

    live, token = server
    with OpenAI(base_url=f"{live.url}/v1", api_key=token, max_retries=0, timeout=120) as client:
        yield client


def _decode(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))


def test_generate_returns_a_png_of_the_requested_size(sdk: object) -> None:
    result = sdk.images.generate(  # type: ignore[attr-defined]
        model="gpt-image-1", prompt="a poster for a bakery grand opening", size="1024x1536"
    )
    image = _decode(result.data[0].b64_json)
    assert (image.format, image.size) == ("PNG", (1024, 1536))
    assert result.created > 0


def test_generate_with_a_url_that_works_without_credentials(server: tuple[Server, str], sdk: object) -> None:
    result = sdk.images.generate(  # type: ignore[attr-defined]
        model="dall-e-3", prompt="a sunset over the sea", size="1024x1024", response_format="url"
    )
    url = result.data[0].url
    assert url.startswith(server[0].url + "/v1/images/content/")
    with urllib.request.urlopen(url, timeout=10) as response:
        image = Image.open(io.BytesIO(response.read()))
    assert image.size == (1024, 1024)
    forged = url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(forged, timeout=10)
    assert caught.value.code == 404
    caught.value.close()


def test_edit_with_a_mask_changes_only_the_transparent_area(sdk: object, tmp_path: Path) -> None:
    photo = Image.new("RGB", (64, 32), (200, 40, 40))
    photo_path = tmp_path / "photo.png"
    photo.save(photo_path)
    mask = Image.new("RGBA", (64, 32), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (0, 0, 32, 32))  # the left half may change
    mask_path = tmp_path / "mask.png"
    mask.save(mask_path)
    with photo_path.open("rb") as image_file, mask_path.open("rb") as mask_file:
        result = sdk.images.edit(  # type: ignore[attr-defined]
            model="gpt-image-1", image=image_file, mask=mask_file, prompt="make it black and white"
        )
    edited = np.asarray(_decode(result.data[0].b64_json).convert("RGB")).astype(int)
    assert edited.shape == (32, 64, 3)
    left, right = edited[:, :32], edited[:, 32:]
    assert (left[..., 0] == left[..., 1]).all(), "the masked-in half is not grayscale"
    assert (right == [200, 40, 40]).all(), "the protected half changed"


def test_a_generative_edit_is_refused_with_a_clear_error(sdk: object, tmp_path: Path) -> None:
    import openai

    path = tmp_path / "photo.png"
    Image.new("RGB", (32, 32), (10, 120, 10)).save(path)
    with path.open("rb") as handle, pytest.raises(openai.BadRequestError) as caught:
        sdk.images.edit(image=handle, prompt="replace the red ball with a cat")  # type: ignore[attr-defined]
    assert "NANOBANANAS_IMAGE_PROVIDER" in str(caught.value)


def test_a_wrong_token_is_refused(server: tuple[Server, str]) -> None:
    import openai

    live, _ = server
    with (
        openai.OpenAI(base_url=f"{live.url}/v1", api_key="nb_deadbeef_not-a-real-token", max_retries=0) as client,
        pytest.raises(openai.AuthenticationError),
    ):
        client.images.generate(prompt="a poster")
