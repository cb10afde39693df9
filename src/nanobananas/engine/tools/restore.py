"""restore tool: an old photo cleaned up: noise removed, dust and scratches found and filled, faded colour and
contrast recovered. All classical: non-local means, morphological defect detection, inpainting, levels, CLAHE."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._pixels import on_rgb
from nanobananas.engine.ops.denoise import DenoiseParams, denoise
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.base import Progress, Tool, ToolOutput, ToolResult

__all__ = ["TOOL", "RestoreParams", "find_defects"]

# A dust speck or scratch differs from the picture smoothed around it by at least this much (0..255 brightness).
_DEFECT_CONTRAST = 40
# ... and is thin: the opening/closing that finds it uses a window this share of the shorter side (at least 5 px).
_DEFECT_WIDTH = 0.008
# ... on surroundings this smooth (standard deviation of brightness, 0..255, over three windows).
_SMOOTH = 10.0
# More than this share of the picture flagged means texture, not damage: nothing is filled then.
_MOST_DEFECTS = 0.03


class RestoreParams(OpParams):
    strength: float = Field(default=1.0, gt=0, le=3, description="how hard to denoise and recover contrast")
    scratches: bool = Field(default=True, description="find and fill dust and scratches")
    colors: bool = Field(default=True, description="recover faded colours and contrast")


def find_defects(gray: np.ndarray) -> np.ndarray:
    """A boolean mask of dust and scratches: thin marks much lighter or darker than their surroundings, where
    those surroundings are smooth (sky, skin, a wall). In texture (hair, foliage, lettering) a mark cannot be told
    from detail, so nothing there is touched: restoring must never eat the picture."""
    import cv2

    side = max(5, round(min(gray.shape) * _DEFECT_WIDTH) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    # Opening removes light marks narrower than the window, closing dark ones; a median removes film grain first.
    smooth = cv2.medianBlur(gray, 3)
    opened = cv2.morphologyEx(smooth, cv2.MORPH_OPEN, kernel)
    closed = cv2.morphologyEx(smooth, cv2.MORPH_CLOSE, kernel)
    light = smooth.astype(np.int16) - opened
    dark = closed.astype(np.int16) - smooth
    marks = ((light > _DEFECT_CONTRAST) | (dark > _DEFECT_CONTRAST)).astype(np.uint8)
    # How textured the picture is around each point once thin marks are gone.
    base = cv2.morphologyEx(opened, cv2.MORPH_CLOSE, kernel).astype(np.float32)
    window = (3 * side, 3 * side)
    mean = cv2.boxFilter(base, -1, window)
    spread = np.sqrt(np.maximum(cv2.boxFilter(base * base, -1, window) - mean * mean, 0))
    marks[spread > _SMOOTH] = 0
    # Damage is a speck (small) or a scratch (long and thin); a blob of detail is neither and is kept.
    _, labels, stats, _ = cv2.connectedComponentsWithStats(marks, connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    length = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    speck = area <= side * side
    scratch = (length >= 3 * side) & (area <= length * side / 2)
    keep = speck | scratch
    keep[0] = False
    marks = keep[labels].astype(np.uint8)
    if marks.mean() > _MOST_DEFECTS:
        return np.zeros(gray.shape, dtype=bool)
    # A little wider than what was found, so the fill starts from clean pixels.
    return cv2.dilate(marks, np.ones((3, 3), np.uint8)).astype(bool)


def _recover(rgb: np.ndarray, strength: float) -> np.ndarray:
    """Faded colour: each channel's levels stretched on its own (removing a yellow or magenta cast and lifted
    blacks), then gentle local contrast on lightness."""
    import cv2

    pixels = rgb.astype(np.float32)
    out = np.empty_like(pixels)
    for channel in range(3):
        low, high = np.percentile(pixels[..., channel], [0.5, 99.5])
        if high - low < 8:
            out[..., channel] = pixels[..., channel]
            continue
        out[..., channel] = (pixels[..., channel] - low) * (255.0 / (high - low))
    stretched = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    lab = cv2.cvtColor(stretched, cv2.COLOR_RGB2LAB)
    lab[..., 0] = cv2.createCLAHE(clipLimit=1.2 * strength, tileGridSize=(8, 8)).apply(lab[..., 0])
    return np.asarray(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB), dtype=np.uint8)


def _render(
    images: list[Image.Image], params: RestoreParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    import cv2

    image = images[0]
    notes = []
    found = 0.0

    def repair(rgb: Image.Image) -> Image.Image:
        nonlocal found
        pixels = np.asarray(rgb)
        if params.scratches:
            progress(10, "looking for dust and scratches")
            defects = find_defects(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY))
            found = float(defects.mean())
            if defects.any():
                pixels = cv2.inpaint(pixels, defects.astype(np.uint8), 3, cv2.INPAINT_TELEA)
        progress(40, "removing noise")
        cleaned = np.asarray(denoise(Image.fromarray(pixels), DenoiseParams(strength=6 * params.strength)))
        if params.colors:
            progress(70, "recovering faded colour and contrast")
            cleaned = _recover(cleaned, params.strength)
        return Image.fromarray(cleaned)

    result = on_rgb(image, repair)
    if params.scratches:
        notes.append(
            f"Filled dust and scratches over {found * 100:.2f}% of the picture."
            if found
            else "No dust or scratches stood out."
        )
    notes.append("Noise removed" + (", faded colour and contrast recovered." if params.colors else "."))
    return ToolResult(outputs=[ToolOutput("restored", result)], notes=notes, operation="old photo restored")


TOOL = Tool(
    name="restore",
    title="Old photo restore",
    summary="Clean up an old photo: dust, scratches, noise and faded colour.",
    params=RestoreParams,
    render=_render,
    slow=True,
)
