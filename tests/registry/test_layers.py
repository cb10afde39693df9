"""Layers point one way: a lower app never imports a higher one, and services never import their own tasks.

Every import counts, at module level or inside a function, read from the source (a lazy import is still a
dependency). The pairs below are the ones the registries broke; a new import across them fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import nanobananas

SRC = Path(nanobananas.__file__).parent

# (module or app folder, a package it must never import): the lower one asks a registry instead.
FORBIDDEN = [
    ("studio", "nanobananas.moderation"),  # the content screen: registry/screening.py
    ("privacy/export.py", "nanobananas.privacy.tasks"),  # jobs by name: registry/jobs.py
    # The data export walks the exporters of the personal data registry; it knows no app's tables.
    *(("privacy/export.py", f"nanobananas.{app}") for app in ("studio", "moderation", "billing", "tokens", "policies")),
    ("privacy/services.py", "nanobananas.privacy.tasks"),
    ("billing/services.py", "nanobananas.billing.tasks"),
    ("policies/services.py", "nanobananas.policies.tasks"),
    ("studio/services.py", "nanobananas.studio.tasks"),
    ("studio/services.py", "nanobananas.studio.video_tasks"),
    ("providers/gemini_video.py", "nanobananas.providers.gemini"),  # the provider passes itself (VideoCaller)
    ("analytics/services.py", "nanobananas.analytics.tasks"),
    # The studio's job machinery sits below the work it runs (registered by kind: studio/jobs.py).
    *(
        (f"studio/{low}.py", f"nanobananas.studio.{high}")
        for low, highs in {
            "owners": ("blobs", "jobs", "conversations", "assets", "outcomes", "videos", "services", "tools"),
            "blobs": ("jobs", "conversations", "assets", "outcomes", "videos", "services", "tools"),
            "jobs": ("conversations", "assets", "outcomes", "videos", "services", "tools", "composition"),
            "conversations": ("assets", "outcomes", "videos", "services", "tools", "composition"),
            "outcomes": ("videos", "services", "tools", "composition"),
            "videos": ("services", "tools", "composition"),
            "services": ("tools", "composition"),
            "tools": ("composition",),
        }.items()
        for high in highs
    ),
    ("studio/videos_api.py", "nanobananas.studio.api"),  # shared outputs: studio/outputs.py, studio/ranges.py
    ("registry", "nanobananas."),  # the registries import no app of the product
]


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, wherever the import stands; `from a import b` counts as a and a.b."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _files(place: str) -> list[Path]:
    target = SRC / place
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


def test_the_reader_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    from nanobananas.moderation import services\n")
    assert imported_modules(module) == {"os", "nanobananas.moderation", "nanobananas.moderation.services"}


@pytest.mark.parametrize(("place", "forbidden"), FORBIDDEN)
def test_no_import_runs_back_up(place: str, forbidden: str) -> None:
    files = _files(place)
    assert files, place
    offending = {
        f"{path.relative_to(SRC)} imports {name}"
        for path in files
        for name in imported_modules(path)
        if name == forbidden or name.startswith(forbidden if forbidden.endswith(".") else f"{forbidden}.")
    }
    assert sorted(offending) == []
