"""Every SQLite connection gets the pragmas the privacy promises depend on."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _pragma(name: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pragmas")
def test_sqlite_connection_pragmas() -> None:
    connection.close()
    connection.ensure_connection()
    assert _pragma("secure_delete") == 1
    assert _pragma("foreign_keys") == 1
    assert _pragma("busy_timeout") == 10000


def test_the_embedded_default_file_database_uses_wal(tmp_path: object) -> None:
    import sqlite3

    from nanobananas.config.settings import SQLITE_INIT_COMMAND

    path = f"{tmp_path}/check.sqlite3"
    raw = sqlite3.connect(path)
    raw.executescript(SQLITE_INIT_COMMAND)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA secure_delete").fetchone()[0] == 1
    raw.close()
