"""CLI glue for providers: `nanobananas providers [--check] [--json]`, and the generative functions
`nanobananas edit` and `create` use when a cloud image provider is configured."""

from __future__ import annotations

import json
import sys
from typing import Any

from PIL import Image

from nanobananas.engine.commands import (
    EXIT_PROVIDER_FAILED,
    EXIT_PROVIDER_REFUSED,
    GenerativeCreate,
    GenerativeEdit,
    GenerativeFailure,
)
from nanobananas.providers.base import (
    ImageProvider,
    ProviderAnsweredText,
    ProviderError,
    ProviderRefused,
)
from nanobananas.providers.http import public_url

__all__ = ["cloud_configured", "generative_functions", "providers_command"]

_CLOUD_VARIABLES = ("NANOBANANAS_GEMINI_API_KEY", "NANOBANANAS_OPENAI_API_KEY")


def cloud_configured(environ: dict[str, str]) -> bool:
    """Whether edit/create should load the settings at all (they stay Django-free and fast otherwise)."""
    chosen = environ.get("NANOBANANAS_IMAGE_PROVIDER", "")
    return chosen not in {"", "builtin"} or any(environ.get(name) for name in _CLOUD_VARIABLES)


def _quiet(percent: int, stage: str) -> None:
    """Progress is not printed by the one-shot commands."""


def _failure(exc: Exception) -> GenerativeFailure:
    if isinstance(exc, ProviderAnsweredText):
        return GenerativeFailure(f"the model answered without an image: {exc.text}", exit_code=EXIT_PROVIDER_REFUSED)
    if isinstance(exc, ProviderRefused):
        return GenerativeFailure(f"the provider refused ({exc.code}): {exc}", exit_code=EXIT_PROVIDER_REFUSED)
    return GenerativeFailure(f"the provider failed: {exc}", exit_code=EXIT_PROVIDER_FAILED)


def generative_functions() -> tuple[GenerativeEdit, GenerativeCreate] | None:
    """Edit and create functions backed by the configured generative provider, or None without one."""
    from nanobananas.providers.routing import providers_for

    provider = providers_for(None).generative
    if provider is None:
        return None

    def note(made: Any) -> None:
        print(f"note: made with {provider.label} ({made.model})", file=sys.stderr)

    def edit(image: Image.Image, instruction: str) -> Image.Image:
        try:
            made = provider.edit(image=image, instruction=instruction, progress=_quiet)
        except (ProviderRefused, ProviderAnsweredText, ProviderError) as exc:
            raise _failure(exc) from exc
        note(made)
        return made.image

    def create(prompt: str, size: tuple[int, int] | None) -> Image.Image:
        try:
            made = provider.generate(prompt=prompt, progress=_quiet, size=size)
        except (ProviderRefused, ProviderAnsweredText, ProviderError) as exc:
            raise _failure(exc) from exc
        note(made)
        return made.image

    return edit, create


def _entries() -> list[dict[str, Any]]:
    from django.conf import settings

    from nanobananas.providers.handler import image_provider
    from nanobananas.providers.planning import planner

    rows: list[dict[str, Any]] = []
    default_image, default_planner = settings.NANOBANANAS["IMAGE_PROVIDER"], settings.NANOBANANAS["PLANNER"]
    for role, aliases, load, default in (
        ("image", settings.AI_PROVIDERS, image_provider, default_image),
        ("planner", settings.PLANNERS, planner, default_planner),
    ):
        for alias, config in aliases.items():
            options = config.get("OPTIONS", {})
            row: dict[str, Any] = {
                "role": role,
                "alias": alias,
                "default": alias == default,
                "base_url": public_url(options["base_url"]) if options.get("base_url") else "",
                "key": "set" if options.get("api_key") else "",
            }
            try:
                backend = load(alias)
            except Exception as exc:  # a broken alias is reported, not fatal to the listing
                row.update({"error": f"cannot load: {exc}"})
            else:
                row.update(backend.describe())
                row["instance"] = backend
            rows.append(row)
    return rows


def providers_command(*, check: bool, as_json: bool) -> int:
    """List what is configured; with --check, make each answer a cheap call. Exit 1 if any is broken."""
    rows = _entries()
    broken = False
    for row in rows:
        backend: ImageProvider | Any = row.pop("instance", None)
        if "error" in row:
            broken = True
            continue
        if check and backend is not None:
            try:
                row["check"] = backend.check()
            except ProviderError as exc:
                row["check"], broken = f"error: {exc}", True
            except Exception as exc:
                row["check"], broken = f"error: {type(exc).__name__}: {exc}", True
    if as_json:
        print(json.dumps(rows, indent=2, sort_keys=True))
    else:
        for row in rows:
            marker = "*" if row["default"] else " "
            title = f"{marker} {row['role']:<7} {row['alias']:<10}"
            if "error" in row:
                print(f"{title} ERROR {row['error']}")
                continue
            where = "third-party" if row.get("third_party") else "this server"
            details = [row.get("model") or "-", where]
            if row.get("capabilities"):
                details.append("+".join(row["capabilities"]))
            if row["base_url"]:
                details.append(f"at {row['base_url']}")
            if row["key"]:
                details.append("key set")
            print(f"{title} {', '.join(details)}")
            if "check" in row:
                print(f"      {row['check']}")
        print("(* = used by default; keys are never shown)")
    return 1 if broken else 0
