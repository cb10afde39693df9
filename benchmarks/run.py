"""Benchmarks: the engine against ImageMagick on a 24 MP photo, planner speed, per-op speed."""

# Run with `.venv/bin/python benchmarks/run.py` (what `make bench` runs); `compare` or `ops`
# runs one part. Every measured command runs in its own process, and its wall time, CPU time
# and peak RSS come from os.wait4 on that process.

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import PIL
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import Results, add_arguments

__all__ = ["main"]

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO.parent / "shared" / "engine-dev-set.yaml"

PHOTO_SIZE = (6000, 4000)
ORIENTATION = 6  # a portrait phone photo: stored landscape, displayed 4000x6000
TARGET_WIDTH = 2048
BRIGHTNESS = 0.10
CONTRAST = 0.10
SHARPEN_SIGMA = 1.0
SHARPEN_AMOUNT = 1.0
QUALITY = 85
RUNS = 5

TIME_TARGET = 3.0
MEMORY_TARGET = 0.5
PLAN_LIMIT_MS = 5.0
OP_LIMIT_MS = 300.0
STYLIZE_LIMIT_MS = 1500.0
STYLIZATION_OPS = frozenset({"pencil_sketch", "charcoal", "cartoon", "oil_painting", "watercolor", "halftone"})

# The chain in the words the CLI plans it from (checked: the same four steps and quality 85).
INSTRUCTION = (
    "resize to 2048 pixels wide, then make it 10% brighter, increase the contrast by 10%, "
    "sharpen it and save at quality 85"
)
CHAIN_STEPS: list[tuple[str, dict[str, Any]]] = [
    ("resize", {"width": TARGET_WIDTH}),
    ("brightness", {"amount": BRIGHTNESS}),
    ("contrast", {"amount": CONTRAST}),
    ("sharpen", {"amount": SHARPEN_AMOUNT, "radius": SHARPEN_SIGMA}),
]


@dataclass(frozen=True)
class Command:
    """One measured command, the file it writes, and its environment (None: inherit)."""

    label: str
    argv: list[str]
    output: Path
    env: dict[str, str] | None = None


@dataclass(frozen=True)
class Measurement:
    """Best wall time, CPU time of that run, and the largest peak RSS over the runs."""

    command: Command
    seconds: float
    cpu_seconds: float
    peak_mb: float


# ---------------------------------------------------------------- test picture


def make_photo(size: tuple[int, int], seed: int = 24) -> Image.Image:
    """A photographic-looking picture: sky and ground gradients, soft texture, shapes, grain."""
    width, height = size
    rng = np.random.default_rng(seed)
    horizon = int(height * 0.6)
    rows = np.arange(height, dtype=np.float32)[:, None]
    sky_t = np.clip(rows / horizon, 0, 1)
    ground_t = np.clip((rows - horizon) / max(1, height - horizon), 0, 1)
    in_sky = rows < horizon
    texture = np.asarray(
        Image.fromarray(rng.integers(0, 255, (24, 36), dtype=np.uint8)).resize(size, Image.Resampling.BICUBIC),
        dtype=np.float32,
    )
    texture = (texture - 128) * 0.2
    channels = []
    for sky_top, sky_low, ground_near, ground_far in (
        (70, 200, 95, 60),
        (120, 212, 110, 85),
        (200, 235, 60, 40),
    ):
        sky = sky_top + (sky_low - sky_top) * sky_t
        ground = ground_far + (ground_near - ground_far) * ground_t
        base = np.where(in_sky, sky, ground) + texture
        grain = rng.standard_normal((height, width), dtype=np.float32) * 5
        channels.append(np.clip(base + grain, 0, 255).astype(np.uint8))
    photo = Image.fromarray(np.dstack(channels))
    shapes = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    draw.ellipse((width * 0.7, height * 0.1, width * 0.8, height * 0.25), fill=(255, 230, 170, 230))
    draw.polygon(
        [(0, horizon), (width * 0.3, height * 0.4), (width * 0.55, horizon)],
        fill=(70, 90, 110, 200),
    )
    for index in range(12):
        left = width * (0.05 + index * 0.075)
        top = horizon - height * (0.05 + 0.12 * rng.random())
        tone = int(rng.integers(60, 200))
        draw.rectangle(
            (left, top, left + width * 0.05, horizon + height * 0.02), fill=(tone, tone - 20, tone - 40, 255)
        )
    shapes = shapes.filter(ImageFilter.GaussianBlur(2))
    photo.paste(shapes, mask=shapes.getchannel("A"))
    return photo


