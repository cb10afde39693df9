"""The `nanobananas` command: its subcommands exist and refuse bad use clearly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


def test_keys_rotate_with_a_key_file_keeps_every_blob_readable(tmp_path: object) -> None:
    import os
    from pathlib import Path

    home = Path(str(tmp_path)) / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NANOBANANAS_") and k != "DJANGO_SETTINGS_MODULE"}
    env["NANOBANANAS_HOME"] = str(home)
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='nanobananas.config.settings'; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from django.core.files.base import ContentFile; from django.core.files.storage import default_storage as s;"
        "import sys; mode=sys.argv[1];"
        "print(s.save('assets/g00000000-0000-0000-0000-000000000001/a.png', ContentFile(b'PIXELS')) if mode=='w'"
        " else s.open('assets/g00000000-0000-0000-0000-000000000001/a.png').read().decode())"
    )
    subprocess.run([sys.executable, "-c", script, "w"], env=env, check=True, capture_output=True)
    old_key = (home / "master.key").read_bytes()
    rotated = subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", "keys", "rotate"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert rotated.returncode == 0, rotated.stderr
    assert "re-wrapped 1 data key(s)" in rotated.stdout
    assert (home / "master.key").read_bytes() != old_key
    assert oct((home / "master.key").stat().st_mode & 0o777) == "0o600"
    read = subprocess.run([sys.executable, "-c", script, "r"], env=env, check=True, capture_output=True, text=True)
    assert read.stdout.strip() == "PIXELS"


def test_export_cli_writes_the_users_archive_and_refuses_unknown_emails(tmp_path: object) -> None:
    import os
    import zipfile
    from pathlib import Path

    home = Path(str(tmp_path)) / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NANOBANANAS_") and k != "DJANGO_SETTINGS_MODULE"}
    env["NANOBANANAS_HOME"] = str(home)
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='nanobananas.config.settings'; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from django.contrib.auth import get_user_model;"
        "get_user_model().objects.create_user(username='ola', email='ola@example.org', password='x'*14)"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True)
    out = Path(str(tmp_path)) / "ola.zip"
    done = subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", "export", "--user", "OLA@example.org", "-o", str(out)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = zipfile.ZipFile(out).namelist()
    assert {"README.txt", "manifest.json", "account.json"} <= set(names)
    missing = Path(str(tmp_path)) / "nobody.zip"
    refused = subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", "export", "--user", "nobody@example.org", "-o", str(missing)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert "no account with the email 'nobody@example.org'" in refused.stderr
    assert not missing.exists()


def test_create_says_what_it_wrote_its_size_and_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    status = main(["create", "a poster for a bakery grand opening", "-o", "poster.png", "--size", "640x480"])

    out = capsys.readouterr()
    written = tmp_path / "poster.png"
    assert status == 0
    assert out.out == f"wrote poster.png (640x480 PNG, {written.stat().st_size} bytes) in {tmp_path}\n"
    assert written.read_bytes().startswith(b"\x89PNG")


def test_edit_says_what_it_wrote_and_keeps_stdout_json_with_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["create", "a poster for a bakery grand opening", "-o", "in.png", "--size", "300x200"]) == 0
    capsys.readouterr()

    assert main(["edit", "in.png", "make it black and white", "-o", "out.jpg"]) == 0
    plain = capsys.readouterr()
    assert plain.out == f"wrote out.jpg (300x200 JPEG, {(tmp_path / 'out.jpg').stat().st_size} bytes) in {tmp_path}\n"

    assert main(["edit", "in.png", "make it black and white", "-o", str(tmp_path / "plan.webp"), "--plan"]) == 0
    planned = capsys.readouterr()
    size = (tmp_path / "plan.webp").stat().st_size
    assert json.loads(planned.out)["steps"][0]["op"] == "grayscale"
    assert planned.err.endswith(f"wrote {tmp_path / 'plan.webp'} (300x200 WEBP, {size} bytes) in {tmp_path}\n")


def test_create_and_edit_that_fail_report_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    assert main(["create", "a poster", "-o", "poster.bmp2"]) == 2
    assert main(["edit", "missing.png", "make it gray", "-o", "out.png"]) == 2

    out = capsys.readouterr()
    assert out.out == ""
    assert "wrote" not in out.err
    assert list(tmp_path.iterdir()) == []
