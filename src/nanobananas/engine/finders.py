"""Find a thing a request names ("the yellow box", "the sky", "all the red things") as a soft mask of the picture."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from nanobananas.engine.errors import ObjectNotFoundError
from nanobananas.engine.ops._pixels import FloatArray, U8Array
from nanobananas.engine.ops._subject import detect_faces, subject_mask

__all__ = ["COLOUR_FAMILIES", "ObjectQuery", "find_objects", "object_mask", "parse_objects"]

COLOUR_FAMILIES: dict[str, str] = {
    "red": "red",
    "crimson": "red",
    "scarlet": "red",
    "orange": "orange",
    "yellow": "yellow",
    "golden": "yellow",
    "gold": "yellow",
    "green": "green",
    "lime": "green",
    "cyan": "cyan",
    "turquoise": "cyan",
    "teal": "cyan",
    "blue": "blue",
    "navy": "blue",
    "purple": "purple",
    "violet": "purple",
    "magenta": "pink",
    "pink": "pink",
    "brown": "brown",
    "white": "white",
    "black": "black",
    "gray": "gray",
    "grey": "gray",
}
_SHAPES: dict[str, str] = {
    **dict.fromkeys(
        str.split(
            "circle circles disc discs disk disks dot dots ball balls sphere spheres coin coins oval ovals"
            " ellipse ellipses round"
        ),
        "round",
    ),
    **dict.fromkeys(
        str.split("rectangle rectangles box boxes square squares block blocks cube cubes rect card cards rectangular"),
        "rectangle",
    ),
    **dict.fromkeys(str.split("triangle triangles triangular"), "triangle"),
    **dict.fromkeys(str.split("star stars"), "star"),
}
_ANY = frozenset(
    str.split(
        "thing things object objects shape shapes one ones area areas bit bits part parts patch patches spot"
        " spots blob blobs item items"
    )
)
_KINDS: dict[str, str] = {
    "sky": "sky",
    "skies": "sky",
    **dict.fromkeys(str.split("grass lawn lawns meadow meadows field fields turf"), "grass"),
    **dict.fromkeys(str.split("ground floor earth land soil dirt"), "ground"),
    **dict.fromkeys(str.split("water sea ocean lake river pond waves"), "water"),
    "subject": "subject",
    "product": "subject",
    "object": "subject",
    "item": "subject",
    "foreground": "subject",
    "face": "face",
    "faces": "face",
}
# Words that name the picture, a quality of it or a place in it, never a thing to find by its colour.
_NOT_THINGS = frozenset(
    str.split(
        "background backdrop picture image photo pic whole rest colour color colours colors tone tones light"
        " top bottom left right middle center centre side half third quarter corner edge edges border frame"
        " text letters words sky and or with to into in of eye eyes skin teeth lips hair nose mouth bars"
        " margins letterbox tint cast hue shade noise grain vignette shadow shadows highlights glare balance level"
        " levels channel channels point points hour version filter effect look style mode"
    )
)
_DETERMINER = (
    r"(?:(?P<every>all\s+(?:of\s+)?(?:the\s+)?|every\s+|each\s+|both\s+(?:the\s+)?)"
    r"|(?:the|that|this|those|these|its|my)\s+)?"
)
_COLOUR = "|".join(sorted(COLOUR_FAMILIES, key=len, reverse=True))
_PHRASE = re.compile(
    _DETERMINER + r"(?:(?:big|large|small|little|tiny|huge|main)\s+)?"
    rf"(?:(?P<colour>{_COLOUR})(?:ish)?\s+)?(?:(?P<shape_word>round|square|rectangular|triangular)\s+)?"
    r"(?P<noun>[a-z]+)\b"
)
_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)")
_SHAPE_WORDS = {"round": "round", "square": "rectangle", "rectangular": "rectangle", "triangular": "triangle"}
_DESCRIBE_SHAPE = {"round": "round", "rectangle": "rectangular", "triangle": "triangular", "star": "star-shaped"}
_LOOKED_FOR = {
    "sky": "a bright or blue band touching the top edge",
    "grass": "a green area in the lower part of the picture",
    "ground": "a green, brown or grey area touching the bottom edge",
    "water": "a blue or cyan area in the lower part of the picture",
    "subject": "a main subject standing out from its background",
    "face": "a face, with the face detector",
}
# Kinds found as a broad band of the picture by colour and place; a colour named with them ("the green grass")
# describes them rather than choosing another thing.
_LANDSCAPE = frozenset({"sky", "grass", "ground", "water"})
# Masks are found on a copy this size (long side) and scaled back up.
_WORK_SIDE = 640
_MIN_SHARE = 0.001


@dataclass(frozen=True)
class ObjectQuery:
    """One thing named in a request: a kind (sky, subject, face) or a colour family and/or shape."""

    words: str
    colour: str | None = None
    shape: str | None = None
    kind: str | None = None
    every: bool = False

    def looked_for(self) -> str:
        """What the finder searches for, in the words of the not-found message."""
        if self.kind is not None:
            return _LOOKED_FOR[self.kind]
        described = " ".join(part for part in (_DESCRIBE_SHAPE.get(self.shape or ""), self.colour) if part)
        if self.every:
            return f"{described} areas"
        return f"{'an' if described[:1] in 'aeiou' else 'a'} {described} area"


def _query(match: re.Match[str]) -> ObjectQuery | None:
    noun, colour = match.group("noun"), match.group("colour")
    words = " ".join(match.group(0).split())
    every = bool(match.group("every")) or (noun.endswith("s") and (noun in _SHAPES or noun in _ANY))
    shape = _SHAPE_WORDS.get(match.group("shape_word") or "") or _SHAPES.get(noun)
    family = COLOUR_FAMILIES.get(colour) if colour else None
    if noun in _KINDS and (family is None or _KINDS[noun] in _LANDSCAPE) and not match.group("shape_word"):
        kind = _KINDS[noun]
        return ObjectQuery(words=words, kind=kind, every=kind == "face" and noun == "faces")
    if family is None and shape is None:
        return None
    if family is None and noun in _ANY:
        return None
    if family is not None and noun in _NOT_THINGS:
        return None
    return ObjectQuery(words=words, colour=family, shape=shape, every=every)


def parse_objects(phrase: str) -> list[ObjectQuery] | None:
    """The things a whole phrase names ("the red circle and the blue square"), or None when it names no thing."""
    queries: list[ObjectQuery] = []
    position = 0
    text = phrase.strip()
    while True:
        match = _PHRASE.match(text, position)
        if match is None:
            return None
        query = _query(match)
        if query is None:
            return None
        queries.append(query)
        position = match.end()
        if position == len(text):
            return queries
        joint = _JOIN.match(text, position)
        if joint is None or joint.end() == position:
            return None
        position = joint.end()


def _small(image: Image.Image) -> U8Array:
    rgb = image.convert("RGB")
    scale = min(1.0, _WORK_SIDE / max(rgb.size))
    if scale < 1.0:
        rgb = rgb.resize((max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))), Image.Resampling.BOX)
    return np.asarray(rgb)


def _hsv(pixels: U8Array) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Hue in degrees, saturation and value in 0..1."""
    import cv2

    hsv = np.asarray(cv2.cvtColor(pixels.astype(np.float32) / 255, cv2.COLOR_RGB2HSV), dtype=np.float32)
    return hsv[..., 0], hsv[..., 1], hsv[..., 2]


