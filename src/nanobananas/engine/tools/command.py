"""The `nanobananas tool` command: run one AI tool offline on image files, and read tool parameters from text.

    nanobananas tool --list
    nanobananas tool NAME INPUT [INPUT ...] -o OUT [--param key=value ...] [--mask FILE] [--preview]

One output is written to OUT (a file; for an image result its extension picks the format). Several outputs
(an ID photo and its print sheet, one picture per social format) go into OUT as a folder, or into OUT.zip.

Exit codes, as `edit`: 0 written; 2 bad input, parameter or output path (nothing written); 3 a generative
provider is needed, or the thing the tool looks for is not in the picture (no face, no subject); 5 the
generative provider refused; 6 the generative provider failed.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from nanobananas.engine.codecs import encode_image, format_for_path
from nanobananas.engine.commands import (
    EXIT_BAD_INPUT,
    EXIT_NEEDS_PROVIDER,
    EXIT_OK,
    GenerativeEdit,
    GenerativeFailure,
    _read_input,
    _write,
    provider_message,
)
from nanobananas.engine.errors import EngineError, ImageInputError
from nanobananas.engine.safety import decode_image

__all__ = ["form_value", "parse_params", "tool_command", "tools_list"]

# What the tool looked for is not in the picture: like a named thing that is not there (`edit` exits 3).
NOT_FOUND_CODES = {"no_face", "several_faces", "no_subject"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/avif": "avif"}
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _field_types(schema: dict[str, Any], name: str) -> set[str]:
    prop = schema.get("properties", {}).get(name, {})
    options = prop.get("anyOf", [prop])
    found = {str(option.get("type")) for option in options if option.get("type")}
    for option in options:
        found |= {type(value).__name__ for value in option.get("enum", [])}
        if "const" in option:
            found.add(type(option["const"]).__name__)
    return found


def form_value(schema: dict[str, Any], name: str, values: Sequence[str]) -> Any:
    """A parameter given as text (a form field, `--param key=value`) as its type in the tool's JSON
    `schema` says: "4" is 4 for a number, "true" is True for a flag, "a,b" is a list for a list; a
    value that does not fit stays text, for the tool's validation to name."""
    types = _field_types(schema, name)
    if "array" in types:
        return [part.strip() for value in values for part in value.split(",") if part.strip()]
    value = values[-1].strip() if values else ""
    if not value and "null" in types:
        return None
    if types & {"boolean", "bool"} and value.lower() in TRUE_WORDS | FALSE_WORDS:
        return value.lower() in TRUE_WORDS
    if types & {"integer", "int"} and value.lstrip("-").isdigit():
        return int(value)
    if types & {"number", "float"}:
        try:
            return float(value)
        except ValueError:
            return value
    return value


def parse_params(tool: Any, pairs: Sequence[str]) -> dict[str, Any]:
    """`key=value` texts as the tool's parameters; ImageInputError for text without "="."""
    schema = tool.params.model_json_schema()
    grouped: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ImageInputError(f"--param must look like key=value, not {pair!r}")
        grouped.setdefault(key.strip(), []).append(value)
    return {key: form_value(schema, key, values) for key, values in grouped.items()}


def tools_list(*, file: Any = None) -> int:
    """`nanobananas tool --list`: every tool, what it takes and its parameters with their defaults."""
    from nanobananas.engine.tools import TOOLS

    out = file or sys.stdout
    for tool in TOOLS.values():
        images = str(tool.min_images) if tool.min_images == tool.max_images else f"{tool.min_images}-{tool.max_images}"
        flags = [f"{images} image{'s' if tool.max_images != 1 else ''}"]
        if tool.needs_mask:
            flags.append("needs --mask")
        if tool.generative:
            flags.append("needs a generative provider")
        if tool.slow:
            flags.append("--preview")
        print(f"{tool.name:<20} {tool.title}: {tool.summary} ({', '.join(flags)})", file=out)
        for name, prop in tool.params.model_json_schema().get("properties", {}).items():
            default = prop.get("default")
            print(f"{'':<22}--param {name}=...  (default: {default!r})", file=out)
    return EXIT_OK


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _output_bytes(image: Image.Image | None, data: bytes | None, content_type: str, fmt: str | None) -> bytes:
    """The bytes of one output: its own encoding when it has one, else the image in `fmt` (PNG by default)."""
    if data is not None:
        return data
    assert image is not None
    return encode_image(image, format=fmt or "png")


