"""The `nanobananas` command: its subcommands exist and refuse bad use clearly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nanobananas.cli import main


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for command in ["serve", "worker", "migrate", "createsuperuser", "create", "edit"]:
        assert command in out


def test_serve_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    for option in ["--host", "--port", "--no-worker"]:
        assert option in out


def test_an_unknown_command_exits_2_with_a_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", "frobnicate"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr


def test_edit_of_a_missing_file_exits_2_and_writes_nothing(tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path)) / "out.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nanobananas.cli",
            "edit",
            str(Path(str(tmp_path)) / "missing.png"),
            "make it gray",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip()
    assert not out.exists()
