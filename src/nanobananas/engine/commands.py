"""The `edit` and `create` commands: read, plan, run, encode, write; exit codes for people and scripts.

Exit codes: 0 written; 2 bad input or output path; 3 a generative provider is needed (nothing written);
4 the instruction was not understood (a question and suggestions are printed, nothing written);
5 the generative provider refused or answered with words only; 6 the generative provider failed.

The engine knows no providers: the caller may pass a `generative` function that does what the engine
cannot (the CLI passes one when a cloud provider is configured). It raises GenerativeFailure.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from nanobananas.engine.codecs import DEFAULT_QUALITY, encode_image, format_for_path
from nanobananas.engine.errors import EngineError, ImageInputError, NeedsProviderError, ObjectNotFoundError
from nanobananas.engine.fastpath import FAST_OPS, run_plan_fast
from nanobananas.engine.pipeline import run_plan, validate_plan
from nanobananas.engine.plan import Clarification, OutputSpec, Plan, Refusal
from nanobananas.engine.planner import PlannerContext, plan_instruction
from nanobananas.engine.safety import decode_image, probe_image

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_NEEDS_PROVIDER",
    "EXIT_OK",
    "EXIT_PROVIDER_FAILED",
    "EXIT_PROVIDER_REFUSED",
    "EXIT_UNCLEAR",
    "GenerativeCreate",
    "GenerativeEdit",
    "GenerativeFailure",
    "create_command",
    "edit_command",
    "provider_message",
]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_NEEDS_PROVIDER = 3
EXIT_UNCLEAR = 4
EXIT_PROVIDER_REFUSED = 5
EXIT_PROVIDER_FAILED = 6


class GenerativeFailure(Exception):
    """A generative provider made no image; the message is for the person, `exit_code` for scripts."""

    def __init__(self, message: str, *, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


GenerativeEdit = Callable[[Image.Image, str], Image.Image]
"""(image, instruction) -> the edited image, or GenerativeFailure."""
GenerativeCreate = Callable[[str, "tuple[int, int] | None"], Image.Image]
"""(prompt, size) -> a new image, or GenerativeFailure."""

# Above this many pixels a plan made only of the libvips fast path's ops is run there instead.
_FAST_PATH_PIXELS = 8_000_000
_SIZE = re.compile(r"\s*(\d{1,5})\s*[xX\u00d7]\s*(\d{1,5})\s*")


def provider_message(reason: str) -> str:
    """The one line printed when only a generative provider could do what was asked."""
    return f"this needs a generative image provider (set NANOBANANAS_IMAGE_PROVIDER to gemini or openai): {reason}"


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _read_input(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ImageInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImageInputError(f"{path}: is a folder, not an image file") from None
    except PermissionError:
        raise ImageInputError(f"{path}: permission denied") from None
    except OSError as error:
        raise ImageInputError(f"{path}: cannot be read ({error.strerror or error})") from None


def _check_output(path: str) -> str:
    """The output format for `path`; ImageInputError for an unknown extension or a missing folder."""
    fmt = format_for_path(path)
    folder = Path(path).parent
    if not folder.is_dir():
        raise ImageInputError(f"{path}: the folder {str(folder)!r} does not exist")
    if Path(path).is_dir():
        raise ImageInputError(f"{path}: is a folder, give a file name")
    return fmt


def _write(path: str, data: bytes) -> None:
    """Write atomically, so a failure never leaves a half-written file behind."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=".nanobananas-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ImageInputError(f"{path}: cannot be written ({error.strerror or error})") from None


def _encode(image: Image.Image, fmt: str, output: OutputSpec | None) -> bytes:
    spec = output or OutputSpec()
    return encode_image(
        image, format=fmt, quality=spec.quality, max_bytes=spec.max_bytes, strip_metadata=spec.strip_metadata
    )


def _has_transparency(image: Image.Image) -> bool:
    if image.mode != "RGBA":
        return False
    lowest, _ = image.getchannel("A").getextrema()
    return isinstance(lowest, int) and lowest < 255