def write_test_photos(workdir: Path, size: tuple[int, int]) -> dict[int, Path]:
    """The same picture (24 MP at full size) saved as q92 JPEGs with EXIF orientation 6 and 1."""
    photo = make_photo(size)
    paths: dict[int, Path] = {}
    for orientation in (ORIENTATION, 1):
        exif = Image.Exif()
        exif[0x0112] = orientation
        exif[0x010F] = "BenchmarkCamera"
        paths[orientation] = workdir / f"photo-24mp-orientation-{orientation}.jpg"
        photo.save(paths[orientation], "JPEG", quality=92, exif=exif.tobytes())
    return paths


# ---------------------------------------------------------------- measuring


# Linux carries the peak RSS of a process across fork and exec, so a child forked from this
# (large) process would report at least this process's size. Each measured command is
# therefore started by a small fresh interpreter that only forks, waits and reports.
_MEASURE = """
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
elapsed = time.perf_counter() - started
print(os.waitstatus_to_exitcode(status), elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def measure(commands: list[Command], rounds: int) -> list[Measurement]:
    """`rounds` rounds, each running every command once, so that load from anything else on the
    machine falls on all of them alike; best wall time, largest peak RSS (ru_maxrss)."""
    runs: dict[int, list[tuple[float, float, float]]] = {index: [] for index in range(len(commands))}
    for _ in range(rounds):
        for index, command in enumerate(commands):
            completed = subprocess.run(
                [sys.executable, "-c", _MEASURE, *command.argv],
                env=command.env,
                capture_output=True,
                text=True,
                check=False,
            )
            fields = completed.stdout.split()
            if len(fields) != 4 or fields[0] != "0":
                raise SystemExit(f"{command.label} failed: {' '.join(command.argv)}\n{completed.stderr}")
            # ru_maxrss is in kilobytes on Linux
            runs[index].append((float(fields[1]), float(fields[2]), int(fields[3]) / 1024))
    results = []
    for index, command in enumerate(commands):
        seconds, cpu_seconds, _ = min(runs[index])
        peak_mb = max(peak for _, _, peak in runs[index])
        results.append(Measurement(command, seconds, cpu_seconds, peak_mb))
    return results


# The measured engine processes import only what the engine needs (not this script's
# numpy/PIL picture generator): argv is source, target, quality, steps as JSON.
ENGINE_CHAIN = """
import json, sys
from pathlib import Path
from nanobananas.engine.fastpath import run_plan_fast
source, target, quality, steps = sys.argv[1:]
output = run_plan_fast(Path(source).read_bytes(), json.loads(steps), format="jpeg", quality=int(quality))
if output is None:
    sys.exit("the fast path declined the benchmark chain")
