"""Hostile uploads and downloads against a real server, and the peak memory of its web and worker processes."""

from __future__ import annotations

import http.cookiejar
import io
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.live_server import Server

__all__ = [
    "Answer",
    "Client",
    "MemoryWatch",
    "processes_of",
    "solid_png",
]

MB = 1024 * 1024


def solid_png(width: int, height: int, colour: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    """A one-colour PNG: tens of megapixels in about a hundred kilobytes, which is the attack."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@dataclass
class Answer:
    status: int
    body: dict[str, object]


class Client:
    """One browser: its own cookies (so its own guest), CSRF token, JSON and multipart requests."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        with self.opener.open(f"{server.url}/image/", timeout=30) as page:
            page.read()

    def _token(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def _send(self, request: urllib.request.Request, timeout: float) -> Answer:
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Answer(response.status, json.loads(response.read() or b"null") or {})
        except urllib.error.HTTPError as refused:
            with refused:
                return Answer(refused.code, json.loads(refused.read() or b"null") or {})

    def json(self, method: str, path: str, body: dict[str, object] | None = None) -> Answer:
        request = urllib.request.Request(
            f"{self.server.url}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self._token()},
        )
        return self._send(request, timeout=120)

    def conversation(self) -> str:
        return str(self.json("POST", "/api/v1/conversations", {}).body["id"])

    def upload(self, conversation_id: str, text: str, files: list[tuple[str, bytes]]) -> Answer:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n{text}\r\n'.encode()]
        for name, data in files:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files[]"; filename="{name}"\r\n'
                "Content-Type: image/png\r\n\r\n"
            )
            parts.append(head.encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(
            f"{self.server.url}/api/v1/conversations/{conversation_id}/messages",
            method="POST",
            data=b"".join(parts),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRFToken": self._token()},
        )
        return self._send(request, timeout=300)

    def download(self, url: str) -> tuple[int, int]:
        """Fetch a URL to the end; the status and the number of bytes received."""
        try:
            with self.opener.open(f"{self.server.url}{url}", timeout=300) as response:
                size = 0
                while chunk := response.read(MB):
                    size += len(chunk)
                return response.status, size
        except urllib.error.HTTPError as refused:
            with refused:
                refused.read()
                return refused.code, 0

    def wait_job(self, job_id: str, *, timeout: float = 300) -> str:
        """Poll the job until it ends; its final status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = str(self.json("GET", f"/api/v1/jobs/{job_id}").body["status"])
            if status not in {"queued", "running"}:
                return status
            time.sleep(0.2)
        raise TimeoutError(f"job {job_id} did not finish in {timeout} s")


def _status_kb(pid: int, field_name: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1])
    return None


def _children(pid: int) -> list[int]:
    """The process's children; none when it has just exited (a recycled worker re-executes in place)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def processes_of(server: Server) -> tuple[int, list[int]]:
    """The web process (the `serve` process runs uvicorn itself) and every process below it (the worker)."""
    web = server.process.pid
    below: list[int] = []
    queue = _children(web)
    while queue:
        pid = queue.pop()
        below.append(pid)
        queue += _children(pid)
    return web, below


@dataclass
class MemoryWatch:
    """Samples the peak resident memory (VmHWM) of the web process and of the worker processes.

    A recycled worker process leaves, so its peak is sampled while it lives (every 20 ms) and
    the largest seen is kept. `reset` clears the kernel's peaks (clear_refs 5) between attacks.
    """

    server: Server
    web_peak_kb: int = 0
    worker_peak_kb: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemoryWatch:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.sample()

    def sample(self) -> None:
        web, workers = processes_of(self.server)
        self.web_peak_kb = max(self.web_peak_kb, _status_kb(web, "VmHWM") or 0)
        for pid in workers:
            self.worker_peak_kb = max(self.worker_peak_kb, _status_kb(pid, "VmHWM") or 0)

    def reset(self) -> None:
        web, workers = processes_of(self.server)
        for pid in [web, *workers]:
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                continue
        self.web_peak_kb = 0
        self.worker_peak_kb = 0

    def resident_mb(self) -> tuple[float, float]:
        """Current resident memory of the web process and of the largest worker process, in MB."""
        web, workers = processes_of(self.server)
        worker = max((_status_kb(pid, "VmRSS") or 0 for pid in workers), default=0)
        return (_status_kb(web, "VmRSS") or 0) / 1024, worker / 1024

    @property
    def peaks_mb(self) -> tuple[float, float]:
        return self.web_peak_kb / 1024, self.worker_peak_kb / 1024


def in_parallel(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls at once in threads; their results in order (an exception is re-raised)."""
    results: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            results[index] = call()
        except BaseException as exc:  # handed to the caller's thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