_HUES = {
    "red": ((0, 15), (345, 361)),
    "orange": ((15, 45),),
    "yellow": ((45, 70),),
    "green": ((70, 170),),
    "cyan": ((170, 200),),
    "blue": ((200, 260),),
    "purple": ((260, 300),),
    "pink": ((300, 345),),
}


def _colour_pixels(pixels: U8Array, family: str) -> U8Array:
    """1 where a pixel belongs to the colour family, else 0."""
    hue, saturation, value = _hsv(pixels)
    if family == "white":
        chosen = (value > 0.82) & (saturation < 0.18)
    elif family == "black":
        chosen = value < 0.2
    elif family == "gray":
        chosen = (saturation < 0.15) & (value >= 0.2) & (value <= 0.82)
    elif family == "brown":
        chosen = (saturation >= 0.3) & (hue < 50) & (value >= 0.12) & (value < 0.62)
    else:
        chosen = np.zeros(hue.shape, dtype=bool)
        for low, high in _HUES[family]:
            chosen |= (hue >= low) & (hue < high)
        chosen &= (saturation >= 0.3) & (value >= (0.42 if family in ("red", "orange") else 0.22))
    return chosen.astype(np.uint8)


def _clean(chosen: U8Array) -> U8Array:
    """Drop speckles and close pinholes and thin lines across an object, so one object is one connected area."""
    import cv2

    opened = cv2.morphologyEx(chosen, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    side = max(3, round(max(chosen.shape) * 0.011) | 1)
    closed = cv2.morphologyEx(opened, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    return np.asarray(closed, dtype=np.uint8)


def shape_of(component: U8Array) -> str:
    """The shape family of one connected area: round, rectangle, triangle, star or other."""
    import cv2

    contours, _ = cv2.findContours(component, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    contour = max(contours, key=cv2.contourArea)
    area = float(cv2.contourArea(contour))
    hull = float(cv2.contourArea(cv2.convexHull(contour)))
    (_, _), (width, height), _ = cv2.minAreaRect(contour)
    if area <= 0 or hull <= 0 or width * height <= 0:
        return "other"
    solidity, extent = area / hull, area / (width * height)
    perimeter = cv2.arcLength(contour, True)
    corners = len(cv2.approxPolyDP(contour, 0.04 * perimeter, True))
    if solidity < 0.8:
        return "star" if corners >= 8 else "other"
    if corners == 3 or (extent < 0.62 and solidity > 0.85):
        return "triangle"
    if extent >= 0.86:
        return "rectangle"
    if 0.68 <= extent < 0.86 and solidity > 0.9:
        return "round"
    return "other"


def _colour_mask(pixels: U8Array, query: ObjectQuery) -> U8Array | None:
    import cv2

    assert query.colour is not None or query.shape is not None
    chosen = _clean(_colour_pixels(pixels, query.colour)) if query.colour is not None else _distinct_areas(pixels)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(chosen, connectivity=8)
    smallest = max(12, _MIN_SHARE * chosen.size)
    found: list[tuple[int, int]] = []
    for label in range(1, count):
        area = int(stats[label, cv2.CC_STAT_AREA])
        if area < smallest:
            continue
        # An area spanning the picture is its backdrop (the sky, a wall, a lawn), not a thing in it: "the blue
        # thing" is an object, never the sky; "all the blue areas" may be the backdrop too.
        spans = (
            stats[label, cv2.CC_STAT_WIDTH] >= 0.9 * chosen.shape[1]
            or stats[label, cv2.CC_STAT_HEIGHT] >= 0.9 * chosen.shape[0]
        )
        if (spans and (query.shape is not None or not query.every)) or (
            query.shape is not None and shape_of((labels == label).astype(np.uint8)) != query.shape
        ):
            continue
        found.append((area, label))
    if not found:
        return None
    keep = [label for _, label in found] if query.every else [max(found)[1]]
    return np.isin(labels, keep).astype(np.uint8)


def _distinct_areas(pixels: U8Array) -> U8Array:
    """For a shape without a colour: areas whose colour differs from the picture's most common colour."""
    import cv2

    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).astype(np.float32)
    backdrop = np.median(lab.reshape(-1, 3), axis=0)
    return _clean((np.linalg.norm(lab - backdrop, axis=2) > 30).astype(np.uint8))


def _sky_mask(pixels: U8Array) -> U8Array | None:
    import cv2

    hue, saturation, value = _hsv(pixels)
    skyish = ((hue >= 180) & (hue < 260) & (saturation >= 0.12) & (value >= 0.35)) | (
        (value >= 0.7) & (saturation < 0.2)
    )
    chosen = _clean(skyish.astype(np.uint8))
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(chosen, connectivity=4)
    height = chosen.shape[0]
    keep = [
        label
        for label in range(1, count)
        if stats[label, cv2.CC_STAT_TOP] == 0
        and centroids[label][1] < 0.6 * height
        and stats[label, cv2.CC_STAT_AREA] >= 0.03 * chosen.size
    ]
    return np.isin(labels, keep).astype(np.uint8) if keep else None


def _bands(chosen: U8Array, keep: Callable[[int, int, int, float], bool]) -> U8Array | None:
    """The connected areas of a 0/1 mask that `keep(top, bottom, area, centre_y)` accepts, as one mask."""
    import cv2

    count, labels, stats, centroids = cv2.connectedComponentsWithStats(_clean(chosen), connectivity=4)
    kept = [
        label
        for label in range(1, count)
        if keep(
            int(stats[label, cv2.CC_STAT_TOP]),
            int(stats[label, cv2.CC_STAT_TOP] + stats[label, cv2.CC_STAT_HEIGHT]),
            int(stats[label, cv2.CC_STAT_AREA]),
            float(centroids[label][1]),
        )
    ]
    return np.isin(labels, kept).astype(np.uint8) if kept else None


def _landscape_mask(pixels: U8Array, kind: str) -> U8Array | None:
    """Grass, ground or water: a broad area of their colours below the picture's middle, as connected areas."""
    hue, saturation, value = _hsv(pixels)
    height, size = pixels.shape[0], hue.size
    green = (hue >= 65) & (hue < 170) & (saturation >= 0.2) & (value >= 0.12)
    if kind == "grass":
        chosen = green
    elif kind == "water":
        chosen = (hue >= 170) & (hue < 250) & (saturation >= 0.15) & (value >= 0.12)
    else:
        earth = (hue < 65) & (saturation >= 0.15) & (value < 0.7) & (value >= 0.08)
        chosen = green | earth | ((saturation < 0.15) & (value >= 0.15) & (value < 0.75))
    if kind == "ground":
        touching = chosen.astype(np.uint8)
        return _bands(touching, lambda top, bottom, area, y: bottom >= height - 1 and area >= 0.03 * size)
    # Water and grass lie below the horizon; a blue band touching the top is the sky, never the sea.
    horizon = _horizon(pixels)
    if horizon is not None:
        chosen[:horizon] = False
    return _bands(
        chosen.astype(np.uint8), lambda top, bottom, area, y: top > 0 and y > 0.4 * height and area >= 0.02 * size
    )


def _horizon(pixels: U8Array) -> int | None:
    """The row where the picture's mean colour jumps most (sky to sea or land) in its middle rows, or None."""
    import cv2

    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).astype(np.float32).mean(axis=1)
    height, reach = lab.shape[0], max(2, lab.shape[0] // 60)
    rows = np.arange(max(reach, round(0.2 * height)), min(height - reach, round(0.9 * height)))
    if rows.size == 0:
        return None
    above = np.stack([lab[row - reach : row].mean(axis=0) for row in rows])
    below = np.stack([lab[row : row + reach].mean(axis=0) for row in rows])
    jumps = np.linalg.norm(above - below, axis=1)
    best = int(np.argmax(jumps))
    return int(rows[best]) if jumps[best] >= 20 else None


def _face_mask(image: Image.Image, shape: tuple[int, int], every: bool) -> U8Array | None:
    import cv2

    faces = detect_faces(image)
    if not faces:
        return None
    height, width = shape
    scale_x, scale_y = width / image.width, height / image.height
    mask = np.zeros(shape, dtype=np.uint8)
    for left, top, right, bottom in faces if every else faces[:1]:
        centre = (round((left + right) / 2 * scale_x), round((top + bottom) / 2 * scale_y))
        axes = (round((right - left) * 0.55 * scale_x), round((bottom - top) * 0.65 * scale_y))
        cv2.ellipse(mask, centre, axes, 0, 0, 360, 1, -1)
    return mask


def _one_mask(image: Image.Image, pixels: U8Array, query: ObjectQuery) -> U8Array:
    """A 0/1 mask at working size, or ObjectNotFoundError naming what was looked for."""
    if query.kind == "sky":
        found = _sky_mask(pixels)
    elif query.kind in _LANDSCAPE:
        found = _landscape_mask(pixels, query.kind)
    elif query.kind == "face":
        found = _face_mask(image, pixels.shape[:2], query.every)
    elif query.kind == "subject":
        matte = np.asarray(subject_mask(image).resize((pixels.shape[1], pixels.shape[0]), Image.Resampling.BILINEAR))
        found = (matte >= 128).astype(np.uint8) if (matte >= 128).mean() >= _MIN_SHARE else None
    else:
        found = _colour_mask(pixels, query)
    if found is None or not found.any():
        raise ObjectNotFoundError(f"I could not find {_named(query)}: I looked for {query.looked_for()}")
    return found


def _named(query: ObjectQuery) -> str:
    """ "the green ball" as "a green ball"; "all the red things" as it is."""
    if query.every:
        return query.words
    if query.kind in _LANDSCAPE:
        return "the " + re.sub(r"^(?:the|that|this|its|my)\s+", "", query.words)
    thing = re.sub(r"^(?:the|that|this|those|these|its|my|a|an)\s+", "", query.words)
    return f"{'an' if thing[:1] in 'aeiou' else 'a'} {thing}"


def object_mask(image: Image.Image, queries: list[ObjectQuery]) -> U8Array:
    """An 8-bit mask at the picture's size: 255 on the things, a soft edge that follows the picture's own edges
    (guided filter) and reaches just past the object's border, 0 elsewhere. ObjectNotFoundError if one is missing."""
    import cv2

    pixels = _small(image)
    union = np.zeros(pixels.shape[:2], dtype=np.uint8)
    for query in queries:
        union |= _one_mask(image, pixels, query)
    # The guided filter lets the edge follow the picture's own edge, over the object's anti-aliased border.
    guide = pixels.astype(np.float32) / 255
    soft = cv2.ximgproc.guidedFilter(guide, union.astype(np.float32), 1, 1e-3)
    soft = np.clip(np.maximum(soft, union), 0, 1)
    full = cv2.resize(soft, image.size, interpolation=cv2.INTER_LINEAR)
    return np.clip(np.rint(full * 255), 0, 255).astype(np.uint8)


def find_objects(image: Image.Image, phrase: str) -> U8Array:
    """The mask of every thing `phrase` names; ObjectNotFoundError when the phrase names no thing or one is missing."""
    queries = parse_objects(phrase)
    if queries is None:
        raise ObjectNotFoundError(f"I do not know how to find {phrase!r}: name its colour and shape, or the sky")
    return object_mask(image, queries)