def _fast(data: bytes, plan: Plan, fmt: str, pixels: int) -> bytes | None:
    """The libvips result for big images when every step and the output allow it, else None."""
    spec = plan.output or OutputSpec()
    if pixels < _FAST_PATH_PIXELS or spec.max_bytes is not None or not spec.strip_metadata or not plan.steps:
        return None
    if any(step.op not in FAST_OPS or step.region is not None for step in plan.steps):
        return None
    quality = spec.quality if spec.quality is not None else DEFAULT_QUALITY.get(fmt, 90)
    validated = validate_plan(plan)
    steps = [(operation.name, params.model_dump()) for operation, params in validated]
    return run_plan_fast(data, steps, format=fmt, quality=quality)


def _write_generated(output: str, fmt: str, make: Callable[[], Image.Image]) -> int:
    try:
        image = make()
        _write(output, _encode(image, fmt, None))
    except GenerativeFailure as failure:
        return _fail(str(failure), failure.exit_code)
    except EngineError as error:
        return _fail(str(error))
    return EXIT_OK


def edit_command(
    *, input_path: str, instruction: str, output: str, show_plan: bool, generative: GenerativeEdit | None = None
) -> int:
    """`nanobananas edit INPUT "INSTRUCTION" -o OUTPUT [--plan]`.

    The engine does what it can; with `generative`, what only a generative model can do (or words the
    planner does not know) goes there instead of exit 3 or 4."""
    try:
        fmt = _check_output(output)
        data = _read_input(input_path)
        info = probe_image(data)
    except ImageInputError as error:
        return _fail(str(error))
    outcome = plan_instruction(instruction, context=PlannerContext(image_size=(info.width, info.height)))
    if generative is not None and not isinstance(outcome, Plan):
        return _write_generated(output, fmt, lambda: generative(decode_image(data), instruction))
    if isinstance(outcome, Refusal):
        print(provider_message(outcome.reason), file=sys.stderr)
        return EXIT_NEEDS_PROVIDER
    if isinstance(outcome, Clarification):
        print(outcome.question, file=sys.stderr)
        for suggestion in outcome.suggestions:
            print(f"  try: {suggestion}", file=sys.stderr)
        return EXIT_UNCLEAR
    if show_plan:
        print(outcome.model_dump_json(indent=2))
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)
    wanted = outcome.output.format if outcome.output is not None else None
    if wanted is not None and wanted != fmt:
        print(f"note: writing {fmt.upper()} as the output file's extension says, not {wanted.upper()}", file=sys.stderr)
    try:
        encoded = _fast(data, outcome, fmt, info.width * info.height)
        if encoded is None:
            result = run_plan(decode_image(data), outcome)
            if fmt == "jpeg" and _has_transparency(result.image):
                print("note: JPEG cannot store transparency; it was filled with white (use .png)", file=sys.stderr)
            encoded = _encode(result.image, fmt, outcome.output)
        _write(output, encoded)
    except ObjectNotFoundError as error:
        # Never a guess that edits the whole picture: the person hears what was looked for.
        return _fail(str(error), EXIT_NEEDS_PROVIDER)
    except EngineError as error:
        return _fail(str(error))
    return EXIT_OK


def _parse_size(size: str) -> tuple[int, int]:
    match = _SIZE.fullmatch(size)
    if match is None:
        raise ImageInputError(f"--size must look like 1080x1350, not {size!r}")
    width, height = int(match.group(1)), int(match.group(2))
    if width < 1 or height < 1:
        raise ImageInputError(f"--size must be at least 1x1, not {size!r}")
    return width, height


def create_command(*, prompt: str, output: str, size: str | None, generative: GenerativeCreate | None = None) -> int:
    """`nanobananas create "PROMPT" -o OUTPUT [--size WxH]`. With `generative` (a configured image
    model) the model makes it, as the studio does; the built-in renderer draws designs, not photos."""
    try:
        fmt = _check_output(output)
        dimensions = _parse_size(size) if size is not None else None
    except ImageInputError as error:
        return _fail(str(error))
    if generative is not None:
        return _write_generated(output, fmt, lambda: generative(prompt, dimensions))
    from nanobananas.engine.render import render_design

    try:
        design = render_design(prompt, size=dimensions)
        _write(output, _encode(design.image, fmt, None))
    except NeedsProviderError as error:
        return _fail(provider_message(str(error)), EXIT_NEEDS_PROVIDER)
    except EngineError as error:
        return _fail(str(error))
    return EXIT_OK
