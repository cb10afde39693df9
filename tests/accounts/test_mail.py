"""Mail without a server: one .eml file per message in the data dir, readable only by the owner."""

from __future__ import annotations

import email
import stat
from pathlib import Path

from django.core.mail import EmailMessage, get_connection

from nanobananas.accounts.mail import EmlFolderBackend


def test_each_message_becomes_one_private_eml_file(tmp_path: Path) -> None:
    backend = get_connection("nanobananas.accounts.mail.EmlFolderBackend", file_path=str(tmp_path / "mail"))
    assert isinstance(backend, EmlFolderBackend)
    sent = backend.send_messages(
        [
            EmailMessage("First", "Hello one", "from@example.org", ["a@example.org"]),
            EmailMessage("Second", "Hello two", "from@example.org", ["b@example.org"]),
        ]
    )
    assert sent == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    parsed = sorted((email.message_from_bytes(f.read_bytes()) for f in files), key=lambda m: str(m["Subject"]))
    assert [(m["Subject"], m["To"]) for m in parsed] == [("First", "a@example.org"), ("Second", "b@example.org")]
    assert parsed[0].get_payload(decode=True) == b"Hello one"
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}


def test_the_embedded_default_writes_into_the_data_dir() -> None:
    from django.conf import settings

    from nanobananas.config import settings as production

    assert production.EMAIL_BACKEND == "nanobananas.accounts.mail.EmlFolderBackend"
    assert Path(settings.DATA_DIR) / "mail" == production.EMAIL_FILE_PATH


def _mail_settings(tmp_path: Path, smtp_url: str) -> str:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("NANOBANANAS_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"NANOBANANAS_HOME": str(tmp_path), "NANOBANANAS_SMTP_URL": smtp_url})
    code = (
        "from nanobananas.config import settings as s;"
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD,"
        " s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_an_smtp_url_selects_smtp_with_its_parts(tmp_path: Path) -> None:
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    assert (
        _mail_settings(tmp_path, "smtp+tls://me%40x.org:p%2Fw@mail.x.org")
        == f"{smtp} mail.x.org 587 me@x.org p/w True False"
    )
    assert _mail_settings(tmp_path, "smtps://mail.x.org:2465") == f"{smtp} mail.x.org 2465   False True"
    assert _mail_settings(tmp_path, "smtp://localhost") == f"{smtp} localhost 25   False False"
    assert "NANOBANANAS_SMTP_URL must start with" in _mail_settings(tmp_path, "http://mail.x.org")
