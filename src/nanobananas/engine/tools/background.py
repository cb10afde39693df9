"""remove-background and replace-background tools: the subject cut out onto transparency, or onto a colour,
a gradient, a blurred copy of the picture or another picture."""

from __future__ import annotations

from typing import Literal

from PIL import Image, ImageOps

from nanobananas.engine.errors import OperationError
from nanobananas.engine.ops._color import Color
from nanobananas.engine.ops.registry import NoParams, OpParams
from nanobananas.engine.ops.remove_background import remove_background
from nanobananas.engine.ops.replace_background import ReplaceBackgroundParams, replace_background
from nanobananas.engine.tools.base import Progress, Tool, ToolError, ToolOutput, ToolResult

__all__ = ["REMOVE", "REPLACE", "RemoveBackgroundParams", "ReplaceBackgroundToolParams", "cut_out"]

METHOD_NOTE = (
    "The subject was found on this machine with classical image analysis (subject estimate, GrabCut, edge "
    "refinement); no segmentation model was used."
)


class RemoveBackgroundParams(OpParams):
    """The background remover takes no parameters."""


class ReplaceBackgroundToolParams(OpParams):
    mode: Literal["color", "gradient", "blur", "image"] = "color"
    color: Color = "#ffffff"
    color2: Color | None = None


def cut_out(image: Image.Image) -> Image.Image:
    """The subject on transparency (RGBA); ToolError "no_subject" when nothing stands out."""
    try:
        return remove_background(image, NoParams())
    except OperationError as error:
        raise ToolError(
            "no subject was found to keep: try a photo where the subject stands out from its background",
            code="no_subject",
        ) from error


def _remove(
    images: list[Image.Image],
    params: RemoveBackgroundParams,
    mask: Image.Image | None,
    progress: Progress,
    preview: bool,
) -> ToolResult:
    progress(10, "finding the subject")
    cutout = cut_out(images[0])
    return ToolResult(outputs=[ToolOutput("cutout", cutout)], notes=[METHOD_NOTE], operation="background removed")


def _replace(
    images: list[Image.Image],
    params: ReplaceBackgroundToolParams,
    mask: Image.Image | None,
    progress: Progress,
    preview: bool,
) -> ToolResult:
    image = images[0]
    if params.mode == "image" and len(images) != 2:
        raise ToolError("the picture background needs a second image: upload the new background", code="bad_input")
    if params.mode != "image" and len(images) == 2:
        raise ToolError(
            f"a second image is only used with the picture background, not with {params.mode}", code="bad_input"
        )
    progress(10, "finding the subject")
    if params.mode == "image":
        cutout = cut_out(image)
        backdrop = ImageOps.fit(images[1].convert("RGB"), image.size, Image.Resampling.LANCZOS)
        backdrop.paste(cutout, mask=cutout.getchannel("A"))
        result = backdrop
        what = "your picture"
    else:
        op = ReplaceBackgroundParams(mode=params.mode, color=params.color, color2=params.color2)
        result = replace_background(image, op)
        what = {"color": f"the colour {params.color}", "gradient": "a gradient", "blur": "a blurred copy"}[params.mode]
    return ToolResult(
        outputs=[ToolOutput("new-background", result)],
        notes=[f"The background was replaced with {what}.", METHOD_NOTE],
        operation="background replaced",
    )


REMOVE = Tool(
    name="remove-background",
    title="Background remover",
    summary="Cut out the subject onto a transparent background (PNG).",
    params=RemoveBackgroundParams,
    render=_remove,
    slow=True,
)
REPLACE = Tool(
    name="replace-background",
    title="Background replace",
    summary="Put the subject on a colour, a gradient, a blurred background or a picture of your own.",
    params=ReplaceBackgroundToolParams,
    render=_replace,
    max_images=2,
    slow=True,
)
