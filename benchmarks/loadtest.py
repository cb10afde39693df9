"""Load test: simulated visitors against a real server, on the embedded default and on the scale-out topology.

Run with `make loadtest` or `.venv/bin/python benchmarks/loadtest.py [--users 50] [--seconds 180]
[--topology embedded|scale|both] [--smoke]`. Each topology is started from scratch in a throwaway data dir:

- embedded: one `nanobananas serve` (uvicorn and one worker), SQLite, the SQLite queue;
- scale: PostgreSQL (a throwaway database on NANOBANANAS_LOADTEST_POSTGRES_URL, default the local server)
  and Redis (NANOBANANAS_LOADTEST_REDIS_URL, default redis://127.0.0.1:6379/14), two `serve --no-worker`
  processes that the visitors' requests alternate between (as a round-robin load balancer would) and two
  `nanobananas worker` processes.

Each simulated user is a thread that plays one visitor after another: a guest (four in five) or a new
account (one in five, signed up through the API), who opens the AI Image page, starts a conversation,
asks for a poster, uploads a photo with an edit, asks for two more edits, looks at their history and
downloads a picture, thinking 2-6 s between steps like a person. A chat turn is timed from the message's
POST to its job's `done` event on the SSE stream. Rate limits are off (`NANOBANANAS_RATE_LIMITS=false`:
every visitor comes from 127.0.0.1); each visitor stays within the guest plan's daily images.

Reported per topology: requests/s, request latency p50/p95/p99, errors (any non-2xx answer, a failed job or a
broken stream: must be 0), jobs lost (accepted but not finished 60 s after the load stopped: must be 0),
chat-turn p50/p95 and queue wait p50/p95 (a job's start minus its queueing, from the API). Goal: chat-turn
p95 under 3 s on the scale-out topology. Results go to benchmarks/results/loadtest.json.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from record import Results, add_arguments  # noqa: E402
from tests.live_server import Server, server_environment, start_server  # noqa: E402

CHAT_P95_GOAL_S = 3.0
LOST_GRACE_S = 60
POSTGRES_URL = os.environ.get("NANOBANANAS_LOADTEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("NANOBANANAS_LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/14")
EDITS = ["make it brighter", "rotate it 90 degrees clockwise", "add a thin white border", "make it warmer"]
POSTERS = ["a poster for a summer sale", "a flyer for a bake sale on Saturday", "a birthday card for Sam"]


def _photo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (40, 90, 160))
    draw = ImageDraw.Draw(image)
    for i in range(0, 640, 40):
        draw.rectangle((i, 200, i + 20, 480), fill=(200, 160 - i // 8, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


@dataclass
class Tally:
    """What every visitor saw, gathered under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: list[float] = field(default_factory=list)
    turns: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    jobs: set[str] = field(default_factory=set)
    sessions: int = 0

    def request(self, seconds: float) -> None:
        with self.lock:
            self.requests.append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


class Failed(Exception):
    """A step went wrong: counted as an error, and the visitor leaves."""


class Visitor:
    """One browser: its own cookies and CSRF token; each request goes to the next web process in turn."""

    def __init__(self, urls: list[str], tally: Tally) -> None:
        self.urls, self.tally = urls, tally
        self.turn = random.randrange(len(urls))
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _url(self, path: str) -> str:
        self.turn = (self.turn + 1) % len(self.urls)
        return f"{self.urls[self.turn]}{path}"

    def _token(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def send(self, method: str, path: str, *, body: bytes | None = None, content_type: str = "") -> bytes:
        headers = {"X-CSRFToken": self._token(), "Referer": self.urls[0]}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self._url(path), method=method, data=body, headers=headers)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                data: bytes = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode(errors="replace")
            exc.close()
            raise Failed(f"{method} {path}: {exc.code} {detail}") from exc
        except OSError as exc:
            raise Failed(f"{method} {path}: {exc}") from exc
        self.tally.request(time.perf_counter() - started)
        return data

    def json(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        return json.loads(self.send(method, path, body=data, content_type="application/json") or b"null")

    def message(self, conversation: str, text: str, photo: bytes | None = None) -> float:
        """Send a chat turn and follow its job to the end; the seconds from POST to `done`."""
        started = time.perf_counter()
        path = f"/api/v1/conversations/{conversation}/messages"
        if photo is None:
            sent = self.json("POST", path, {"text": text})
        else:
            boundary = uuid.uuid4().hex
            body = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n{text}\r\n'
                    f'--{boundary}\r\nContent-Disposition: form-data; name="files[]"; filename="photo.jpg"\r\n'
                    "Content-Type: image/jpeg\r\n\r\n"
                ).encode()
                + photo
                + f"\r\n--{boundary}--\r\n".encode()
            )
            sent = json.loads(
                self.send("POST", path, body=body, content_type=f"multipart/form-data; boundary={boundary}")
            )
        job = sent["job"]["id"]
        with self.tally.lock:
            self.tally.jobs.add(job)
        last = self._follow(job)
        if last != "done":
            raise Failed(f"job {job} ended {last}")
        return time.perf_counter() - started

    def _follow(self, job: str) -> str:
        """Read the job's SSE stream to its last event, as the page does."""
        last = ""
        try:
            with self.opener.open(self._url(f"/api/v1/jobs/{job}/events"), timeout=120) as stream:
                for raw in stream:
                    line = raw.decode()
                    if line.startswith("event: "):
                        last = line.removeprefix("event: ").strip()
        except OSError as exc:
            raise Failed(f"events of {job}: {exc}") from exc
        return last


