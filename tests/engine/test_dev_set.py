"""The shared dev set (../shared/engine-dev-set.yaml) run in-process with the eval tool's own checks."""

from __future__ import annotations

import gc
import importlib.util
import shutil
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from PIL import Image

from nanobananas.engine.commands import create_command, edit_command

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED = REPOSITORY.parent / "shared"
DEV_SET = SHARED / "engine-dev-set.yaml"
EVAL_TOOL = SHARED / "tools" / "instruction_eval.py"


def _absent(path: Path) -> str:
    """Why the dev set did not run, saying where it must be so that a newcomer can put it there."""
    return (
        f"{path} not found: the shared dev set must be in {SHARED}, a folder named 'shared' beside the "
        f"repository's folder {REPOSITORY.name}, holding engine-dev-set.yaml and tools/instruction_eval.py "
        "(see docs/testing.md)"
    )


def _cases(dev_set: Path = DEV_SET) -> list[Any]:
    if not dev_set.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=_absent(dev_set)))]
    cases = yaml.safe_load(dev_set.read_text())["cases"]
    return [pytest.param(case, id=case["id"]) for case in cases]


@pytest.fixture(scope="module")
def eval_tool() -> ModuleType:
    if not EVAL_TOOL.is_file():
        pytest.skip(_absent(EVAL_TOOL))
    spec = importlib.util.spec_from_file_location("instruction_eval", EVAL_TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("instruction_eval", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("case", _cases())
def test_dev_set_case(
    case: dict[str, Any], eval_tool: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expect = dict(case.get("expect", {}))
    if "text" in expect and shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed: the text check cannot run")
    out = tmp_path / f"{case['id']}.{case.get('output', 'png')}"
    source = None
    if "create" in case:
        code = create_command(prompt=case["create"], output=str(out), size=None)
    else:
        source = eval_tool.INPUTS[case["input"]]()
        source_path = tmp_path / "input.png"
        source.save(source_path)
        code = edit_command(input_path=str(source_path), instruction=case["say"], output=str(out), show_plan=False)
    err = capsys.readouterr().err
    if expect.pop("unsupported", False):
        assert code == 3
        assert not out.exists()
        assert "NANOBANANAS_IMAGE_PROVIDER" in err
        assert len(err.strip().splitlines()) == 1
        return
    assert code == 0, err
    with Image.open(out) as result, warnings.catch_warnings():
        result.load()
        # The tool's format check opens the file without closing it; collect that handle here, quietly.
        warnings.simplefilter("ignore", ResourceWarning)
        failures = [
            f"{name}: {why}" for name, arg in expect.items() if (why := eval_tool.check(name, arg, source, result, out))
        ]
        gc.collect()
    assert not failures


def test_without_the_shared_folder_the_skip_reason_says_where_it_must_be(tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "engine-dev-set.yaml"

    (param,) = _cases(missing)

    (mark,) = param.marks
    assert mark.name == "skip"
    assert mark.kwargs["reason"] == (
        f"{missing} not found: the shared dev set must be in {SHARED}, a folder named 'shared' beside the "
        f"repository's folder {REPOSITORY.name}, holding engine-dev-set.yaml and tools/instruction_eval.py "
        "(see docs/testing.md)"
    )