Path(target).write_bytes(output)
"""

PILLOW_CHAIN = """
import json, sys
from pathlib import Path
from nanobananas.engine.codecs import encode_image
from nanobananas.engine.pipeline import run_plan
from nanobananas.engine.plan import OpCall, Plan
from nanobananas.engine.safety import decode_image
source, target, quality, steps = sys.argv[1:]
calls = [OpCall(op=name, params=params) for name, params in json.loads(steps)]
image = run_plan(decode_image(Path(source).read_bytes()), Plan(steps=calls, planner_version="benchmark")).image
Path(target).write_bytes(encode_image(image, format="jpeg", quality=int(quality)))
"""


def chain_command(label: str, script: str, source: Path, target: Path) -> Command:
    argv = [sys.executable, "-c", script, str(source), str(target), str(QUALITY), json.dumps(CHAIN_STEPS)]
    return Command(label, argv, target)


def contrast_pivot(source: Path) -> int:
    """The mean grey the engine's contrast step pivots around (rounded BT.601 average).

    ImageMagick 6 cannot feed a computed statistic into -function, so it gets this
    number as a constant: it does the same arithmetic and skips the averaging pass.
    """
    from nanobananas.engine.fastpath import run_plan_fast

    brightened = run_plan_fast(source.read_bytes(), CHAIN_STEPS[:2], format="png", quality=QUALITY)
    assert brightened is not None
    grey = Image.open(io.BytesIO(brightened)).convert("L")
    return int(np.asarray(grey, dtype=np.float64).mean() + 0.5)


def imagemagick_command(source: Path, target: Path, pivot: int) -> list[str]:
    """The same chain in ImageMagick 6: brightness is a multiply, contrast a linear map
    around the engine's pivot, sharpen the same unsharp mask (sigma, gain 1, threshold 0)."""
    factor = 1 + CONTRAST
    offset = -CONTRAST * pivot / 255
    return [
        "convert",
        str(source),
        "-auto-orient",
        "-resize",
        f"{TARGET_WIDTH}x",
        "-evaluate",
        "multiply",
        f"{1 + BRIGHTNESS}",
        "-function",
        "polynomial",
        f"{factor:.4f},{offset:.6f}",
        "-unsharp",
        f"0x{SHARPEN_SIGMA}+{SHARPEN_AMOUNT}+0",
        "-strip",
        "-quality",
        str(QUALITY),
        str(target),
    ]


def grey_mean(path: Path) -> tuple[tuple[int, int], float]:
    with Image.open(path) as image:
        return image.size, float(np.asarray(image.convert("L"), dtype=np.float64).mean())


def psnr(first: Path, second: Path) -> float:
    """Peak signal-to-noise ratio between two outputs: above ~40 dB they look the same."""
    with Image.open(first) as a, Image.open(second) as b:
        difference = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    return float(10 * np.log10(255**2 / max(1e-12, float((difference**2).mean()))))


# Debian's policy.xml caps ImageMagick's pixel memory at 256 MiB, so the auto-oriented copy
# of a 24 MP photo goes to a memory-mapped file. It is measured both with that policy and with
# a relaxed one (MAGICK_CONFIGURE_PATH pointing at a policy that allows 4 GiB), and the ratios
# are taken against whichever ImageMagick run was faster and whichever used less memory.
RELAXED_POLICY = """<policymap>
  <policy domain="resource" name="memory" value="4GiB"/>
  <policy domain="resource" name="map" value="4GiB"/>
</policymap>
"""


def print_rows(rows: list[Measurement]) -> None:
    print(f"{'':36}{'time':>9}{'CPU':>9}{'peak RSS':>12}   output")
    for row in rows:
        (out_width, out_height), mean = grey_mean(row.command.output)
        print(
            f"{row.command.label:36}{row.seconds:>8.3f}s{row.cpu_seconds:>8.2f}s{row.peak_mb:>9.1f} MB"
            f"   {out_width}x{out_height}, mean grey {mean:.1f}, {row.command.output.stat().st_size / 1000:.0f} KB"
        )


def ratios(imagemagick: list[Measurement], engine: Measurement) -> tuple[float, float]:
    time_ratio = min(m.seconds for m in imagemagick) / engine.seconds
    memory_ratio = engine.peak_mb / min(m.peak_mb for m in imagemagick)
    return time_ratio, memory_ratio


