"""Provider aliases load lazily and fail with a message naming the alias."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from nanobananas.providers.fake import FakeProvider
from nanobananas.providers.handler import image_provider


def test_default_alias_comes_from_settings() -> None:
    provider = image_provider()
    assert isinstance(provider, FakeProvider)
    assert image_provider() is provider


def test_options_reach_the_backend() -> None:
    providers = {"fake": {"BACKEND": "nanobananas.providers.fake.FakeProvider", "OPTIONS": {"size": (8, 9)}}}
    with override_settings(AI_PROVIDERS=providers):
        assert image_provider("fake").size == (8, 9)  # type: ignore[attr-defined]


def test_unknown_alias_names_it_and_the_known_ones() -> None:
    with pytest.raises(
        ImproperlyConfigured, match=r"image provider 'gemini' is not configured \(known: builtin, fake\)"
    ):
        image_provider("gemini")


@pytest.mark.parametrize(
    ("backend", "message"),
    [
        ("nanobananas.providers.nope.Missing", "has an unusable BACKEND"),
        ("collections.OrderedDict", "is not of type ImageProvider"),
    ],
)
def test_bad_backends_are_reported(backend: str, message: str) -> None:
    with (
        override_settings(AI_PROVIDERS={"x": {"BACKEND": backend}}),
        pytest.raises(ImproperlyConfigured, match=message),
    ):
        image_provider("x")
