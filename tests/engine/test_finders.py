"""Finders: the mask a phrase names in synthetic pictures, per kind, and the not-found message."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nanobananas.engine.errors import ObjectNotFoundError
from nanobananas.engine.finders import ObjectQuery, find_objects, parse_objects, shape_of

SKY_BLUE = (100, 160, 235)
GRASS = (70, 140, 60)


def _scene() -> Image.Image:
    """400x300: sky above y=180, grass below; a red disc, a yellow box across the horizon, a green triangle,
    a purple star and a blue square in the grass, light noise."""
    image = Image.new("RGB", (400, 300), SKY_BLUE)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 180, 399, 299], fill=GRASS)
    draw.ellipse([40, 30, 120, 110], fill=(220, 40, 40))
    draw.rectangle([220, 130, 320, 240], fill=(240, 210, 40))
    draw.polygon([(150, 40), (200, 130), (100, 130)], fill=(30, 200, 60))
    star = [
        (
            350 + (30 if i % 2 == 0 else 12) * np.sin(i * np.pi / 5),
            70 - (30 if i % 2 == 0 else 12) * np.cos(i * np.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=(140, 40, 200))
    draw.rectangle([40, 220, 100, 280], fill=(30, 60, 220))
    noise = np.random.default_rng(3).normal(0, 3, (300, 400, 3))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, columns = np.nonzero(mask >= 128)
    return int(columns.min()), int(rows.min()), int(columns.max()), int(rows.max())


def _near(found: tuple[int, int, int, int], wanted: tuple[int, int, int, int], slack: int = 4) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(found, wanted, strict=True))


@pytest.mark.parametrize(
    ("phrase", "box"),
    [
        ("the red circle", (40, 30, 120, 110)),
        ("the red ball", (40, 30, 120, 110)),
        ("the yellow box", (220, 130, 320, 240)),
        ("the yellow rectangle", (220, 130, 320, 240)),
        ("the green triangle", (100, 40, 200, 130)),
        ("the purple star", (320, 40, 380, 95)),
        ("the blue square", (40, 220, 100, 280)),
        ("the crimson thing", (40, 30, 120, 110)),
    ],
)
def test_a_thing_is_found_by_colour_and_shape(phrase: str, box: tuple[int, int, int, int]) -> None:
    mask = find_objects(_scene(), phrase)
    assert mask.shape == (300, 400)
    assert _near(_box(mask), box, slack=6), _box(mask)


def test_a_box_crossed_by_the_horizon_is_one_thing() -> None:
    image = _scene()
    ImageDraw.Draw(image).line([0, 180, 399, 180], fill=(40, 90, 40), width=3)
    assert _near(_box(find_objects(image, "the yellow box")), (220, 130, 320, 240), slack=6)


def test_outside_the_thing_the_mask_is_empty() -> None:
    mask = find_objects(_scene(), "the red circle")
    outside = np.ones(mask.shape, dtype=bool)
    outside[24:117, 34:127] = False
    assert int(mask[outside].max()) == 0
    assert int(mask[50:90, 60:100].min()) == 255


def test_all_the_red_things_and_two_named_things() -> None:
    image = _scene()
    ImageDraw.Draw(image).rectangle([150, 220, 190, 260], fill=(220, 40, 40))
    one = find_objects(image, "the red circle")
    every = find_objects(image, "all the red things")
    two = find_objects(image, "the red circle and the blue square")
    assert int(one[240, 170]) == 0
    assert int(every[240, 170]) == 255
    assert int(every[70, 80]) == 255
    assert int(two[70, 80]) == 255
    assert int(two[250, 70]) == 255
    assert int(two[180, 270]) == 0


def test_the_sky_is_the_upper_band_touching_the_top_without_the_things_in_it() -> None:
    mask = find_objects(_scene(), "the sky")
    assert (mask[5:170, :] >= 128).mean() > 0.75
    assert int(mask[200:, :].max()) == 0  # not the grass
    assert int(mask[70, 80]) == 0  # not the red disc in the sky


def test_the_object_is_the_subject_matte() -> None:
    image = Image.new("RGB", (300, 300), (236, 236, 236))
    ImageDraw.Draw(image).rounded_rectangle([75, 75, 225, 225], 20, fill=(150, 20, 30))
    mask = find_objects(image, "the object")
    assert int(mask[150, 150]) == 255
    assert int(mask[20, 20]) == 0
    assert 0.2 < (mask >= 128).mean() < 0.32


def test_faces_come_from_the_face_detector(monkeypatch: pytest.MonkeyPatch) -> None:
    from nanobananas.engine import finders

    monkeypatch.setattr(finders, "detect_faces", lambda image: [(100, 50, 200, 170)])
    mask = find_objects(_scene(), "the face")
    assert int(mask[110, 150]) == 255
    assert int(mask[10, 10]) == 0
    assert int(mask[110, 260]) == 0


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("the green ball", "I could not find a green ball: I looked for a round green area"),
        ("the orange rectangle", "I could not find an orange rectangle: I looked for a rectangular orange area"),
        ("all the pink things", "I could not find all the pink things: I looked for pink areas"),
        ("the orange thing", "I could not find an orange thing: I looked for an orange area"),
        ("the face", "I could not find a face: I looked for a face, with the face detector"),
    ],
)
def test_not_found_says_what_was_looked_for(phrase: str, message: str) -> None:
    with pytest.raises(ObjectNotFoundError) as raised:
        find_objects(_scene(), phrase)
    assert str(raised.value) == message


def test_a_blue_backdrop_is_no_blue_square() -> None:
    image = Image.new("RGB", (200, 150), SKY_BLUE)
    with pytest.raises(ObjectNotFoundError, match="I looked for a rectangular blue area"):
        find_objects(image, "the blue square")


@pytest.mark.parametrize(
    ("phrase", "queries"),
    [
        ("the yellow box", [ObjectQuery(words="the yellow box", colour="yellow", shape="rectangle")]),
        ("all the red things", [ObjectQuery(words="all the red things", colour="red", every=True)]),
        ("the sky", [ObjectQuery(words="the sky", kind="sky")]),
        ("the faces", [ObjectQuery(words="the faces", kind="face", every=True)]),
        ("the blue car", [ObjectQuery(words="the blue car", colour="blue")]),
        ("the product", [ObjectQuery(words="the product", kind="subject")]),
        ("the grey circles", [ObjectQuery(words="the grey circles", colour="gray", shape="round", every=True)]),
    ],
)
def test_phrases_parse_into_queries(phrase: str, queries: list[ObjectQuery]) -> None:
    assert parse_objects(phrase) == queries


@pytest.mark.parametrize(
    "phrase", ["the background", "the car", "the red eye", "the black bars", "it", "the top half", "the white border"]
)
def test_phrases_that_name_no_findable_thing(phrase: str) -> None:
    assert parse_objects(phrase) is None


def test_shape_classes() -> None:
    def classify(draw_shape: str) -> str:
        image = Image.new("L", (120, 120), 0)
        draw = ImageDraw.Draw(image)
        if draw_shape == "circle":
            draw.ellipse([10, 10, 110, 100], fill=1)
        elif draw_shape == "square":
            draw.rectangle([20, 20, 100, 90], fill=1)
        elif draw_shape == "triangle":
            draw.polygon([(60, 10), (110, 100), (10, 100)], fill=1)
        else:
            draw.polygon(
                [
                    (
                        60 + (50 if i % 2 == 0 else 20) * np.sin(i * np.pi / 5),
                        60 - (50 if i % 2 == 0 else 20) * np.cos(i * np.pi / 5),
                    )
                    for i in range(10)
                ],
                fill=1,
            )
        return shape_of(np.asarray(image, dtype=np.uint8))

    assert [classify(name) for name in ("circle", "square", "triangle", "star")] == [
        "round",
        "rectangle",
        "triangle",
        "star",
    ]


@pytest.mark.parametrize("phrase", ["the grass", "the green grass", "the lawn", "the ground"])
def test_grass_and_ground_are_the_band_below_the_horizon(phrase: str) -> None:
    mask = find_objects(_scene(), phrase)

    # the scene's grass is y 180..299; the blue square and the yellow box's foot stand in it
    assert (mask[190:300, 120:200] >= 128).mean() > 0.97
    assert (mask[:170] >= 128).mean() == 0
    assert (mask[235:265, 55:85] >= 128).mean() == 0


def test_water_is_a_blue_band_below_the_horizon_never_the_sky() -> None:
    image = Image.new("RGB", (300, 200), SKY_BLUE)
    ImageDraw.Draw(image).rectangle([0, 120, 299, 199], fill=(20, 90, 150))

    mask = find_objects(image, "the sea")

    assert (mask[125:200] >= 128).mean() > 0.97
    assert (mask[:110] >= 128).mean() == 0
    with pytest.raises(ObjectNotFoundError, match="I could not find the water: I looked for a blue or cyan area"):
        find_objects(Image.new("RGB", (300, 200), SKY_BLUE), "the water")


def test_a_colour_and_a_generic_noun_mean_an_object_not_the_backdrop() -> None:
    mask = find_objects(_scene(), "the blue thing")

    assert _near(_box(mask), (40, 220, 100, 280))
    with pytest.raises(ObjectNotFoundError, match="I could not find a blue thing"):
        find_objects(Image.new("RGB", (300, 200), SKY_BLUE), "the blue thing")


def test_crop_to_an_object_keeps_the_object_and_a_margin_around_it() -> None:
    from nanobananas.engine.ops import get_operation, validate_params

    params = validate_params("crop_object", {"object": "the blue square", "margin": 0.1})
    result = get_operation("crop_object").apply(_scene(), params)

    # the blue square is x 40..100, y 220..280 (61 px); a margin of 6 px on each side
    assert abs(result.width - 73) <= 3
    assert abs(result.height - 73) <= 3
    middle = np.asarray(result)[result.height // 2, result.width // 2]
    assert middle[2] > 180
    assert middle[0] < 80
