"""The AI Tools' shared types: a tool, its result and outputs, and the one error every tool raises.

    EngineError (engine/errors.py)
    +-- ToolError        .code is a stable slug the API and CLI map to a status; str(error) is a clear sentence

Codes: unknown_tool, bad_parameter (.field names the parameter), bad_input (wrong number of images, a missing
or unexpected mask, an image the tool cannot work on), no_face, several_faces, no_subject, too_large,
needs_generative_provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image
from pydantic import ValidationError

from nanobananas.engine.errors import EngineError, ImageInputError, OperationError
from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops.registry import OpParams

__all__ = [
    "PREVIEW_SIDE",
    "Progress",
    "Render",
    "Tool",
    "ToolError",
    "ToolOutput",
    "ToolResult",
    "silent",
]

Progress = Callable[[int, str], None]
# A tool's work: (images, validated params, mask, progress, preview) -> result.
Render = Callable[[list[Image.Image], Any, "Image.Image | None", Progress, bool], "ToolResult"]

# A preview is rendered from inputs no larger than this (long side): fast enough to show while the person waits.
PREVIEW_SIDE = 512


class ToolError(EngineError):
    """A tool could not do what was asked; `code` is a stable slug, the message says what to do instead."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class ToolOutput:
    """One result file: an image (stored as PNG) or, when the encoding is the result, its bytes."""

    name: str
    image: Image.Image | None
    data: bytes | None = None
    content_type: str = "image/png"


@dataclass(frozen=True)
class ToolResult:
    """What a tool run made: the outputs (the first is the main one), notes for the person, and a short
    description of the operation for the history."""

    outputs: list[ToolOutput]
    notes: list[str]
    operation: str


def silent(percent: int, message: str) -> None:
    """The progress callback used when the caller gives none."""


def _validation_error(tool: str, error: ValidationError) -> ToolError:
    problems = []
    first_field: str | None = None
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        first_field = first_field or where or None
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return ToolError(f"invalid parameters for {tool}: {'; '.join(problems)}", code="bad_parameter", field=first_field)


@dataclass(frozen=True, kw_only=True)
class Tool:
    """A one-click tool: its slug, card text, parameter model, what it takes, and how it runs."""

    name: str
    title: str
    summary: str
    params: type[OpParams]
    render: Render
    min_images: int = 1
    max_images: int = 1
    needs_mask: bool = False
    generative: bool = False
    slow: bool = False
    instruction: Callable[[Any], str] | None = None

    def parse_params(self, raw: dict[str, Any]) -> OpParams:
        """Validate raw parameters; ToolError code "bad_parameter" naming the first wrong field."""
        if not isinstance(raw, dict):
            raise ToolError(f"the parameters of {self.name} must be an object", code="bad_parameter")
        try:
            return self.params.model_validate(raw)
        except ValidationError as error:
            raise _validation_error(self.name, error) from None

    def check_inputs(self, images: list[Image.Image], mask: Image.Image | None) -> None:
        """ToolError "bad_input" for a wrong number of images or a missing or unexpected mask."""
        count = len(images)
        if not self.min_images <= count <= self.max_images:
            wanted = (
                f"{self.min_images}"
                if self.min_images == self.max_images
                else f"{self.min_images} to {self.max_images}"
            )
            noun = "image" if self.max_images == 1 else "images"
            raise ToolError(f"{self.title} takes {wanted} {noun}, not {count}", code="bad_input")
        if self.needs_mask and mask is None:
            raise ToolError(f"{self.title} needs a mask: brush over what to remove", code="bad_input")
        if not self.needs_mask and mask is not None:
            raise ToolError(f"{self.title} takes no mask", code="bad_input")

    def run(
        self,
        images: list[Image.Image],
        params: OpParams,
        *,
        mask: Image.Image | None = None,
        progress: Progress | None = None,
        preview: bool = False,
    ) -> ToolResult:
        """Run the tool on decoded images with validated params; with `preview` a slow tool renders small."""
        if not isinstance(params, self.params):
            raise ToolError(
                f"{self.name} takes {self.params.__name__}, not {type(params).__name__}", code="bad_parameter"
            )
        self.check_inputs(images, mask)
        if self.generative:
            raise ToolError(
                f"{self.title} needs a generative AI provider, and none is configured here; "
                "ask the administrator to set one up (Gemini or OpenAI)",
                code="needs_generative_provider",
            )
        report = progress or silent
        pictures = [normalize_mode(image) for image in images]
        small = preview and self.slow
        if small:
            pictures = [_shrunk(picture) for picture in pictures]
        if mask is not None:
            mask = _fitted_mask(mask.convert("L"), images[0].size).resize(pictures[0].size, Image.Resampling.NEAREST)
        try:
            result = self.render(pictures, params, mask, report, small)
        except ToolError:
            raise
        except (OperationError, ImageInputError) as error:
            raise ToolError(str(error), code="bad_input") from error
        report(100, "done")
        return result

    def prompt(self, params: OpParams) -> str:
        """The instruction a generative provider is given for this tool (generative tools only)."""
        if self.instruction is None:
            raise ToolError(f"{self.title} runs on this machine and has no provider instruction", code="bad_input")
        return self.instruction(params)


def _fitted_mask(mask: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A mask drawn at another scale (a brush on a smaller canvas) scaled to the picture; a mask of another shape
    is refused, since it cannot say which part of this picture it covers."""
    if mask.size == size:
        return mask
    if abs(mask.width / mask.height - size[0] / size[1]) > 0.01 * size[0] / size[1]:
        raise ToolError(
            f"the mask is {mask.width}x{mask.height}, which is not the shape of the {size[0]}x{size[1]} picture",
            code="bad_input",
        )
    return mask.resize(size, Image.Resampling.NEAREST)


def _shrunk(image: Image.Image) -> Image.Image:
    if max(image.size) <= PREVIEW_SIDE:
        return image
    copy = image.copy()
    copy.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
    return copy