def _think(stop: float) -> None:
    time.sleep(max(0.0, min(random.uniform(2, 6), stop - time.monotonic())))


def _session(visitor: Visitor, photo: bytes, stop: float) -> None:
    """One visit, ended early (not an error) when the time is up."""
    steps: list[Callable[[], None]] = []
    state: dict[str, str] = {}
    account = random.random() < 0.2

    def page() -> None:
        visitor.send("GET", "/image/")

    def sign_up() -> None:
        name = f"load{uuid.uuid4().hex[:12]}"
        visitor.json(
            "POST",
            "/api/v1/auth/signup",
            {
                "email": f"{name}@example.com",
                "username": name,
                "display_name": "Load",
                "password": f"pw-{uuid.uuid4()}",
                "birth_month": 6,
                "birth_year": 1990,
            },
        )

    def start() -> None:
        state["conversation"] = visitor.json("POST", "/api/v1/conversations", {})["id"]

    def turn(text: str, with_photo: bool = False) -> Callable[[], None]:
        def run() -> None:
            seconds = visitor.message(state["conversation"], text, photo if with_photo else None)
            with visitor.tally.lock:
                visitor.tally.turns.append(seconds)

        return run

    def history() -> None:
        visitor.json("GET", "/api/v1/conversations")
        detail = visitor.json("GET", f"/api/v1/conversations/{state['conversation']}")
        state["download"] = detail["versions"][-1]["content_url"]

    def download() -> None:
        visitor.send("GET", f"{state['download']}&format=webp")

    steps = [page, *([sign_up] if account else []), start, turn(random.choice(POSTERS)),
             turn(random.choice(EDITS), with_photo=True), turn(random.choice(EDITS)), turn(random.choice(EDITS)),
             history, download]  # fmt: skip
    for step in steps:
        if time.monotonic() >= stop:
            return
        step()
        _think(stop)


def _user(urls: list[str], tally: Tally, photo: bytes, stop: float) -> None:
    while time.monotonic() < stop:
        try:
            _session(Visitor(urls, tally), photo, stop)
        except Failed as exc:
            tally.error(str(exc))
        with tally.lock:
            tally.sessions += 1


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _base_env() -> dict[str, str]:
    return {"NANOBANANAS_RATE_LIMITS": "false"}


@contextmanager
def _embedded(home: Path) -> Iterator[tuple[list[Server], Callable[[str], list[tuple[Any, ...]]]]]:
    import sqlite3

    server = start_server(home, extra_env=_base_env())
    try:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            with sqlite3.connect(home / "nanobananas.sqlite3") as db:
                return db.execute(sql).fetchall()

        yield [server], rows
    finally:
        server.stop()


def _postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(statement)


