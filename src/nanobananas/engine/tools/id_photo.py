"""id-photo tool: a passport or ID photo to a country's spec, and a 4x6 in print sheet of copies.

The face is found with OpenCV's Haar cascades (the frontal-face one, then the eye one inside it for the eye line).
The top of the head (hair included, as the specs measure it) is the top of the person cut out from the
background; the chin lies a fixed share of the face box below its top. The picture is then scaled so the head
height is the middle of the spec's range and moved so the eye line or the top margin is where the spec puts it,
on a plain light background, at exactly the spec's pixels at 300 dpi."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageChops
from pydantic import Field

from nanobananas.engine.ops._subject import Box, detect_faces, subject_mask
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult

__all__ = ["DPI", "SHEET_SIZE", "SPECS", "TOOL", "IdPhotoParams", "IdSpec", "chin_of", "layout_sheet"]

DPI = 300
MM_PER_INCH = 25.4
# 4x6 in at 300 dpi, portrait.
SHEET_SIZE = (1200, 1800)
# Where the chin is, as a share of the Haar frontal-face box's height below its top (the box runs from the
# forehead to about the lower lip), and where the eyes are when the eye cascade finds none.
_CHIN = 1.06
_EYES = 0.38
# Without a usable outline of the head, the top of the hair is this many face-box heights above the eyes.
_CROWN_ABOVE_EYES = 0.88
# A face find is checked on its neighbourhood scaled so the face is this wide (pixels).
_CHECK_SIDE = 160
# Faces are looked for on a copy this size (long side), down to this size: a face a fifteenth of the photo wide
# is still found (a smaller one would make a soft ID photo anyway).
_SEARCH_SIDE = 480
_SMALLEST_FACE = 32
# A second face counts when it is at least this share of the largest one's width (smaller ones are false finds).
_OTHER_FACE = 0.5
# The window the person is cut out of, in face-box heights around the eyes, and its working size (long side).
_WINDOW_SIDES = 1.3
_WINDOW_UP = 1.4
_WINDOW_DOWN = 1.8
_CUT_SIDE = 320
# Gap between copies on the sheet when it costs no copy (1 mm), for the scissors.
_SHEET_GAP = 12


@dataclass(frozen=True)
class IdSpec:
    """A country's photo rule, in millimetres: the photo, the head (chin to top of hair) and where it sits."""

    label: str
    size_mm: tuple[float, float]
    head_mm: tuple[float, float]
    background: tuple[int, int, int]
    eyes_from_bottom_mm: tuple[float, float] | None = None
    top_margin_mm: float | None = None

    @property
    def pixels(self) -> tuple[int, int]:
        return (round(self.size_mm[0] / MM_PER_INCH * DPI), round(self.size_mm[1] / MM_PER_INCH * DPI))

    def px(self, mm: float) -> float:
        return mm / MM_PER_INCH * DPI


_INCH = MM_PER_INCH
SPECS: dict[str, IdSpec] = {
    # US Department of State: 2x2 in, head 1-1 3/8 in, eyes 1 1/8-1 3/8 in from the bottom, white background.
    "us": IdSpec("US passport 2x2 in", (2 * _INCH, 2 * _INCH), (1 * _INCH, 1.375 * _INCH), (255, 255, 255),
                 eyes_from_bottom_mm=(1.125 * _INCH, 1.375 * _INCH)),
    # Schengen / ICAO: 35x45 mm, head 32-36 mm, light plain background.
    "eu": IdSpec("EU passport 35x45 mm", (35, 45), (32, 36), (240, 240, 240), top_margin_mm=4.0),
    # HM Passport Office: 35x45 mm, head 29-34 mm, light grey or cream background.
    "uk": IdSpec("UK passport 35x45 mm", (35, 45), (29, 34), (232, 232, 232), top_margin_mm=5.0),
    # Passport Canada: 50x70 mm, head 31-36 mm, white or light background.
    "ca": IdSpec("Canadian passport 50x70 mm", (50, 70), (31, 36), (250, 250, 250), top_margin_mm=12.0),
    # India: 2x2 in (51x51 mm), head 1-1 3/8 in and eyes 1 1/8-1 3/8 in from the bottom like the US, white.
    "in": IdSpec("Indian passport 51x51 mm (2x2 in)", (2 * _INCH, 2 * _INCH), (1 * _INCH, 1.375 * _INCH),
                 (255, 255, 255), eyes_from_bottom_mm=(1.125 * _INCH, 1.375 * _INCH)),
    # China: 33x48 mm, head 28-33 mm, 3-5 mm from the top of the head to the top edge, white.
    "cn": IdSpec("Chinese passport 33x48 mm", (33, 48), (28, 33), (255, 255, 255), top_margin_mm=4.0),
}  # fmt: skip