def _write_outputs(outputs: list[Any], output: str) -> list[str]:
    """Write the outputs as OUT says (see the module docstring); the paths written."""
    target = Path(output)
    if len(outputs) == 1:
        [only] = outputs
        if target.is_dir():
            raise ImageInputError(f"{output}: is a folder, give a file name")
        if not target.parent.is_dir():
            raise ImageInputError(f"{output}: the folder {str(target.parent)!r} does not exist")
        fmt = None if only.data is not None else format_for_path(output)
        if only.data is not None:
            wanted = EXTENSIONS.get(only.content_type, "")
            if target.suffix.lower().lstrip(".") not in {wanted, "jpeg" if wanted == "jpg" else wanted}:
                print(f"note: the result is {wanted.upper()}; written as it is to {output}", file=sys.stderr)
        _write(output, _output_bytes(only.image, only.data, only.content_type, fmt))
        return [output]
    files = [
        (f"{item.name}.{EXTENSIONS.get(item.content_type, 'png') if item.data is not None else 'png'}", item)
        for item in outputs
    ]
    if target.suffix.lower() == ".zip":
        if not target.parent.is_dir():
            raise ImageInputError(f"{output}: the folder {str(target.parent)!r} does not exist")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as bundle:
            for name, item in files:
                bundle.writestr(name, _output_bytes(item.image, item.data, item.content_type, None))
        _write(output, buffer.getvalue())
        return [output]
    if target.exists() and not target.is_dir():
        raise ImageInputError(f"{output}: this tool makes {len(outputs)} files; give a folder or a .zip name")
    if target.is_dir() and any(target.iterdir()):
        raise ImageInputError(f"{output}: the folder is not empty; give a new or empty folder, or a .zip name")
    if not target.parent.is_dir():
        raise ImageInputError(f"{output}: the folder {str(target.parent)!r} does not exist")
    target.mkdir(exist_ok=True)
    written = []
    for name, item in files:
        _write(str(target / name), _output_bytes(item.image, item.data, item.content_type, None))
        written.append(str(target / name))
    return written


def tool_command(
    *,
    name: str,
    inputs: Sequence[str],
    output: str,
    params: Sequence[str] = (),
    mask: str | None = None,
    preview: bool = False,
    generative: GenerativeEdit | None = None,
    report: Callable[[str], None] | None = None,
) -> int:
    """`nanobananas tool NAME INPUT ... -o OUT`. With `generative` (a configured cloud provider's edit), a
    generative tool (colorize) is done there with the tool's instruction; without one it exits 3."""
    from nanobananas.engine.tools import ToolError, get_tool

    try:
        tool = get_tool(name)
        parsed = tool.parse_params(parse_params(tool, params))
        images = [decode_image(_read_input(path)) for path in inputs]
        mask_image = decode_image(_read_input(mask)) if mask is not None else None
        tool.check_inputs(images, mask_image)
        if preview and not tool.slow:
            raise ToolError(f"{tool.title} is quick and has no preview; run it without --preview", code="bad_input")
        if tool.generative:
            if generative is None:
                print(provider_message(f"{tool.title} paints new content into the picture"), file=sys.stderr)
                return EXIT_NEEDS_PROVIDER
            from nanobananas.engine.tools import ToolOutput

            made = generative(images[0], tool.prompt(parsed))
            outputs = [ToolOutput(tool.name, made)]
            notes: list[str] = []
        else:
            result = tool.run(images, parsed, mask=mask_image, preview=preview)
            outputs, notes = result.outputs, result.notes
        written = _write_outputs(outputs, output)
    except GenerativeFailure as failure:
        return _fail(str(failure), failure.exit_code)
    except ToolError as error:
        if error.code == "needs_generative_provider":
            print(provider_message(str(error)), file=sys.stderr)
            return EXIT_NEEDS_PROVIDER
        return _fail(str(error), EXIT_NEEDS_PROVIDER if error.code in NOT_FOUND_CODES else EXIT_BAD_INPUT)
    except EngineError as error:
        return _fail(str(error))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    say = report or (lambda line: print(line))
    for path in written:
        size = Path(path).stat().st_size
        say(f"wrote {path} ({size} bytes)")
    return EXIT_OK
