"""Validated rule documents kept as JSON between runs, so a warm load skips YAML.

Why: parsing and validating ~200 small YAML files costs tens of ms on every run
(a pre-commit hook runs often); loading one JSON file costs a few.

Where: `$XDG_CACHE_HOME/modelcheck/rule-docs-v<N>.json`, else
`~/.cache/modelcheck/rule-docs-v<N>.json`. Set `MODELCHECK_NO_CACHE=1` (any value
but empty or `0`) to neither read nor write it. The environment is read once, at
import (`CACHE_PATH`).

Never stale:
- each entry is keyed by the file's absolute path and its stat stamp
  (`mtime_ns`, `size`, `ctime_ns`): any change to the file re-parses it;
- the whole cache carries `schema_stamp()` (modelcheck version, the pack and rule
  schemas, every check kind's options, the categories and relations): a cache
  written by another version or under another schema is discarded unread;
- a file modified less than `RACY_NS` before its entry was stored could change
  again within the same timestamp tick without changing its stamp (git's "racily
  clean" case), so such an entry is not trusted: the file is parsed again.
Only documents that passed validation are stored.

Safe: a cache that cannot be read (missing, corrupt, another format) is ignored,
and one that cannot be written (read-only directory, full disk) is not written.
A write goes to a unique temporary file in the same directory, then `os.replace`,
so concurrent writers never leave a torn file (the last one wins) and a reader
sees either the old cache or the new one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from compliance.checks import CHECKS
from compliance.lineage.model import RELATIONS
from compliance.packs.schema import PACK_SCHEMA, RULE_SCHEMA
from compliance.report import CATEGORIES

FORMAT = 1  # layout of the JSON file; part of its name
RACY_NS = 2_000_000_000  # coarser than any filesystem's timestamp tick
NO_CACHE_ENV = "MODELCHECK_NO_CACHE"


class FileStamp(NamedTuple):
    """What must be unchanged for a stored document to stand for the file."""

    mtime_ns: int
    size: int
    ctime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileStamp:
        return cls(st.st_mtime_ns, st.st_size, st.st_ctime_ns)


@functools.lru_cache(maxsize=1)
def schema_stamp() -> str:
    """Changes whenever what validation accepts could change."""
    from compliance import __version__

    kinds = sorted(
        (k, sorted((o, str(t)) for o, t in m.OPTIONS.items()), getattr(m, "REQUIRED", ()))
        for k, m in CHECKS.items()
    )
    text = repr((__version__, kinds, PACK_SCHEMA, RULE_SCHEMA, CATEGORIES, RELATIONS))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def default_cache_path(env: Mapping[str, str] = os.environ) -> Path | None:
    """Where the cache lives under `env`, or None when it is disabled or has no home."""
    if env.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    base = env.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        base = None if home == "~" else os.path.join(home, ".cache")
    if not base:
        return None
    return Path(base) / "modelcheck" / f"rule-docs-v{FORMAT}.json"


CACHE_PATH: Path | None = default_cache_path()  # read once at import; tests may set None


class DocCache:
    """One cache file: `get` before parsing a rule file, `put` after validating it,
    `save` once the load is done. With `path` None every call is a no-op miss."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.docs: dict[str, list[Any]] = {}  # path -> [*FileStamp, read_ns, document]
        self.used: set[str] = set()  # only entries used by this process are saved back
        self.dirty = False
        # Every file this object stores is read after this instant (racy check).
        self.opened_ns = time.time_ns()
        if path is None:
            return
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("schema") == schema_stamp() and isinstance(raw.get("docs"), dict):
                self.docs = raw["docs"]
        except (OSError, ValueError, AttributeError):
            pass  # absent, unreadable or not our format: start empty

    def get(self, path: Path, stamp: FileStamp) -> tuple[bool, Any]:
        """(True, document) when a trusted entry matches `stamp`, else (False, None)."""
        entry = self.docs.get(str(path))
        if not (isinstance(entry, list) and len(entry) == len(stamp) + 2):
            return False, None
        read_ns = entry[len(stamp)]
        if tuple(entry[: len(stamp)]) != stamp or not isinstance(read_ns, int):
            return False, None
        if stamp.mtime_ns >= read_ns - RACY_NS:
            return False, None
        self.used.add(str(path))
        return True, entry[-1]

    def put(self, path: Path, stamp: FileStamp, data: Any) -> None:
        if self.path is None:
            return
        try:
            if json.loads(json.dumps(data)) != data:
                return
        except (TypeError, ValueError):
            return  # e.g. an unquoted date: not JSON, and the schema rejects it anyway
        self.docs[str(path)] = [*stamp, self.opened_ns, data]
        self.used.add(str(path))
        self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        import tempfile  # only a run that has something to store pays for it

        docs = {k: v for k, v in self.docs.items() if k in self.used}
        text = json.dumps({"schema": schema_stamp(), "docs": docs})
        tmp: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self.path)
            tmp = None
            self.dirty = False
        except OSError:
            pass  # a cache that cannot be written is simply not written
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
