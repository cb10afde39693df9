"""The documentation stays true: its command lines run, its links resolve, its variables are the settings'."""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import re
import shlex
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from nanobananas.cli import _build_parser

REPOSITORY = Path(__file__).resolve().parents[2]
PAGES = [REPOSITORY / "README.md", *sorted((REPOSITORY / "docs").glob("*.md"))]
ENVIRONMENT = REPOSITORY / "src" / "nanobananas" / "config" / "environment.py"
CONFIGURATION = REPOSITORY / "docs" / "configuration.md"
NANOBANANAS = Path(sys.executable).with_name("nanobananas")

# Command lines shown in `sh` blocks that cannot run offline in a throwaway folder, each with the reason.
# Reviewed: an entry whose command no longer appears in the docs fails `test_the_skip_list_names_only_shown_commands`.
# Empty today: `make` targets (`make run` serves until stopped, `make test` is this suite, `make bench` takes
# minutes) are checked with `make -n`, which prints their commands and runs none, so none needs skipping.
SKIPPED_COMMANDS: dict[str, str] = {}

# Programs whose every command needs something this machine does not have.
SKIPPED_PROGRAMS = {
    "docker": "needs a Docker daemon, which CI machines do not run",
    "curl": "talks to a running server",
}

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_VARIABLE = re.compile(r"\bNANOBANANAS_[A-Z0-9_]*[A-Z0-9]\b")
_TEST_ONLY = "NANOBANANAS_TEST_"


def _text_outside_code_blocks(text: str) -> str:
    return _FENCE.sub("", text)


def _shown_commands(page: Path) -> list[str]:
    """Every command line of the page's `sh` blocks, in order, comments dropped and continuations joined."""
    commands = []
    for language, body in _FENCE.findall(page.read_text()):
        if language not in {"sh", "shell", "console", "bash"}:
            continue
        for line in body.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(shlex.join(words))
    return commands


