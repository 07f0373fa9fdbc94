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
import marshal
import os
import sys
import zlib
from pathlib import Path
from typing import Any

from compliance.cache_dir import NO_CACHE_ENV as NO_CACHE_ENV
from compliance.cache_dir import cache_dir as cache_dir

KEEP_INSTALLS = 8
_INTERN_MAX = 40  # longer strings (messages, quotes, paths) rarely repeat
_MARSHAL_MAGIC = b"MCm1"  # then the payload's CRC-32 (4 bytes, little-endian), then it
INSTALL_DIR = str(Path(__file__).resolve().parent)


def tagged_name(kind: str, suffix: str = ".json") -> str:
    """`<kind>-<install_tag>.json`, the name of this install's file of `kind`."""
    return f"{kind}-{install_tag()}{suffix}"


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


def read_marshal(path: Path) -> Any:
    """The document `write_marshal` stored in `path`, or None if it cannot be read for any
    reason. Loads in half the time of the same document as JSON. The format belongs to
    one Python version (callers put the interpreter's tag in the file's name), and a
    size inside it is trusted, so a damaged file could ask for any amount of memory:
    the payload is read only when its CRC-32, written before it, matches."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] != _MARSHAL_MAGIC or int.from_bytes(data[4:8], "little") != zlib.crc32(
            memoryview(data)[8:]
        ):
            return None
        return marshal.loads(memoryview(data)[8:])
    except (OSError, ValueError, EOFError, TypeError, RecursionError, MemoryError):
        return None


def write_json(path: Path, document: Any) -> bool:
    """Replace `path` with `document` atomically; False (and nothing left) on failure."""
    try:
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError):
        return False
    return _write(path, data)


def write_marshal(path: Path, document: Any) -> bool:
    """`write_json` in `read_marshal`'s format; `document` holds plain built-in values."""
    try:
        payload = marshal.dumps(interned(document))
    except (ValueError, RecursionError):  # a value marshal cannot store
        return False
    return _write(path, _MARSHAL_MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload)


def interned(value: Any) -> Any:
    """`value` with its mapping keys and short strings interned: marshal then stores each
    distinct one once and refers to it after, so the rule cache (the same dozen keys in
    three hundred documents) is smaller and loads faster."""
    if isinstance(value, str):
        return sys.intern(value) if len(value) <= _INTERN_MAX else value
    if isinstance(value, dict):
        return {interned(k): interned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [interned(v) for v in value]
    if isinstance(value, tuple):
        return tuple(interned(v) for v in value)
    return value


def _write(path: Path, data: bytes) -> bool:
    import tempfile  # only a run that has something to store pays for it

    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
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
        found = path.parent.glob(f"{kind}-*{path.suffix}")
        siblings = [(p.stat().st_mtime_ns, p) for p in found]
    except OSError:
        return
    for _, old in sorted(siblings, reverse=True)[KEEP_INSTALLS:]:
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
