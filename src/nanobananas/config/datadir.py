"""The data directory (NANOBANANAS_HOME): owner-only, and so is everything the process creates in it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["OWNER_ONLY_UMASK", "data_dir_prepare"]

# New files 0600 and folders 0700 whatever umask the process was started with (a shell's is usually 0022).
OWNER_ONLY_UMASK = 0o077


def data_dir_prepare(home: Path) -> Path:
    """Create the data dir 0700 and make every file and folder this process creates from now on owner-only.

    SQLite (the database, its -wal and -shm, the queue), the mail folder, blobs, TLS keys and export archives
    are created by code that follows the process umask, so setting it here, before settings load any of them,
    covers them all, including kinds added later. A data dir left open by an older version (or made by hand)
    is tightened once, everything in it; the files at its top (database, WAL, keys) are checked every start.
    """
    os.umask(OWNER_ONLY_UMASK)
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(home.stat().st_mode) != 0o700:
        home.chmod(0o700)
        for root, folders, files in os.walk(home):
            for name in folders:
                _owner_only(Path(root, name), 0o700)
            for name in files:
                _owner_only(Path(root, name), 0o600)
    else:
        for entry in home.iterdir():
            _owner_only(entry, 0o700 if entry.is_dir() else 0o600)
    return home


def _owner_only(path: Path, mode: int) -> None:
    try:
        if path.is_symlink():
            return  # a link's own mode means nothing; what it points to may not be ours to change
        if stat.S_IMODE(path.stat().st_mode) & ~mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass  # removed meanwhile by another process (SQLite's -shm when the last connection closes)
