"""Where benchmarks put their figures: one JSON file per benchmark, gathered into benchmarks/results.md.

Every benchmark takes `--smoke` (a small size that only proves it still runs: CI runs it through
tests/benchmarks/test_smoke.py) and `--results DIR` (default benchmarks/results). `make bench` runs
every benchmark at its full size, then `python benchmarks/record.py`, which writes benchmarks/results.md
from the JSON files: the page docs/performance.md links to, so no figure is typed in by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["RESULTS", "Results", "add_arguments", "main", "render"]

BENCHMARKS = Path(__file__).resolve().parent
RESULTS = BENCHMARKS / "results"
PAGE = BENCHMARKS / "results.md"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--smoke", action="store_true", help="a small size that checks the benchmark still runs")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"folder for the JSON results ({RESULTS})")


@dataclass
class Results:
    """The figures of one benchmark run: rows of what was measured, the value, its goal and the verdict."""

    name: str
    title: str
    size: str
    smoke: bool
    rows: list[dict[str, str]] = field(default_factory=list)

    def add(self, what: str, value: str, *, goal: str = "", verdict: str = "") -> None:
        self.rows.append({"what": what, "value": value, "goal": goal, "verdict": verdict})

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.name}.json"
        document = {
            "name": self.name,
            "title": self.title,
            "size": self.size,
            "smoke": self.smoke,
            "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
            "rows": self.rows,
        }
        path.write_text(json.dumps(document, indent=2) + "\n")
        return path


def render(folder: Path) -> str:
    """The results page: one table per benchmark, in file-name order."""
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python benchmarks/record.py` from the JSON files in benchmarks/results/);",
        "do not edit by hand. What each benchmark does and how it measures: benchmarks/README.md.",
    ]
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text())
        smoke = " — smoke size, not comparable" if document["smoke"] else ""
        lines += [
            "",
            f"## {document['title']} (`{document['name']}`)",
            "",
            f"{document['size']}; {document['machine']}; {document['measured_at']}{smoke}",
            "",
            "| measured | value | goal | verdict |",
            "|---|---|---|---|",
        ]
        lines += [f"| {r['what']} | {r['value']} | {r['goal']} | {r['verdict']} |" for r in document["rows"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the results page from the benchmarks' JSON files.")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"folder of JSON results ({RESULTS})")
    parser.add_argument("--page", type=Path, default=PAGE, help=f"page to write ({PAGE})")
    args = parser.parse_args(argv)
    if not sorted(args.results.glob("*.json")):
        print(f"no results in {args.results}", file=sys.stderr)
        return 1
    args.page.write_text(render(args.results))
    print(f"wrote {args.page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
