"""Benchmarks: adjustments applied to one area of a 12 MP photo against the same op on the whole picture,
the print_size op, and planning time for area, complaint and print-size phrasings.

Run with `.venv/bin/python benchmarks/bench_regions.py` (what `make bench` runs). It prints, per op, the
best of three runs on the whole picture and in the top half, and their ratio (the cost of the feathered
mask and the blend): goal under 1 s per region op on this machine. Planning: median of 20 calls per
instruction, goal under 5 ms. It always exits 0; a missed goal is printed as MISSED.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from run import make_photo  # noqa: E402

from nanobananas.engine.pipeline import run_plan  # noqa: E402
from nanobananas.engine.plan import OpCall, Plan, Region  # noqa: E402
from nanobananas.engine.planner import plan_instruction  # noqa: E402

SIZE = (4000, 3000)
RUNS = 3
REGION_LIMIT_S = 1.0
PLAN_LIMIT_MS = 5.0
TOP_HALF = Region(boxes=[(0.0, 0.0, 1.0, 0.5)])
OPS = (
    ("brightness", {"amount": -0.2}),
    ("grayscale", {}),
    ("saturation", {"amount": 0.4}),
    ("blur", {"radius": 4.0}),
    ("sharpen", {"amount": 1.0}),
)
PHRASINGS = (
    "darken the top half",
    "make everything except the top half black and white",
    "blur the bottom right corner",
    "it's blurry, can you fix it",
    "there is way too much contrast and it looks a bit soft",
    "fit it in a square with black bars, no cropping",
    "make it 8 by 10 inches at 300 dpi",
)


def best_seconds(image: object, plan: Plan) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run_plan(image, plan)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    photo = make_photo(SIZE)
    print(f"{'op':14}{'whole s':>9}{'top half s':>12}{'ratio':>8}")
    missed = []
    for op, params in OPS:
        whole = best_seconds(photo, Plan(steps=[OpCall(op=op, params=params)], planner_version="bench"))
        area = best_seconds(photo, Plan(steps=[OpCall(op=op, params=params, region=TOP_HALF)], planner_version="bench"))
        verdict = "ok" if area <= REGION_LIMIT_S else "MISSED"
        if verdict == "MISSED":
            missed.append(op)
        print(f"{op:14}{whole:>9.3f}{area:>12.3f}{area / whole:>8.2f} {verdict}")
    printed = best_seconds(
        photo, Plan(steps=[OpCall(op="print_size", params={"width": 8, "height": 10})], planner_version="bench")
    )
    print(f"{'print_size':14}{printed:>9.3f}  (12 MP -> 3000x2400)")
    worst = 0.0
    for text in PHRASINGS:
        plan_instruction(text)
        warm = []
        for _ in range(20):
            started = time.perf_counter()
            plan_instruction(text)
            warm.append((time.perf_counter() - started) * 1000)
        median = statistics.median(warm)
        worst = max(worst, median)
        print(f"plan {median:6.2f} ms  {text}")
    plan_ok = "OK" if worst < PLAN_LIMIT_MS else "MISSED"
    print(f"summary: region ops over {REGION_LIMIT_S:g} s: {len(missed)}; slowest planning {worst:.2f} ms {plan_ok}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