def run_comparison(workdir: Path, size: tuple[int, int], rounds: int, results: Results) -> list[str]:
    width, height = size
    print(f"generating a {width}x{height} photo, saved as JPEG q92 with EXIF orientation {ORIENTATION} and 1 ...")
    sources = write_test_photos(workdir, size)
    source, upright = sources[ORIENTATION], sources[1]
    print(f"  {source.stat().st_size / 1e6:.1f} MB each", flush=True)
    policy_dir = workdir / "relaxed-policy"
    policy_dir.mkdir()
    (policy_dir / "policy.xml").write_text(RELAXED_POLICY)
    relaxed_env = {**os.environ, "MAGICK_CONFIGURE_PATH": str(policy_dir)}
    pivot, upright_pivot = contrast_pivot(source), contrast_pivot(upright)

    def out(name: str) -> Path:
        return workdir / f"{name}.jpg"

    commands = [
        Command("ImageMagick convert (Debian policy)", imagemagick_command(source, out("im"), pivot), out("im")),
        Command(
            "ImageMagick convert (relaxed policy)",
            imagemagick_command(source, out("im-relaxed"), pivot),
            out("im-relaxed"),
            relaxed_env,
        ),
        chain_command("engine (libvips fast path)", ENGINE_CHAIN, source, out("engine")),
        Command(
            "ImageMagick convert (Debian policy)",
            imagemagick_command(upright, out("im-upright"), upright_pivot),
            out("im-upright"),
        ),
        chain_command("engine (libvips fast path)", ENGINE_CHAIN, upright, out("engine-upright")),
    ]
    # For reference, not in the ratios: the Pillow pipeline the fast path stands in for, and the
    # whole CLI, which also plans the English instruction and imports every op.
    cli = REPO / ".venv" / "bin" / "nanobananas"
    for extra in (
        chain_command("engine (Pillow pipeline, reference)", PILLOW_CHAIN, source, out("pillow")),
        Command(
            "nanobananas edit (CLI, reference)",
            [str(cli), "edit", str(source), INSTRUCTION, "-o", str(out("cli"))],
            out("cli"),
        ),
    ):
        trial = subprocess.run(extra.argv, capture_output=True, text=True, check=False)
        if trial.returncode == 0:
            commands.append(extra)
        else:
            print(f"({extra.label} not measured: {(trial.stderr.strip().splitlines() or [''])[-1]})")
    print("ImageMagick:", " ".join(commands[0].argv))
    print(f"engine:      run_plan_fast(data, {CHAIN_STEPS}, format='jpeg', quality={QUALITY})")
    print(f"measuring {len(commands)} commands, {rounds} interleaved rounds ...", flush=True)
    measured = measure(commands, rounds)
    imagemagick, engine, upright_rows = measured[:2], measured[2], measured[3:5]

    print()
    print(
        f"chain: auto-orient, resize to {TARGET_WIDTH} wide, brightness +10%, contrast +10%, "
        f"sharpen (sigma {SHARPEN_SIGMA}), JPEG q{QUALITY}; best of {rounds}, {os.cpu_count()} CPUs"
    )
    print(f"photo with EXIF orientation {ORIENTATION} (stored {width}x{height}, shown {height}x{width}):")
    print_rows(measured[:3] + measured[5:])
    print(f"engine vs ImageMagick output: PSNR {psnr(out('engine'), out('im')):.1f} dB")
    time_ratio, memory_ratio = ratios(imagemagick, engine)
    time_ok = "OK" if time_ratio >= TIME_TARGET else "MISSED"
    memory_ok = "OK" if memory_ratio <= MEMORY_TARGET else "MISSED"
    print(f"time ratio   ImageMagick / engine = {time_ratio:.2f}x  (target >= {TIME_TARGET:g})  {time_ok}")
    print(f"memory ratio engine / ImageMagick = {memory_ratio:.2f}   (target <= {MEMORY_TARGET:g})  {memory_ok}")
    # ImageMagick's OpenMP threads lose more wall time than libvips when other work shares the
    # CPUs; the CPU-time ratio is the load-independent cross-check.
    cpu_ratio = min(m.cpu_seconds for m in imagemagick) / engine.cpu_seconds
    print(f"CPU-time ratio ImageMagick / engine = {cpu_ratio:.2f}x (load average now {os.getloadavg()[0]:.1f})")
    print()
    print("the same photo upright (EXIF orientation 1), so nothing needs turning:")
    print_rows(upright_rows)
    upright_time, upright_memory = ratios(upright_rows[:1], upright_rows[1])
    print(f"time ratio {upright_time:.2f}x, memory ratio {upright_memory:.2f}")
    results.add("ImageMagick, best", f"{min(m.seconds for m in imagemagick):.3f} s, "
                f"{min(m.peak_mb for m in imagemagick):.0f} MB")  # fmt: skip
    results.add("engine (libvips fast path)", f"{engine.seconds:.3f} s, {engine.peak_mb:.0f} MB")
    results.add("time ratio ImageMagick / engine", f"{time_ratio:.2f}x (CPU time {cpu_ratio:.2f}x)",
                goal=f">= {TIME_TARGET:g}x", verdict=time_ok.replace("OK", "ok"))  # fmt: skip
    results.add("memory ratio engine / ImageMagick", f"{memory_ratio:.2f}", goal=f"<= {MEMORY_TARGET:g}",
                verdict=memory_ok.replace("OK", "ok"))  # fmt: skip
    results.add("upright photo: time ratio, memory ratio", f"{upright_time:.2f}x, {upright_memory:.2f}")
    return [
        f"ImageMagick {min(m.seconds for m in imagemagick):.3f} s / {min(m.peak_mb for m in imagemagick):.0f} MB",
        f"engine {engine.seconds:.3f} s / {engine.peak_mb:.0f} MB",
        f"time ratio {time_ratio:.2f}x {time_ok} (CPU time {cpu_ratio:.2f}x)",
        f"memory ratio {memory_ratio:.2f} {memory_ok}",
        f"upright photo: {upright_time:.2f}x, {upright_memory:.2f}",
    ]


