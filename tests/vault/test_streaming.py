"""Streaming: a 500 MB blob goes through EncryptedStorage and back with flat memory (in a child process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nanobananas.vault.crypto import CHUNK_SIZE, HEADER_SIZE

REPO = Path(__file__).resolve().parents[2]
SIZE = 500 * 1024 * 1024
LIMIT_KIB = 64 * 1024


def test_500_mb_blob_streams_with_flat_memory(tmp_path: Path) -> None:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"NANOBANANAS_DATABASE_URL", "NANOBANANAS_REDIS_URL", "NANOBANANAS_MASTER_KEY"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="nanobananas.config.settings",
        NANOBANANAS_HOME=str(tmp_path / "home"),
        PYTHONWARNINGS="error",
    )
    completed = subprocess.run(
        [sys.executable, "-m", "tests.vault.memory_probe", str(SIZE), str(tmp_path / "blobs")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    chunks = -(-SIZE // CHUNK_SIZE)
    assert report["same_bytes"] is True
    assert report["read_size"] == SIZE
    assert report["stored_size"] == HEADER_SIZE + SIZE + 16 * chunks
    assert report["growth_kib"] < LIMIT_KIB, f"peak RSS grew by {report['growth_kib'] / 1024:.1f} MiB"
