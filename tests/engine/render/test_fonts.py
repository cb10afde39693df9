"""Fonts come from the installed font packages, found through their import paths."""

from __future__ import annotations

import importlib

import pytest
from PIL import ImageFont

from nanobananas.engine.render.fonts import FACES, PAIRINGS, font_path, load_font


@pytest.mark.parametrize("face", sorted(FACES))
def test_every_face_is_a_file_inside_its_package(face: str) -> None:
    path = font_path(face)
    package_dir = importlib.import_module(FACES[face].package).__file__
    assert package_dir is not None
    assert path.is_file()
    assert path.parent.parent.resolve() == type(path)(package_dir).parent.resolve()


def test_faces_load_at_the_requested_size() -> None:
    font = load_font("Lato Black", 48)
    assert isinstance(font, ImageFont.FreeTypeFont)
    assert font.size == 48


def test_every_pairing_names_known_faces() -> None:
    for pairing in PAIRINGS.values():
        assert {pairing.display, pairing.body, pairing.label, pairing.accent} <= set(FACES)