# ---------------------------------------------------------------- planner and ops


def load_dev_set() -> list[dict[str, Any]]:
    import yaml

    with DEV_SET.open() as handle:
        cases: list[dict[str, Any]] = yaml.safe_load(handle)["cases"]
    return cases


def planner_and_ops(*, cases: int | None = None, calls: int = 20) -> None:
    """Runs in its own process pinned to one CPU (see run_planner_and_ops); `cases` limits the dev-set
    cases timed (all by default), `calls` the warm planning calls per instruction."""
    try:
        from nanobananas.engine.pipeline import run_plan
        from nanobananas.engine.planner import plan_instruction
    except ImportError as missing:
        print(f"planner/pipeline not available yet ({missing}); skipped")
        return
    from nanobananas.engine.codecs import encode_image
    from nanobananas.engine.errors import EngineError
    from nanobananas.engine.plan import Plan

    image = make_photo((1024, 1024), seed=7)
    print(f"{'case':10}{'plan ms':>8}  {'op':18}{'op ms':>8}{'limit':>7}      instruction")
    worst_cold = worst_warm = 0.0
    worst_cold_case = ""
    slow: list[str] = []
    for case in load_dev_set()[:cases]:
        if "say" not in case:
            continue  # "create" cases render designs; they are not edits
        text = case["say"]
        started = time.perf_counter()
        outcome = plan_instruction(text)
        cold = (time.perf_counter() - started) * 1000
        if cold > worst_cold:
            worst_cold, worst_cold_case = cold, case["id"]
        warm = []
        for _ in range(calls):
            started = time.perf_counter()
            plan_instruction(text)
            warm.append((time.perf_counter() - started) * 1000)
        plan_ms = statistics.median(warm)
        worst_warm = max(worst_warm, plan_ms)
        head = f"{case['id']:10}{plan_ms:>8.2f}  "
        if not isinstance(outcome, Plan) or not outcome.steps:
            kind = "output settings only" if isinstance(outcome, Plan) else type(outcome).__name__.lower()
            print(f"{head}{'(' + kind + ')':41}{text}")
            continue
        try:
            runs = [run_plan(image.copy(), outcome).steps for _ in range(3)]
        except EngineError as error:
            print(f"{head}{'(failed: ' + str(error) + ')':41}{text}")
            continue
        records = runs[0]
        best = [min(step.milliseconds for step in column) for column in zip(*runs, strict=True)]
        for index, (record, milliseconds) in enumerate(zip(records, best, strict=True)):
            limit = STYLIZE_LIMIT_MS if record.op in STYLIZATION_OPS else OP_LIMIT_MS
            verdict = "ok" if milliseconds <= limit else "SLOW"
            if verdict == "SLOW":
                slow.append(f"{case['id']}:{record.op}")
            prefix = head if index == 0 else " " * len(head)
            print(f"{prefix}{record.op:18}{milliseconds:>8.1f}{limit:>7.0f} {verdict:4} {text if index == 0 else ''}")
    started = time.perf_counter()
    encoded = encode_image(image, format="jpeg", max_bytes=30_000)
    encode_ms = (time.perf_counter() - started) * 1000
    print(f"{'encode':10}{'':>8}  {'jpeg <= 30 KB':18}{encode_ms:>8.1f}         ({len(encoded)} bytes)")
    plan_ok = "OK" if worst_warm < PLAN_LIMIT_MS else "MISSED"
    print(f"slowest planning: {worst_warm:.2f} ms (median of 20 calls; target < {PLAN_LIMIT_MS:g} ms) {plan_ok}")
    print(f"slowest first call of an instruction: {worst_cold:.2f} ms ({worst_cold_case})")
    print(f"ops over their limit: {', '.join(slow) if slow else 'none'}")
    print(f"summary: planning {worst_warm:.2f} ms {plan_ok}; ops over their limit: {len(slow)}")


