"""`nanobananas serve` runs the web app and a worker, and Ctrl-C stops both cleanly."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.browser.conftest import start_server


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_serve_starts_a_worker_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    server = start_server(tmp_path / "home")
    workers = _children(server.process.pid)
    assert len(workers) == 1, "serve starts exactly one worker process"
    assert (tmp_path / "home" / "nanobananas.sqlite3").exists()
    assert (tmp_path / "home" / "queue.sqlite3").exists()
    deadline = time.monotonic() + 30
    while "consumer started" not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "consumer started" in server.log.read_text()

    assert server.stop() == 0
    deadline = time.monotonic() + 10
    while _alive(workers[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(workers[0]), "the worker outlived serve"
    log = server.log.read_text()
    assert "Traceback" not in log, log