class IdPhotoParams(OpParams):
    country: Literal["us", "eu", "uk", "ca", "in", "cn"] = "us"
    sheet: bool = Field(default=True, description="also make a 4x6 in print sheet with as many copies as fit")


@lru_cache(maxsize=8)
def _cascade(name: str) -> Any:
    import cv2

    folder = cv2.data.haarcascades  # type: ignore[attr-defined]  # the stubs omit cv2.data
    return cv2.CascadeClassifier(str(folder) + name)


def chin_of(face: Box) -> float:
    """The chin's y for a frontal-face box."""
    return face[1] + _CHIN * (face[3] - face[1])


def _eye_pair(found: Any, width: float, height: float) -> float | None:
    """The y of two eyes side by side among the eye cascade's finds (at the most similar height, a quarter of
    the face apart), or None."""
    centres = [(float(y + h / 2), float(x + w / 2)) for x, y, w, h in found]
    best: tuple[float, float] | None = None
    for i, (y1, x1) in enumerate(centres):
        for y2, x2 in centres[i + 1 :]:
            if abs(x1 - x2) > 0.25 * width and abs(y1 - y2) < 0.1 * height:
                spread = abs(y1 - y2)
                if best is None or spread < best[0]:
                    best = (spread, (y1 + y2) / 2)
    return None if best is None else best[1]


