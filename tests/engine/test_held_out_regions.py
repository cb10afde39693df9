"""Our own phrasings of edits to one object or one area (tests/engine/data/held_out_regions.yaml), run in-process
and checked with the shared eval tool's checks, as the shared dev sets are (see test_dev_set.py)."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from PIL import Image
from tests.engine.test_dev_set import eval_tool

from nanobananas.engine.commands import edit_command

__all__ = ["eval_tool"]

HELD_OUT = Path(__file__).resolve().parent / "data" / "held_out_regions.yaml"
CASES = yaml.safe_load(HELD_OUT.read_text())["cases"]


def _param(case: dict[str, Any]) -> Any:
    # A known gap fails today; strict, so that the day it passes the mark must go.
    marks = [pytest.mark.xfail(reason=case["gap"], strict=True)] if "gap" in case else []
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_held_out_case(
    case: dict[str, Any], eval_tool: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expect = dict(case["expect"])
    out = tmp_path / "out.png"
    source = eval_tool.INPUTS[case["input"]]()
    source_path = tmp_path / "input.png"
    source.save(source_path)

    code = edit_command(input_path=str(source_path), instruction=case["say"], output=str(out), show_plan=False)

    err = capsys.readouterr().err
    if expect.pop("unsupported", False):
        assert code == 3
        assert not out.exists()
        assert err.strip()
        return
    assert code == 0, err
    with Image.open(out) as result, warnings.catch_warnings():
        result.load()
        warnings.simplefilter("ignore", ResourceWarning)
        failures = [
            f"{name}: {why}" for name, arg in expect.items() if (why := eval_tool.check(name, arg, source, result, out))
        ]
        gc.collect()
    assert not failures


def test_the_held_out_set_covers_the_kinds_of_request_the_issue_names() -> None:
    kinds = {case["id"].split("-")[1] for case in CASES}

    assert len(CASES) >= 40
    assert {"recolor", "should", "erase", "area", "sky", "grass", "ground", "except", "only", "add", "multi"} <= kinds
    assert {"say", "neg", "size", "missing", "gen"} <= kinds
