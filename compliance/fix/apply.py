"""Write planned changes: each through a temp file in the same folder and a rename, so a
reader sees the old file or the new one, never half of one; never through a symlink."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from compliance.fix.changes import Change, inside
from compliance.fix.errors import FixRefused


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _write(root: Path, change: Change) -> None:
    target = inside(root, change.path)
    current = target.read_bytes().decode("utf-8") if target.exists() else None
    if current != change.old:
        raise FixRefused(f"{change.path}: changed while fixing; run modelcheck fix again")
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(change.new.encode("utf-8"))
        os.chmod(tmp, mode)  # mkstemp makes 0600; keep the file's mode, or the umask's
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def apply(root: Path, changes: Iterable[Change]) -> list[str]:
    """Write every change; returns the paths written."""
    written = []
    for change in changes:
        _write(root, change)
        written.append(change.path)
    return written