def _check(image: Image.Image, face: Box) -> tuple[bool, float]:
    """Whether a frontal-face find is a face (a second cascade agrees or an eye is found in its upper part) and
    its eye line. The check runs on the face's neighbourhood at a fixed size, so it costs the same for any photo."""
    import cv2

    left, top, right, bottom = face
    pad = 0.3 * (right - left)
    area = (max(0, left - pad), max(0, top - pad), min(image.width, right + pad), min(image.height, bottom + pad))
    scale = _CHECK_SIDE / max(1, right - left)
    region = image.crop(area).convert("L")
    region = region.resize(
        (max(1, round(region.width * scale)), max(1, round(region.height * scale))), Image.Resampling.BILINEAR
    )
    gray = cv2.equalizeHist(np.asarray(region))
    side = _CHECK_SIDE
    second = _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        gray,
        scaleFactor=1.1,
        minNeighbors=3,
        minSize=(round(side * 0.7), round(side * 0.7)),
        maxSize=(side * 2, side * 2),
    )
    fx, fy = round((left - area[0]) * scale), round((top - area[1]) * scale)
    upper = gray[fy : fy + round(side * 0.6), fx : fx + side]
    eyes = _cascade("haarcascade_eye.xml").detectMultiScale(
        upper, scaleFactor=1.1, minNeighbors=3, minSize=(side // 9, side // 9)
    )
    pair = _eye_pair(eyes, side, side)
    eye_line = top + (
        pair / scale if pair is not None and 0.25 * side <= pair <= 0.5 * side else _EYES * (bottom - top)
    )
    return len(second) > 0 or len(eyes) > 0, eye_line


def _face_finds(image: Image.Image) -> list[Box]:
    """Frontal-face finds (OpenCV's alt2 cascade, which misses fewer faces than the default one on an uneven
    backdrop) on a copy _SEARCH_SIDE pixels long, largest first."""
    scale = min(1.0, _SEARCH_SIDE / max(image.size))
    gray = image.convert("L")
    if scale < 1.0:
        gray = gray.resize((round(gray.width * scale), round(gray.height * scale)), Image.Resampling.BILINEAR)
    found = _cascade("haarcascade_frontalface_alt2.xml").detectMultiScale(
        np.asarray(gray), scaleFactor=1.15, minNeighbors=3, minSize=(_SMALLEST_FACE, _SMALLEST_FACE)
    )
    boxes = [
        (round(x / scale), round(y / scale), round((x + w) / scale), round((y + h) / scale)) for x, y, w, h in found
    ]
    return sorted(boxes, key=lambda box: box[2] - box[0], reverse=True)


def _the_face(image: Image.Image) -> tuple[Box, float]:
    """The one face in the photo and its eye line; ToolError no_face or several_faces."""
    # The engine's quick face search first (default cascade on a small copy); the slower, more sensitive one only
    # when it finds no real face.
    found = [(face, *_check(image, face)) for face in detect_faces(image)]
    faces = [(face, eyes) for face, real, eyes in found if real]
    if not faces:
        found = [(face, *_check(image, face)) for face in _face_finds(image)]
        faces = [(face, eyes) for face, real, eyes in found if real]
    if not faces:
        raise ToolError(
            "no face was found: try a front-facing photo with the whole face visible and evenly lit", code="no_face"
        )
    largest = faces[0][0][2] - faces[0][0][0]
    people = [face for face, _ in faces if face[2] - face[0] >= _OTHER_FACE * largest]
    if len(people) > 1:
        raise ToolError(
            f"{len(people)} faces were found: an ID photo needs a photo of one person alone", code="several_faces"
        )
    return faces[0]


def _crown(alpha: np.ndarray, face: Box, eyes: float, offset: tuple[float, float], scale: float) -> float | None:
    """The top of the hair above the face's middle half, from the cut-out's alpha (None when it is not plausible)."""
    left, top, right, bottom = face
    size = bottom - top
    quarter = (right - left) / 4
    columns = slice(max(0, round((left + quarter - offset[0]) * scale)), round((right - quarter - offset[0]) * scale))
    solid = alpha[:, columns] >= 128
    has = solid.any(axis=0)
    if not has.any():
        return None
    tops = np.argmax(solid, axis=0)[has]
    crown = float(np.percentile(tops, 20)) / scale + offset[1]
    if not eyes - 1.4 * size <= crown <= eyes - 0.55 * size:
        return None
    return crown


def _top_edge(spec: IdSpec, height: int, eyes: float, crown: float, scale: float) -> float:
    """Where the photo's top edge falls in the picture: the eye line or the top margin where the spec puts it."""
    if spec.eyes_from_bottom_mm is not None:
        return eyes - (height - spec.px(sum(spec.eyes_from_bottom_mm) / 2)) / scale
    assert spec.top_margin_mm is not None
    return crown - spec.px(spec.top_margin_mm) / scale


def _photo(image: Image.Image, spec: IdSpec, progress: Progress) -> tuple[Image.Image, list[str]]:
    width, height = spec.pixels
    face, eyes = _the_face(image)
    progress(20, "placing the head")
    left, top, right, bottom = face
    size = bottom - top
    chin = chin_of(face)
    target_head = spec.px(sum(spec.head_mm) / 2)
    centre_x = (left + right) / 2
    rough_crown = eyes - _CROWN_ABOVE_EYES * size
    rough = target_head / (chin - rough_crown)
    rough_top = _top_edge(spec, height, eyes, rough_crown, rough)
    # The person is cut out of a head-and-shoulders window only (less clutter, less work), which also covers
    # what the photo will show.
    window = (
        max(0, round(min(centre_x - _WINDOW_SIDES * size, centre_x - width / 2 / rough))),
        max(0, round(min(eyes - _WINDOW_UP * size, rough_top))),
        min(image.width, round(max(centre_x + _WINDOW_SIDES * size, centre_x + width / 2 / rough))),
        min(image.height, round(max(eyes + _WINDOW_DOWN * size, rough_top + height / rough))),
    )
    crop = image.crop(window)
    work_scale = min(1.0, _CUT_SIDE / max(crop.size))
    if work_scale < 1.0:
        crop = crop.resize(
            (max(1, round(crop.width * work_scale)), max(1, round(crop.height * work_scale))), Image.Resampling.BILINEAR
        )
    progress(40, "cutting out the background")
    # The face found above, in the cut-out's pixels: the cut-out need not look for it again.
    known = (
        round((left - window[0]) * work_scale),
        round((top - window[1]) * work_scale),
        round((right - window[0]) * work_scale),
        round((bottom - window[1]) * work_scale),
    )
    cut = subject_mask(crop, faces=[known])
    if "A" in crop.getbands():
        cut = ImageChops.multiply(cut, crop.getchannel("A"))
    alpha = np.asarray(cut)
    if not alpha.any():
        raise ToolError(
            "no subject was found to keep: try a photo where the subject stands out from its background",
            code="no_subject",
        )
    notes = []
    crown = _crown(alpha, face, eyes, (window[0], window[1]), crop.width / (window[2] - window[0]))
    if crown is None:
        crown = eyes - _CROWN_ABOVE_EYES * size
        notes.append("The top of the head could not be told from the background, so it was estimated from the eyes.")
    elif crown <= window[1] + 1 and window[1] == 0:
        raise ToolError(
            "the top of the head is cut off in this photo: use one with some space above the head", code="bad_input"
        )
    scale = target_head / (chin - crown)
    y0 = _top_edge(spec, height, eyes, crown, scale)
    x0 = centre_x - width / 2 / scale
    progress(70, "composing on a plain background")
    # Only the part the photo shows is resampled; a large photo is first reduced by a whole factor (box filter),
    # since an affine transform does not smooth when it shrinks.
    region = (
        max(0, int(x0) - 2),
        max(0, int(y0) - 2),
        min(image.width, int(x0 + width / scale) + 3),
        min(image.height, int(y0 + height / scale) + 3),
    )
    source = image.convert("RGB").crop(region)
    factor = max(1, int(1 / scale))
    if factor > 1:
        source = source.reduce(factor)
    person = source.transform(
        (width, height),
        Image.Transform.AFFINE,
        (1 / scale / factor, 0, (x0 - region[0]) / factor, 0, 1 / scale / factor, (y0 - region[1]) / factor),
        resample=Image.Resampling.BICUBIC,
        fillcolor=spec.background,
    )
    k = crop.width / (window[2] - window[0])
    matte = Image.fromarray(alpha).transform(
        (width, height),
        Image.Transform.AFFINE,
        (k / scale, 0, (x0 - window[0]) * k, 0, k / scale, (y0 - window[1]) * k),
        resample=Image.Resampling.BILINEAR,
        fillcolor=0,
    )
    photo = Image.new("RGB", (width, height), spec.background)
    photo.paste(person, mask=matte)
    photo.info["dpi"] = (DPI, DPI)
    if scale > 1.6:
        notes.append("The face is small in this photo, so the ID photo was enlarged and may look soft.")
    return photo, notes


def layout_sheet(photo: Image.Image) -> tuple[Image.Image, int]:
    """A 4x6 in sheet at 300 dpi with as many copies as fit (turned when that fits more) and the copy count."""
    best: tuple[int, int, int, bool] | None = None
    for landscape in (False, True):
        sheet_w, sheet_h = SHEET_SIZE[::-1] if landscape else SHEET_SIZE
        for gap in (_SHEET_GAP, 0):
            columns = (sheet_w + gap) // (photo.width + gap)
            rows = (sheet_h + gap) // (photo.height + gap)
            if best is None or columns * rows > best[0] * best[1]:
                best = (columns, rows, gap, landscape)
    assert best is not None
    columns, rows, gap, landscape = best
    sheet_w, sheet_h = SHEET_SIZE[::-1] if landscape else SHEET_SIZE
    sheet = Image.new("RGB", (sheet_w, sheet_h), (255, 255, 255))
    used_w = columns * photo.width + (columns - 1) * gap
    used_h = rows * photo.height + (rows - 1) * gap
    x0, y0 = (sheet_w - used_w) // 2, (sheet_h - used_h) // 2
    for row in range(rows):
        for column in range(columns):
            sheet.paste(photo, (x0 + column * (photo.width + gap), y0 + row * (photo.height + gap)))
    if landscape:
        sheet = sheet.transpose(Image.Transpose.ROTATE_90)
    sheet.info["dpi"] = (DPI, DPI)
    return sheet, columns * rows


def _name(country: str, spec: IdSpec) -> str:
    width, height = spec.size_mm
    if abs(width - 2 * MM_PER_INCH) < 0.01 and abs(height - 2 * MM_PER_INCH) < 0.01:
        return f"passport-{country}-2x2"
    return f"passport-{country}-{width:g}x{height:g}"


def _render(
    images: list[Image.Image], params: IdPhotoParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    spec = SPECS[params.country]
    progress(5, "finding the face")
    photo, notes = _photo(images[0], spec, progress)
    head_low, head_high = spec.head_mm
    notes.insert(
        0,
        f"{spec.label}: {photo.width}x{photo.height} pixels at {DPI} dpi, the head sized to "
        f"{sum(spec.head_mm) / 2:.1f} mm (allowed {head_low:g}-{head_high:g} mm) on a plain light background.",
    )
    outputs = [ToolOutput(_name(params.country, spec), photo)]
    if params.sheet:
        progress(90, "laying out the print sheet")
        sheet, copies = layout_sheet(photo)
        outputs.append(ToolOutput("sheet-4x6", sheet))
        notes.append(f"The 4x6 in print sheet holds {copies} copies; print it at 100% (no scaling).")
    notes.append("Check your country's rules for glasses, expression and lighting before you submit it.")
    return ToolResult(outputs=outputs, notes=notes, operation=f"{spec.label} photo")


TOOL = Tool(
    name="id-photo",
    title="ID / passport photo",
    summary="A passport or ID photo to your country's spec, plus a print sheet.",
    params=IdPhotoParams,
    render=_render,
)
