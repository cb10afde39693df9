"""A real `nanobananas serve` (web + worker processes) in a throwaway data dir, for end-to-end tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Server", "server_environment", "start_server"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    home: Path
    log: Path

    def stop(self, timeout: float = 30) -> int:
        """Stop it the way Ctrl-C in a terminal does: SIGINT to the whole process group."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=timeout)


def start_server(
    home: Path, *, extra_args: list[str] | None = None, scheme: str = "http", extra_env: dict[str, str] | None = None
) -> Server:
    port = _free_port()
    env = {**server_environment(home), **(extra_env or {})}
    log = home / "serve.log"
    home.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nanobananas.cli", "serve", "--port", str(port), *(extra_args or [])],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(url=f"{scheme}://127.0.0.1:{port}", process=process, home=home, log=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/api/v1/health", timeout=2, context=_unverified()) as response:
                if json.load(response)["status"] == "ok":
                    return server
        except urllib.error.HTTPError as answered:  # 503 while starting: its socket must be closed, not left to GC
            answered.close()
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not become healthy:\n{log.read_text()}")


def _unverified() -> ssl.SSLContext:
    """Readiness polling only: a self-signed test certificate is checked by the tests themselves."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def server_environment(home: Path) -> dict[str, str]:
    """The environment of a fresh deployment: none of the test run's settings leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NANOBANANAS_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"NANOBANANAS_HOME": str(home), "PYTHONUNBUFFERED": "1"})
    return env