def _page_commands() -> list[tuple[Path, list[str]]]:
    return [(page, commands) for page in PAGES if (commands := _shown_commands(page))]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`", "", heading.strip().lower())
    text = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    headings = re.findall(r"^#+ (.+)$", _text_outside_code_blocks(page.read_text()), re.MULTILINE)
    return {_slug(heading) for heading in headings}


def _offline_environment(home: Path) -> dict[str, str]:
    """The environment a shown command runs in: a throwaway data dir, and no cloud keys (nothing leaves)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("NANOBANANAS_") and name != "DJANGO_SETTINGS_MODULE"  # the tests' own settings
    }
    env["NANOBANANAS_HOME"] = str(home)
    return env


def _run(words: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(words, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize(
    ("page", "commands"),
    [pytest.param(page, commands, id=page.relative_to(REPOSITORY).as_posix()) for page, commands in _page_commands()],
)
def test_every_shown_command_runs(page: Path, commands: list[str], tmp_path: Path) -> None:
    """Each page's commands run in order in one throwaway folder (an edit can use the file a create wrote)."""
    env = _offline_environment(tmp_path / "var")
    ran = []
    for command in commands:
        words = shlex.split(command)
        if command in SKIPPED_COMMANDS or words[0] in SKIPPED_PROGRAMS:
            continue
        assignments = {}
        while "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
            name, value = words.pop(0).split("=", 1)
            assignments[name] = value
        here = {**env, **assignments}
        if words[0] == "make":
            result = _run(["make", "-n", *words[1:]], cwd=REPOSITORY, env=here)
        elif words[0] in {".venv/bin/nanobananas", "nanobananas"}:
            result = _run([str(NANOBANANAS), *words[1:]], cwd=tmp_path, env=here)
        elif words[:3] == [".venv/bin/python", "-m", "django"]:
            result = _run([sys.executable, *words[1:]], cwd=tmp_path, env=here)
        else:
            pytest.fail(f"{page.name}: no way to run {command!r}; add it to SKIPPED_COMMANDS with the reason")
        assert result.returncode == 0, f"{page.name}: {command!r} exited {result.returncode}:\n{result.stderr}"
        ran.append(command)
    assert ran, f"{page.name}: every shown command is skipped"


def test_the_skip_list_names_only_shown_commands() -> None:
    shown = {command for _, commands in _page_commands() for command in commands}
    assert sorted(set(SKIPPED_COMMANDS) - shown) == []


def test_the_first_poster_commands_say_what_they_wrote(tmp_path: Path) -> None:
    """The README's command-line walk-through prints what it promises."""
    env = _offline_environment(tmp_path / "var")
    commands = _shown_commands(REPOSITORY / "README.md")
    create = next(c for c in commands if " create " in f" {c} ")
    edit = next(c for c in commands if " edit " in f" {c} ")

    created = _run([str(NANOBANANAS), *shlex.split(create)[1:]], cwd=tmp_path, env=env)
    edited = _run([str(NANOBANANAS), *shlex.split(edit)[1:]], cwd=tmp_path, env=env)

    poster, bw = tmp_path / "poster.png", tmp_path / "poster-bw.jpg"
    assert created.stdout == f"wrote poster.png (1414x2000 PNG, {poster.stat().st_size} bytes) in {tmp_path}\n"
    assert edited.stdout == f"wrote poster-bw.jpg (1414x2000 JPEG, {bw.stat().st_size} bytes) in {tmp_path}\n"


def test_make_run_takes_port_and_host_from_the_command_line_only() -> None:
    # Under `make test` the sub-make would inherit MAKELEVEL and MAKEFLAGS and print "Entering directory" lines.
    inherited = {"HOST", "PORT", "MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES"}
    env = {name: value for name, value in os.environ.items() if name not in inherited}

    def served(*words: str, extra: dict[str, str] | None = None) -> str:
        result = _run(["make", "-n", "run", *words], cwd=REPOSITORY, env={**env, **(extra or {})})
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    assert served() == ".venv/bin/nanobananas serve --host 127.0.0.1 --port 8000 --no-migrate"
    assert served("PORT=8080", "HOST=0.0.0.0") == ".venv/bin/nanobananas serve --host 0.0.0.0 --port 8080 --no-migrate"
    # A login shell's HOST (the machine's name in tcsh) must not move the server.
    assert served(extra={"HOST": "example", "PORT": "1"}).endswith("--host 127.0.0.1 --port 8000 --no-migrate")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse keeps no public list of subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def _synopsis_errors(synopsis: str) -> list[str]:
    """A command-table synopsis such as `serve [--host 127.0.0.1] [--no-worker]` names a real command path
    and only options that path accepts."""
    words = shlex.split(synopsis.replace("[", " ").replace("]", " ").replace("|", " "))
    parser = _build_parser()
    path = []
    while words and (children := _subcommands(parser)):
        if words[0] not in children:
            return [f"{' '.join(path + words[:1])!r} is not a command"]
        path.append(words.pop(0))
        parser = children[path[-1]]
    known = _options(parser)
    return [f"{' '.join(path)} has no option {word}" for word in words if word.startswith("-") and word not in known]


def _quoted_commands() -> list[tuple[Path, str]]:
    """Every `nanobananas ...` command quoted in the text, and every row of the command table."""
    found = []
    for page in PAGES:
        text = _text_outside_code_blocks(page.read_text())
        for span in _INLINE_CODE.findall(text):
            for prefix in (".venv/bin/nanobananas ", "nanobananas "):
                if span.startswith(prefix):
                    found.append((page, span.removeprefix(prefix)))
                    break
    table = _text_outside_code_blocks((REPOSITORY / "docs" / "cli.md").read_text())
    found += [(REPOSITORY / "docs" / "cli.md", row) for row in re.findall(r"^\| `([^`]+)` \|", table, re.MULTILINE)]
    return found


def test_every_quoted_command_and_option_exists() -> None:
    quoted = _quoted_commands()
    errors = [f"{page.name}: {error}" for page, synopsis in quoted for error in _synopsis_errors(synopsis)]

    assert len(quoted) > 20, "the docs quote the command line often; finding none means the search broke"
    assert errors == []


def test_a_renamed_option_in_the_docs_is_caught() -> None:
    assert _synopsis_errors("serve [--host 127.0.0.1] [--port 8000]") == []
    assert _synopsis_errors("serve [--hostname 127.0.0.1]") == ["serve has no option --hostname"]
    assert _synopsis_errors("audit verify --json") == ["audit verify has no option --json"]
    assert _synopsis_errors("retention sweep") == ["'retention sweep' is not a command"]


def test_every_relative_link_and_anchor_resolves() -> None:
    broken = []
    checked = 0
    for page in PAGES:
        for target in _LINK.findall(_text_outside_code_blocks(page.read_text())):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            checked += 1
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and (linked.suffix != ".md" or anchor not in _anchors(linked)):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert checked > 30
    assert broken == []


def test_the_anchor_of_a_heading_is_githubs() -> None:
    assert _slug("Training set (operators)") == "training-set-operators"
    assert _slug("Gemini (`gemini`)") == "gemini-gemini"
    assert _slug("LLM planners (`NANOBANANAS_PLANNER=openai` or `gemini`)") == (
        "llm-planners-nanobananas_planneropenai-or-gemini"
    )


def _read_variables() -> set[str]:
    return set(_VARIABLE.findall(ENVIRONMENT.read_text()))


def test_every_variable_in_the_docs_is_read_by_the_settings() -> None:
    read = _read_variables()
    test_settings = "".join(path.read_text() for path in (REPOSITORY / "tests").glob("*.py"))
    unknown = []
    for page in PAGES:
        for name in sorted(set(_VARIABLE.findall(page.read_text()))):
            known = name in test_settings if name.startswith(_TEST_ONLY) else name in read
            if not known:
                unknown.append(f"{page.name}: {name}")

    assert len(read) > 50, "environment.py reads dozens of variables; finding few means the search broke"
    assert unknown == []


def test_every_variable_the_settings_read_is_in_the_configuration_page() -> None:
    documented = set(_VARIABLE.findall(CONFIGURATION.read_text()))

    assert sorted(_read_variables() - documented) == []


def _code_defaults() -> dict[str, str]:
    """The default of every variable read with a constant default (`_variable("NAME", 3)`), as the docs write it."""
    defaults = {}
    for node in ast.walk(ast.parse(ENVIRONMENT.read_text())):
        # `os.environ.get("NAME") or "text"`: a text default.
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
            read, default = node.values
            if (
                isinstance(read, ast.Call)
                and len(read.args) == 1
                and isinstance(read.args[0], ast.Constant)
                and isinstance(default, ast.Constant)
                and isinstance(default.value, str)
                and default.value
            ):
                defaults[read.args[0].value] = default.value
            continue
        if not (isinstance(node, ast.Call) and len(node.args) == 2 and isinstance(node.args[0], ast.Constant)):
            continue
        name = node.args[0].value
        if not (isinstance(name, str) and name.startswith("NANOBANANAS_")):
            continue
        try:
            # Defaults are constants or constant arithmetic (25 * 1024 * 1024); no builtins are reachable.
            value = eval(compile(ast.Expression(node.args[1]), "<default>", "eval"), {"__builtins__": {}})
        except NameError:
            continue  # a default computed from another setting
        if isinstance(value, bool):
            defaults[name] = str(value).lower()
        elif isinstance(value, int) and not isinstance(value, bool):
            defaults[name] = str(value)
        elif isinstance(value, str) and value:
            defaults[name] = value
    return defaults


def test_the_configuration_page_gives_the_defaults_the_code_uses() -> None:
    """The row that names a variable shows the code's default, quoted (`30`, `gpt-image-1`)."""
    rows = [line for line in CONFIGURATION.read_text().splitlines() if line.startswith("| `NANOBANANAS_")]
    defaults = _code_defaults()
    wrong = {}
    for name, default in defaults.items():
        row = next((line for line in rows if f"`{name}`" in line.split(" | ")[0]), "")
        if f"`{default}`" not in " | ".join(row.split(" | ")[1:2]):
            wrong[name] = default

    assert len(defaults) > 30
    assert wrong == {}


def test_the_table_of_contents_lists_every_page() -> None:
    contents = (REPOSITORY / "docs" / "README.md").read_text()
    listed = set(re.findall(r"\]\(([a-z0-9-]+\.md)\)", contents))
    pages = {page.name for page in PAGES if page.parent.name == "docs" and page.name != "README.md"}

    assert sorted(pages - listed) == []


# Quoted file names that are not files of this repository.
NOT_REPOSITORY_FILES = {"README.txt": "a file inside the data export archive"}
_QUOTED_FILE = re.compile(r"([\w/.-]+\.(?:py|txt|yaml|md|toml))(?:::(\w+))?")
_QUOTED_PYTHON = re.compile(r"(?:nanobananas\.)?([a-z]+(?:\.\w+)+)(?:\(.*\))?")
_APPS = {path.name for path in (REPOSITORY / "src" / "nanobananas").iterdir() if (path / "__init__.py").exists()}


def _quoted_spans() -> list[tuple[Path, str]]:
    return [(page, span) for page in PAGES for span in _INLINE_CODE.findall(page.read_text())]


def test_every_quoted_file_and_test_exists() -> None:
    """`studio/services.py`, `tests/x.py::test_y`: the file is in the repository (or the package), the test in it."""
    missing = []
    checked = 0
    for page, span in _quoted_spans():
        match = _QUOTED_FILE.fullmatch(span)
        if match is None or match.group(1) in NOT_REPOSITORY_FILES:
            continue
        checked += 1
        candidates = [REPOSITORY / match.group(1), REPOSITORY / "src" / "nanobananas" / match.group(1)]
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            missing.append(f"{page.name}: {span}")
        elif match.group(2) and f"def {match.group(2)}(" not in found.read_text():
            missing.append(f"{page.name}: {span} (no such test)")
    assert checked > 50
    assert missing == []


def test_every_quoted_python_name_exists() -> None:
    """`privacy.services.retention_sweep` imports; `accounts.Plan` is a model. Event kinds, permissions and
    file names (two lower-case parts) are not Python names and are left alone."""
    from django.apps import apps

    missing = []
    checked = 0
    for page, span in _quoted_spans():
        match = _QUOTED_PYTHON.fullmatch(span)
        if match is None or match.group(1).split(".")[0] not in _APPS:
            continue
        app, *rest = match.group(1).split(".")
        if len(rest) == 1 and rest[0][:1].isupper():
            checked += 1
            if not any(model.__name__ == rest[0] for model in apps.get_app_config(app).get_models()):
                missing.append(f"{page.name}: {span}")
        elif len(rest) >= 2:
            checked += 1
            if not _resolves(["nanobananas", app, *rest]):
                missing.append(f"{page.name}: {span}")
    assert checked > 15
    assert missing == []


def _resolves(parts: list[str]) -> bool:
    """Whether a dotted name is a module, or an attribute reached from the longest importable module."""
    for split in range(len(parts), 1, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


_ROUTE = re.compile(r"(GET|POST|PUT|PATCH|DELETE) (/api/v1/(?:\{[^}]*\}|[^\s?{])*)(?:[?\s].*)?")


def _api_routes() -> set[tuple[str, str]]:
    """(method, path) of every operation of the JSON API, path parameters written `{}`."""
    from nanobananas.config.api import api

    schema = api.get_openapi_schema()
    return {
        (method.upper(), re.sub(r"\{[^}]*\}", "{}", path))
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_quoted_api_route_exists() -> None:
    """`GET /api/v1/jobs/{id}` is an operation of the API (path parameters compared by position, not name)."""
    routes = _api_routes()
    missing = []
    checked = 0
    for page, span in _quoted_spans():
        match = _ROUTE.fullmatch(span)
        if match is None:
            continue
        method, path = match.groups()
        path = re.sub(r"\{[^}]*\}", "{}", path)
        variants = [path.replace("[", "").replace("]", ""), re.sub(r"\[.*?\]", "", path)]
        checked += 1
        if not any((method, variant) in routes for variant in variants):
            missing.append(f"{page.name}: {span}")
    assert checked > 40
    assert missing == []


def test_the_command_table_lists_every_command() -> None:
    table = _text_outside_code_blocks((REPOSITORY / "docs" / "cli.md").read_text())
    rows = {tuple(row.split()[:2]) for row in re.findall(r"^\| `([^`]+)` \|", table, re.MULTILINE)}
    listed = {row[0] for row in rows} | {" ".join(row) for row in rows}
    commands = set()
    for name, parser in _subcommands(_build_parser()).items():
        children = _subcommands(parser)
        commands |= {f"{name} {child}" for child in children} if children else {name}

    assert sorted(commands - listed) == []


def _table_rows(page: Path, first_column: str) -> list[list[str]]:
    """The rows of the table whose header starts with `| first_column |`, as lists of cells."""
    lines = page.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_column} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


_WINDOWS = {"1 min": 60, "5 min": 300, "10 min": 600, "15 min": 900, "1 h": 3600}


def test_the_rate_limit_table_is_the_codes() -> None:
    from nanobananas.accounts.ratelimits import RATE_LIMITS

    documented = {
        row[0].strip("`"): (row[1] or None, row[2], _WINDOWS[row[3]])
        for row in _table_rows(REPOSITORY / "docs" / "accounts.md", "scope")
    }
    # A guest is made by its first write, so there is no owner to count yet: only the address column applies.
    expected = {
        scope: (None if scope == "guest" else str(limit.per_owner), str(limit.per_address), limit.seconds)
        for scope, limit in RATE_LIMITS.items()
    }
    assert documented == expected


def test_the_plan_table_is_the_seeded_plans() -> None:
    from nanobananas.accounts.plans import PLAN_DEFAULTS

    documented = {row[0]: row[1:] for row in _table_rows(REPOSITORY / "docs" / "accounts.md", "plan")}
    expected = {}
    for plan in PLAN_DEFAULTS.values():
        hours = [f"{h} h" if h < 72 else f"{h // 24} days" for h in plan["retention_hours_options"]]
        if len(hours) > 1:
            hours[hours.index(f"{plan['default_retention_hours']} h")] += " (default)"
        expected[plan["name"]] = [
            str(plan["daily_images"]),
            str(plan["monthly_images"]),
            f"{plan['max_upload_bytes'] // (1024 * 1024)} MB",
            f"{plan['max_resolution']} px",
            " or ".join(hours),
        ]
    assert documented == expected


# Quoted names that are rightly nowhere in the code.
NAMES_NOT_IN_THE_CODE = {"safety_identifier": "an OpenAI request field the provider is documented never to send"}
_QUOTED_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def test_every_quoted_code_name_is_in_the_code() -> None:
    """Error codes, functions, settings and constants quoted in the docs (`quota_exceeded`, `WRITE_SCOPES`)
    are spelled as the code spells them."""
    code = " ".join(
        path.read_text()
        for folder in ("src", "tests")
        for path in (REPOSITORY / folder).rglob("*.py")
        if path != Path(__file__).resolve()  # its own lists would match anything
    )
    words = set(re.findall(r"\w+", code))
    quoted = {span for _, span in _quoted_spans() if _QUOTED_NAME.fullmatch(span)}
    missing = sorted(name for name in quoted - words if not name.startswith("NANOBANANAS_"))

    assert len(quoted) > 100
    assert [name for name in missing if name not in NAMES_NOT_IN_THE_CODE] == []


def test_the_privacy_settings_table_is_the_models() -> None:
    from django.db import models

    from nanobananas.privacy.models import PrivacySettings

    documented = {row[0].strip("`"): row[1] for row in _table_rows(REPOSITORY / "docs" / "privacy.md", "setting")}
    switches = {
        field.name: "on" if field.default else "off"
        for field in PrivacySettings._meta.get_fields()
        if isinstance(field, models.BooleanField)
    }
    assert documented == switches


# Quoted dotted names that are neither code strings, table columns, files nor modules.
DOTTED_NOT_IN_THE_CODE = {"details.why": "a key inside an audit event's details, written as details['why']"}
_DOTTED = re.compile(r"[a-z_]+\.[a-z_]+")


def test_every_quoted_event_kind_or_column_exists() -> None:
    """`privacy.settings_changed` is a string the code writes (an audit kind, a permission);
    `studio_message.sealed_text` is a table's column; else it is a file or a module's name."""
    from django.apps import apps

    sources = " ".join(path.read_text() for path in (REPOSITORY / "src").rglob("*.py"))
    columns = {
        f"{model._meta.db_table}.{field.column}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
    }
    missing = []
    checked = 0
    for page, span in _quoted_spans():
        if not _DOTTED.fullmatch(span) or span in DOTTED_NOT_IN_THE_CODE:
            continue
        checked += 1
        if f'"{span}"' in sources or f"'{span}'" in sources or span in columns or (REPOSITORY / span).is_file():
            continue
        if any(_resolves(["nanobananas", app, *span.split(".")]) for app in _APPS):
            continue
        missing.append(f"{page.name}: {span}")
    assert checked > 40
    assert missing == []
