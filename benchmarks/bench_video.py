"""Benchmarks: AI Video render speed and memory (issue 15).

Run with `.venv/bin/python benchmarks/bench_video.py` (what `make bench` runs). Each render runs in its
own process, and its wall time, CPU time and peak RSS come from os.wait4 on that process:

- a 10 s 720p Ken Burns zoom (30 fps) of a 6 MP photo: frames per second and times real time (goal: 2x or
  faster, that is 60 fps or more, on this machine's 2 cores);
- a 15 s 1080p slideshow of five 6 MP photos (stored as JPEG and decoded in the render's process, as a
  worker does): peak resident memory (goal under 400 MB; frames stream into
  the encoder, so the length does not matter);
- the same slideshow at 5 s, to show the peak does not grow with the length;
- a 6 s 720p animated poster and the 480-wide preview of the zoom's first second, for the page's live preview.

It always exits 0; a missed goal is printed as MISSED.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from record import Results, add_arguments  # noqa: E402
from run import make_photo  # noqa: E402

REAL_TIME_GOAL = 2.0
MEMORY_GOAL_MB = 400

# One render in a child process that decodes the stored JPEGs as a worker would: its peak counts all it holds.
CHILD = """
import tempfile, time
from PIL import Image
from nanobananas.engine.video import VideoSpec, preview_video, render_video
motion, seconds, width, height, count, folder, preview = {args!r}
design = None
if motion == "poster":
    from nanobananas.engine.render import render_design
    made = render_design("a poster for a jazz night at the blue note, friday 9pm")
    pictures, design = [made.image], made.spec.model_dump(mode="json")
else:
    pictures = []
    for index in range(count):
        stored = Image.open(f"{{folder}}/{{index}}.jpg")
        stored.load()
        pictures.append(stored)
spec = VideoSpec(motion=motion, seconds=seconds, width=width, height=height, fps=30)
with tempfile.TemporaryFile() as out:
    started = time.perf_counter()
    if preview:
        info = preview_video(spec, pictures, out, design=design)
    else:
        info = render_video(spec, pictures, out, design=design)
    elapsed = time.perf_counter() - started
    print(info.frames, elapsed, out.tell())
"""


def run_child(motion: str, seconds: float, size: tuple[int, int], count: int, folder: Path, *, preview: bool = False
              ) -> tuple[int, float, int, float, float]:  # fmt: skip
    """Render in a child process: (frames, render seconds, bytes, CPU seconds, peak RSS MB)."""
    code = CHILD.format(args=(motion, seconds, *size, count, str(folder), preview))
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=REPO, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the {motion} render failed (exit {process.returncode})")
    frames, elapsed, written = output.split()
    return int(frames), float(elapsed), int(written), usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    side = 600 if args.smoke else 3000
    folder = Path(tempfile.mkdtemp(prefix="bench-video-"))
    try:
        for index in range(5):
            make_photo((side, side * 2 // 3), seed=index).save(folder / f"{index}.jpg", quality=90)
        results = measure(folder, smoke=args.smoke, side=side)
    finally:
        shutil.rmtree(folder)
    results.write(args.results)
    return 0


def measure(folder: Path, *, smoke: bool, side: int) -> Results:
    if smoke:
        hd, full, long_s, short_s, zoom_s = (320, 180), (480, 270), 2.0, 2.0, 2.0
    else:
        hd, full, long_s, short_s, zoom_s = (1280, 720), (1920, 1080), 15.0, 5.0, 10.0
    results = Results("video", "AI Video renders", f"{side}x{side * 2 // 3} photos, 30 fps, one process each", smoke)

    frames, elapsed, written, cpu, peak = run_child("zoom_in", zoom_s, hd, 1, folder)
    fps = frames / elapsed
    ratio = zoom_s / elapsed
    verdict = "ok" if ratio >= REAL_TIME_GOAL else "MISSED"
    print(f"Ken Burns {zoom_s:g} s {hd[0]}x{hd[1]}: {elapsed:.2f} s, {fps:.0f} fps, x{ratio:.1f} real time, "
          f"CPU {cpu:.1f} s, {written / 1e6:.1f} MB, peak {peak:.0f} MB {verdict}")  # fmt: skip
    results.add(f"Ken Burns zoom, {zoom_s:g} s at {hd[1]}p", f"{elapsed:.2f} s ({fps:.0f} fps, x{ratio:.1f} real time)",
                goal=f">= x{REAL_TIME_GOAL:g} real time", verdict=verdict)  # fmt: skip

    for seconds in (long_s, short_s):
        frames, elapsed, written, cpu, peak = run_child("slideshow", seconds, full, 5, folder)
        verdict = "ok" if peak < MEMORY_GOAL_MB else "MISSED"
        print(f"slideshow of 5, {seconds:g} s {full[0]}x{full[1]}: {elapsed:.2f} s ({frames / elapsed:.0f} fps), "
              f"peak {peak:.0f} MB {verdict}")  # fmt: skip
        results.add(f"slideshow of 5 photos, {seconds:g} s at {full[1]}p: peak memory",
                    f"{peak:.0f} MB ({elapsed:.1f} s, {frames / elapsed:.0f} fps)",
                    goal=f"< {MEMORY_GOAL_MB} MB", verdict=verdict)  # fmt: skip

    frames, elapsed, written, cpu, peak = run_child("poster", short_s, hd, 1, folder)
    print(f"animated poster {short_s:g} s {hd[0]}x{hd[1]}: {elapsed:.2f} s ({frames / elapsed:.0f} fps)")
    results.add(f"animated poster, {short_s:g} s at {hd[1]}p", f"{elapsed:.2f} s ({frames / elapsed:.0f} fps)")

    frames, elapsed, written, cpu, peak = run_child("zoom_in", 6.0, hd, 1, folder, preview=True)
    print(f"preview (first second, 480 wide): {elapsed:.2f} s")
    results.add("preview of a zoom (first second, 480 px wide)", f"{elapsed:.2f} s")
    return results


if __name__ == "__main__":
    raise SystemExit(main())
