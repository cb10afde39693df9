"""Every benchmark runs at its smoke size and writes its results, so `make bench` cannot break unnoticed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
# Every script in benchmarks/ is a benchmark, except the one that writes the results page; `make bench` runs
# them all but the load test, which has a target of its own (`make loadtest`: minutes per topology).
SCRIPTS = sorted(path.name for path in BENCHMARKS.glob("*.py") if path.name != "record.py")
LOADTEST = "loadtest.py"


def _imagemagick() -> bool:
    try:
        version = subprocess.run(["convert", "-version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return False
    return version.stdout.startswith("Version: ImageMagick")


def test_every_benchmark_is_run_by_make_bench() -> None:
    makefile = (BENCHMARKS.parent / "Makefile").read_text()
    recipe = makefile.split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert sorted(line.split("benchmarks/")[1] for line in recipe.splitlines() if "benchmarks/" in line) == sorted(
        [*(s for s in SCRIPTS if s != LOADTEST), "record.py"]
    )
    assert recipe.rstrip().endswith("$(PY) benchmarks/record.py")  # the page is written after every benchmark
    loadtest = makefile.split("\nloadtest:", 1)[1].split("\n\n", 1)[0]
    assert f"$(PY) benchmarks/{LOADTEST} --users $(USERS) --seconds $(SECONDS)" in loadtest
    assert loadtest.rstrip().endswith("$(PY) benchmarks/record.py")


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_benchmark_at_smoke_size_exits_0_and_writes_its_results(script: str, tmp_path: Path) -> None:
    if script == "run.py" and not _imagemagick():
        message = "ImageMagick's convert is missing (make bench-deps installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NANOBANANAS_") and k != "DJANGO_SETTINGS_MODULE"}
    results = tmp_path / "results"
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--smoke", "--results", str(results)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    [written] = results.glob("*.json")
    document = json.loads(written.read_text())
    assert (document["name"], document["smoke"]) == (written.stem, True)
    assert document["rows"], "no figures recorded"
    assert all(row["what"] and row["value"] for row in document["rows"])

    page = tmp_path / "results.md"
    record = [sys.executable, str(BENCHMARKS / "record.py"), "--results", str(results), "--page", str(page)]
    assert subprocess.run(record, capture_output=True, timeout=60, check=False).returncode == 0
    text = page.read_text()
    assert f"## {document['title']} (`{document['name']}`)" in text
    assert "smoke size, not comparable" in text
    assert f"| {document['rows'][0]['what']} | {document['rows'][0]['value']} |" in text


def test_the_results_page_needs_results(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    record = [sys.executable, str(BENCHMARKS / "record.py"), "--results", str(tmp_path), "--page", str(page)]
    completed = subprocess.run(record, capture_output=True, text=True, timeout=60, check=False)
    assert (completed.returncode, completed.stderr) == (1, f"no results in {tmp_path}\n")
    assert not page.exists()
