"""Where modelcheck keeps data it can rebuild, and how a cache file is read and written.

The folder is `$XDG_CACHE_HOME/modelcheck`, else `~/.cache/modelcheck`; with
`MODELCHECK_NO_CACHE` set (to anything but empty or `0`) nothing is read or written.

Each cache file's name carries `install_tag()`, a checksum of where this copy of
modelcheck is installed: two installs (two virtualenvs, a pre-commit hook
environment and a development checkout) sharing one home folder then keep one file
each instead of overwriting each other's on every run.

Installs come and go (every virtualenv is one), so a write also removes all but the
`KEEP_INSTALLS` most recently written files of its kind.

Reading never fails: a missing, unreadable, corrupt or hostile file (say, JSON nested
100,000 deep) reads as None. Writing never fails either: it goes to a unique temporary
file in the same folder and is renamed into place, or is not done at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import zlib
from pathlib import Path
from typing import Any

from compliance.cache_dir import NO_CACHE_ENV as NO_CACHE_ENV
from compliance.cache_dir import cache_dir as cache_dir

KEEP_INSTALLS = 8
INSTALL_DIR = str(Path(__file__).resolve().parent)


def tagged_name(kind: str) -> str:
    """`<kind>-<install_tag>.json`, the name of this install's file of `kind`."""
    return f"{kind}-{install_tag()}.json"


def install_tag() -> str:
    """Eight hex digits naming this install (a checksum of its package folder)."""
    return f"{zlib.crc32(INSTALL_DIR.encode('utf-8', 'surrogateescape')):08x}"


def read_json(path: Path) -> Any:
    """The JSON document in `path`, or None if it cannot be read for any reason."""
    try:
        with open(path, "rb") as f:
            return json.loads(f.read())
    except (OSError, ValueError, RecursionError, MemoryError):
        return None


def write_json(path: Path, document: Any) -> bool:
    """Replace `path` with `document` atomically; False (and nothing left) on failure."""
    import tempfile  # only a run that has something to store pays for it

    tmp: str | None = None
    try:
        text = json.dumps(document, ensure_ascii=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
        tmp = None
    except (OSError, TypeError, ValueError):
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _prune(path)
    return True


def _prune(path: Path) -> None:
    """Keep the newest KEEP_INSTALLS files of `path`'s kind (name up to the install tag)."""
    kind = path.name.rsplit("-", 1)[0]
    try:
        siblings = [(p.stat().st_mtime_ns, p) for p in path.parent.glob(f"{kind}-*.json")]
    except OSError:
        return
    for _, old in sorted(siblings, reverse=True)[KEEP_INSTALLS:]:
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