@contextmanager
def _scale(home: Path) -> Iterator[tuple[list[Server], Callable[[str], list[tuple[Any, ...]]]]]:
    import psycopg
    from huey import RedisHuey
    from tests.studio.test_worker_loss import _start_worker

    database = f"nb_loadtest_{uuid.uuid4().hex[:12]}"
    _postgres(f'CREATE DATABASE "{database}"')
    database_url = urlparse(POSTGRES_URL)._replace(path=f"/{database}").geturl()
    env = {**_base_env(), "NANOBANANAS_DATABASE_URL": database_url, "NANOBANANAS_REDIS_URL": REDIS_URL}
    servers: list[Server] = []
    workers: list[subprocess.Popen[bytes]] = []
    try:
        servers.append(start_server(home, extra_args=["--no-worker"], extra_env=env))
        second = {**env, "NANOBANANAS_HOME": str(home)}
        servers.append(start_server(home / "second", extra_args=["--no-worker"], extra_env=second))
        worker_env = {**server_environment(home), **env}
        workers = [_start_worker(worker_env, home / f"worker-{n}.log") for n in (1, 2)]

        def rows(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(database_url) as db:
                return db.execute(sql).fetchall()

        yield servers, rows
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=60)
        for server in servers:
            server.stop()
        RedisHuey(name="nanobananas", url=REDIS_URL).storage.flush_all()
        _postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _run(name: str, starter: Any, users: int, seconds: float, results: Results) -> bool:
    photo = _photo()
    with (
        tempfile.TemporaryDirectory(prefix=f"nanobananas-load-{name}-") as home,
        starter(Path(home)) as (servers, rows),
    ):
        tally = Tally()
        urls = [server.url for server in servers]
        started = time.monotonic()
        stop = started + seconds
        threads = [threading.Thread(target=_user, args=(urls, tally, photo, stop), daemon=True) for _ in range(users)]
        for index, thread in enumerate(threads):
            thread.start()
            time.sleep(min(0.1, seconds / 20 / max(1, users)) if index else 0)
        for thread in threads:
            thread.join(timeout=seconds + 180)
        elapsed = time.monotonic() - started
        # Jobs still queued or running once the load and a grace period are over are lost.
        deadline = time.monotonic() + LOST_GRACE_S
        unfinished_sql = "SELECT count(*) FROM studio_job WHERE status IN ('queued', 'running')"
        while (lost := int(rows(unfinished_sql)[0][0])) and time.monotonic() < deadline:
            time.sleep(1)
        accepted = int(rows("SELECT count(*) FROM studio_job")[0][0])
        waits = [float(r[0]) for r in rows(_QUEUE_WAIT_SQL[name]) if r[0] is not None]
    rps = len(tally.requests) / elapsed
    chat95 = _percentile(tally.turns, 0.95)
    label = "embedded default" if name == "embedded" else "PostgreSQL + Redis, 2 web + 2 workers"
    results.add(
        f"{label}: requests", f"{len(tally.requests)} in {elapsed:.0f} s = {rps:.1f}/s, {tally.sessions} visits"
    )
    results.add(
        f"{label}: request latency p50 / p95 / p99",
        " / ".join(f"{_percentile(tally.requests, q) * 1000:.0f} ms" for q in (0.5, 0.95, 0.99)),
    )
    results.add(f"{label}: errors", str(len(tally.errors)), goal="0", verdict="met" if not tally.errors else "NOT met")
    results.add(f"{label}: jobs lost", f"{lost} of {accepted}", goal="0", verdict="met" if not lost else "NOT met")
    chat_goal = f"p95 < {CHAT_P95_GOAL_S:g} s" if name == "scale" else ""
    chat_verdict = ("met" if chat95 < CHAT_P95_GOAL_S else "NOT met") if name == "scale" else ""
    results.add(
        f"{label}: chat turn p50 / p95 ({len(tally.turns)} turns)",
        f"{_percentile(tally.turns, 0.5):.2f} s / {chat95:.2f} s",
        goal=chat_goal,
        verdict=chat_verdict,
    )
    results.add(
        f"{label}: queue wait p50 / p95",
        f"{_percentile(waits, 0.5) * 1000:.0f} ms / {_percentile(waits, 0.95) * 1000:.0f} ms",
    )
    for error in tally.errors[:5]:
        print(f"  {name} error: {error}", file=sys.stderr)
    return not tally.errors and not lost


_QUEUE_WAIT_SQL = {
    "embedded": "SELECT (julianday(started_at) - julianday(queued_at)) * 86400 FROM studio_job",
    "scale": "SELECT EXTRACT(EPOCH FROM started_at - queued_at) FROM studio_job",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--topology", choices=["embedded", "scale", "both"], default="both")
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.smoke:
        args.users, args.seconds = 4, 15
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    chosen = ["embedded", "scale"] if args.topology == "both" else [args.topology]
    results = Results(
        name="loadtest",
        title="Load test: simulated visitors",
        size=f"{args.users} users for {args.seconds:g} s per topology ({', '.join(chosen)})",
        smoke=args.smoke,
    )
    starters = {"embedded": _embedded, "scale": _scale}
    ok = True
    for name in chosen:
        print(f"{name}: {args.users} users for {args.seconds:g} s ...", flush=True)
        ok = _run(name, starters[name], args.users, args.seconds, results) and ok
    written = results.write(args.results)
    for row in results.rows:
        print(f"{row['what']}: {row['value']} {row['goal']} {row['verdict']}".rstrip())
    print(f"wrote {written}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
