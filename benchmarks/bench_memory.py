"""Benchmark: peak memory of the web and worker processes under hostile uploads and downloads (issue 23).

Run with `.venv/bin/python benchmarks/bench_memory.py` (what `make bench` runs). It starts a real
`nanobananas serve` (uvicorn + worker) in a throwaway data dir and, one attack after another:

- ten: one guest sends one request with ten 7000x7000 one-colour PNGs (about 140 KB each) and a prompt;
- 4 guests x5: four guests at once, each sending five such files and a prompt;
- 4 guests x2: the same with two files each (within the per-request budget), so the pictures are processed;
- one hour: one guest sends two such files six times (the sixth passes the hourly budget);
- downloads: four WebP downloads at once of one stored 7000x7000 (49 MP) picture;
- edit: one edit of a 49 MP picture ("make it brighter") in the worker;
- combine: a guest puts two 49 MP pictures side by side.

For each it prints the HTTP statuses and the peak resident memory (VmHWM from /proc, reset
between attacks) of the web process and of the worker processes, next to the idle figures.
Goals: web under 500 MB and worker under 1 GB whatever arrives.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from record import Results, add_arguments  # noqa: E402
from tests.hostile_load import Answer, Client, MemoryWatch, in_parallel, solid_png  # noqa: E402
from tests.live_server import Server, start_server  # noqa: E402

WEB_GOAL_MB = 500
WORKER_GOAL_MB = 1024


def _lift_guest_quota(server: Server) -> None:
    import subprocess

    from tests.live_server import server_environment

    script = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "nanobananas.config.settings"
django.setup()
from nanobananas.accounts.models import Plan
Plan.objects.filter(code=Plan.GUEST).update(daily_images=10**6, monthly_images=10**6)
"""
    subprocess.run([sys.executable, "-c", script], env=server_environment(server.home), check=True)


def _attack(watch: MemoryWatch, results: Results, name: str, run: Callable[[], str]) -> None:
    """Run one attack (and wait for the jobs it queued), then print the peaks since the previous one."""
    watch.reset()
    started = time.perf_counter()
    outcome = run()
    seconds = time.perf_counter() - started
    watch.sample()
    web, worker = watch.peaks_mb
    after_web, after_worker = watch.resident_mb()
    verdict = "ok" if web < WEB_GOAL_MB and worker < WORKER_GOAL_MB else "MISSED"
    print(f"{name:<12} {outcome:<48} {seconds:6.1f} s  peak web {web:6.0f} MB  worker {worker:6.0f} MB  "
          f"after {after_web:4.0f}/{after_worker:4.0f} MB  {verdict}")  # fmt: skip
    results.add(f"{name}: {outcome}", f"peak web {web:.0f} MB, worker {worker:.0f} MB",
                goal=f"web < {WEB_GOAL_MB} MB, worker < {WORKER_GOAL_MB} MB", verdict=verdict)  # fmt: skip


def _code(answer: Answer) -> str:
    error = answer.body.get("error")
    return f"{answer.status} {error.get('code')}" if isinstance(error, dict) else str(answer.status)


def _finish(client: Client, answer: Answer) -> str:
    """The answer, and the job's final status when it queued one."""
    job = answer.body.get("job")
    if isinstance(job, dict):
        return f"{_code(answer)} job {client.wait_job(str(job['id']))}"
    return _code(answer)


def ten_in_one(server: Server, big: bytes) -> str:
    client = Client(server)
    return _finish(client, client.upload(client.conversation(), "make it brighter", [("p.png", big)] * 10))


def four_guests(server: Server, big: bytes, files: int) -> str:
    clients = [Client(server) for _ in range(4)]
    targets = [(client, client.conversation()) for client in clients]
    calls: list[Callable[[], object]] = [
        (lambda c=c, t=t: c.upload(t, "make it brighter", [("p.png", big)] * files)) for c, t in targets
    ]
    answers = [cast(Answer, answer) for answer in in_parallel(calls)]
    return " ".join(_finish(client, answer) for (client, _), answer in zip(targets, answers, strict=True))


def one_hour(server: Server, big: bytes) -> str:
    client = Client(server)
    conversation = client.conversation()
    answers = [client.upload(conversation, "", [("a.png", big), ("b.png", big)]) for _ in range(6)]
    return " ".join(_code(answer) for answer in answers)


def downloads(server: Server, big: bytes) -> str:
    owner = Client(server)
    sent = owner.upload(owner.conversation(), "", [("big.png", big)])
    assets = cast(dict[str, list[dict[str, str]]], sent.body.get("message") or {}).get("assets") or []
    if not assets:
        return f"upload refused: {_code(sent)}"
    url = f"/api/v1/assets/{assets[0]['id']}/content?format=webp"
    results = in_parallel([lambda: owner.download(url) for _ in range(4)])
    return " ".join(f"{status}:{size // 1024}KB" for status, size in cast(list[tuple[int, int]], results))


def edit(server: Server, big: bytes) -> str:
    owner = Client(server)
    conversation = owner.conversation()
    owner.upload(conversation, "", [("big.png", big)])
    return _finish(
        owner, owner.json("POST", f"/api/v1/conversations/{conversation}/messages", {"text": "make it brighter"})
    )


def combine(server: Server, big: bytes) -> str:
    guest = Client(server)
    conversation = guest.conversation()
    guest.upload(conversation, "", [("a.png", big), ("b.png", big)])
    path = f"/api/v1/conversations/{conversation}/messages"
    return _finish(guest, guest.json("POST", path, {"text": "put them side by side"}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    side = 1500 if args.smoke else 7000
    results = Results("memory", "Memory under hostile load", f"{side}x{side} one-colour PNGs", args.smoke)
    big = solid_png(side, side)
    with tempfile.TemporaryDirectory(prefix="nanobananas-bench-memory-") as home:
        os.environ.pop("DJANGO_SETTINGS_MODULE", None)
        # Rate limits off and a lifted image quota, so the figures measure memory, not 429s; the pixel
        # budgets stay on, since they are part of what bounds memory.
        server = start_server(Path(home), extra_env={"NANOBANANAS_RATE_LIMITS": "false"})
        _lift_guest_quota(server)
        try:
            with MemoryWatch(server) as watch:
                time.sleep(1)
                idle_web, idle_worker = watch.resident_mb()
                print(f"peak memory under hostile load; a file is a {side}x{side} one-colour PNG "
                      f"of {len(big) // 1024} KB")  # fmt: skip
                print(f"idle: web {idle_web:.0f} MB, worker {idle_worker:.0f} MB; "
                      f"goals: web < {WEB_GOAL_MB} MB, worker < {WORKER_GOAL_MB} MB")  # fmt: skip
                _attack(watch, results, "ten in one", lambda: ten_in_one(server, big))
                _attack(watch, results, "4 guests x5", lambda: four_guests(server, big, 5))
                _attack(watch, results, "4 guests x2", lambda: four_guests(server, big, 2))
                _attack(watch, results, "one hour", lambda: one_hour(server, big))
                _attack(watch, results, "downloads", lambda: downloads(server, big))
                _attack(watch, results, "edit", lambda: edit(server, big))
                _attack(watch, results, "combine", lambda: combine(server, big))
        finally:
            server.stop()
    results.write(args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