def run_planner_and_ops(*, smoke: bool) -> list[str]:
    """Run planner_and_ops in a process limited to one CPU; its summary lines come back."""
    if not DEV_SET.exists():
        print(f"no dev set at {DEV_SET}; skipped")
        return []
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VIPS_CONCURRENCY"):
        env[name] = "1"
    this = [sys.executable, str(Path(__file__).resolve()), "planner-and-ops", *(["--smoke"] if smoke else [])]
    completed = subprocess.run(this, env=env, capture_output=True, text=True, check=False)
    summary = []
    for line in completed.stdout.splitlines():
        if line.startswith("summary: "):
            summary.append(line.removeprefix("summary: "))
        else:
            print(line)
    if completed.returncode != 0:
        print(completed.stderr)
        print(f"(planner/op timings failed with exit status {completed.returncode})")
    return summary


def pin_to_one_cpu() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:
        pass


# ---------------------------------------------------------------- entry point


def versions() -> str:
    import pyvips

    if shutil.which("convert") is None:
        first = "ImageMagick not installed (the comparison will fail)"
    else:
        magick = subprocess.run(["convert", "-version"], capture_output=True, text=True, check=True)
        first = magick.stdout.splitlines()[0].removeprefix("Version: ")
    return (
        f"Python {platform.python_version()}, Pillow {PIL.__version__}, "
        f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}, {first}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "part",
        nargs="?",
        default="all",
        choices=["all", "compare", "ops", "planner-and-ops"],
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.part == "planner-and-ops":
        pin_to_one_cpu()
        if args.smoke:
            planner_and_ops(cases=8, calls=3)
        else:
            planner_and_ops()
        return 0
    size, rounds = ((1200, 800), 1) if args.smoke else (PHOTO_SIZE, RUNS)
    results = Results("engine", "Engine against ImageMagick, planner and single ops",
                      f"{size[0]}x{size[1]} photo, best of {rounds}", args.smoke)  # fmt: skip
    print(versions())
    summary: list[str] = []
    if args.part in ("all", "compare"):
        with tempfile.TemporaryDirectory(prefix="nanobananas-bench-") as workdir:
            summary = run_comparison(Path(workdir), size, rounds, results)
    if args.part in ("all", "ops"):
        print()
        print("planner and single-op timings on a 1024x1024 photo, one CPU")
        planner = run_planner_and_ops(smoke=args.smoke)
        for line in planner:
            results.add("planner and single ops (one CPU, dev set)", line)
        summary += planner
    if summary:
        print()
        print("summary: " + "; ".join(summary))
    results.write(args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
