"""One job decodes at most NANOBANANAS_JOB_MEGAPIXELS of pictures, all its inputs together (issue 23).

A Pro plan lets each picture be loaded at up to 8192 pixels a side, so a combine of several 49 MP uploads
would hold hundreds of megapixels in the worker; the job's budget shrinks them while they load instead.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from PIL import Image

from nanobananas.engine import compose as compose_module
from nanobananas.studio import jobs
from nanobananas.studio.models import Asset
from tests.studio.test_conversation_flow import Capture, Chat

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _png(size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def _budget(megapixels: int) -> Any:
    return override_settings(NANOBANANAS={**settings.NANOBANANAS, "JOB_MEGAPIXELS": megapixels})


def _compose_inputs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The sizes of the pictures that the combine step is given, as it is given them."""
    seen: list[tuple[int, int]] = []
    real_compose = compose_module.compose

    def spying(images: list[Image.Image], **kwargs: Any) -> Image.Image:
        seen.extend(image.size for image in images)
        return real_compose(images, **kwargs)

    monkeypatch.setattr(compose_module, "compose", spying)
    return seen


def test_a_combine_over_the_budget_loads_each_picture_smaller_in_its_own_proportions(
    guest_client: Client, django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _compose_inputs(monkeypatch)
    chat = Chat(guest_client, django_capture_on_commit_callbacks)
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    files = {f"{i}.png": _png((2000, 1000), colour) for i, colour in enumerate(colours)}
    with _budget(3):
        chat.send("put them in a grid", files=files)
    [version] = chat.detail()["versions"]
    assert version["operation"] == "combine"
    # 6 MP asked for, 3 MP allowed: each 2:1 picture at about 1 MP (1414x707), none at its full 2 MP.
    assert len(seen) == 3
    assert sum(w * h for w, h in seen) <= 3_000_000
    for width, height in seen:
        assert 1380 <= width <= 1420
        assert abs(width / height - 2) < 0.01


def test_a_combine_within_the_budget_loads_the_pictures_whole(
    guest_client: Client, django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _compose_inputs(monkeypatch)
    chat = Chat(guest_client, django_capture_on_commit_callbacks)
    with _budget(50):
        chat.send(
            "combine them side by side",
            files={"a.png": _png((1200, 800), (9, 9, 9)), "b.png": _png((800, 800), (250, 250, 250))},
        )
    assert seen == [(1200, 800), (800, 800)]


def _uploads(chat: Chat) -> list[Asset]:
    return list(Asset.objects.filter(conversation_id=chat.id, kind=Asset.Kind.UPLOAD).order_by("number"))


def test_the_budget_is_spent_across_the_loads_of_one_job_and_only_inside_a_job(
    guest_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    chat = Chat(guest_client, django_capture_on_commit_callbacks)
    chat.send("", files={"a.png": _png((1600, 1000), (1, 2, 3)), "b.png": _png((1600, 1000), (4, 5, 6))})
    first, second = _uploads(chat)
    with _budget(2):
        # Outside a job nothing is counted: both load whole, twice over.
        assert [jobs.image_load(a.id).size for a in (first, second, first)] == [(1600, 1000)] * 3
        with jobs._job_pixel_budget():
            assert jobs.image_load(first.id).size == (1600, 1000)  # 1.6 of 2 MP
            # 0.4 MP left: the second is loaded at the 1 MP floor, in its own proportions.
            width, height = jobs.image_load(second.id).size
            assert (width, height) == (1264, 790)
            assert jobs.image_load(first.id).size == (1264, 790)  # nothing left: the floor again
