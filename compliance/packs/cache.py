"""Validated rule documents kept between runs, so a warm load skips YAML.

Why: parsing and validating ~300 small YAML files costs tens of ms on every run
(a pre-commit hook runs often); loading one cache file costs about one. The file holds
plain built-in values in `marshal`'s format behind a CRC-32
(`local_cache.read_marshal`), which loads in half the time of the same document as
JSON; the format belongs to one Python version, so the interpreter's tag
(`cpython-311`) is part of the file's name.

Where: `rule-docs-v<N>-<python>-<install>.marshal` in the cache folder of `compliance.local_cache`
(`$XDG_CACHE_HOME/modelcheck`, else `~/.cache/modelcheck`), one file per install, so two
installs sharing a home folder do not evict each other. Set `MODELCHECK_NO_CACHE=1` (any
value but empty or `0`) to neither read nor write it. The environment is read once, at
import (`CACHE_PATH`).

Never stale:
- each entry is keyed by the file's absolute path and its stat stamp
  (`mtime_ns`, `size`, `ctime_ns`): any change to the file re-parses it;
- the whole cache carries `schema_stamp()` (modelcheck version, the pack and rule
  schemas, every check kind's options, the categories and relations, as text) and the
  install's folder: a cache written by another version, under another schema or by
  another install is discarded unread;
- a file modified less than `RACY_NS` before its entry was stored could change
  again within the same timestamp tick without changing its stamp (git's "racily
  clean" case), so such an entry is not trusted: the file is parsed again.
Only documents that passed validation are stored.

Safe: a cache that cannot be read (missing, corrupt, nested absurdly deep, another
format) is ignored, an entry of the wrong shape is a miss, and a cache that cannot be
written (read-only directory, full disk) is not written. A write goes to a unique
temporary file in the same directory, then `os.replace`, so concurrent writers never
leave a torn file (the last one wins) and a reader sees either the old cache or the
new one.
"""

from __future__ import annotations

import functools
import json
import marshal
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from compliance import local_cache
from compliance.checks import CHECKS
from compliance.lineage.model import RELATIONS
from compliance.packs.schema import PACK_SCHEMA, RULE_SCHEMA
from compliance.report import CATEGORIES

FORMAT = 3  # layout of the file; part of its name
# A document is stored as its own marshal bytes inside the file: loading the file is then
# little more than a copy, and only the documents an audit uses are unmarshalled (a
# pack's rules are built when first read). The first byte of a mapping's marshal data
# (with or without marshal's reference flag).
_MAPPING_MARKS = (ord("{"), ord("{") | 0x80)
RACY_NS = 2_000_000_000  # coarser than any filesystem's timestamp tick
NO_CACHE_ENV = local_cache.NO_CACHE_ENV


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
    """Changes whenever what validation accepts could change. Kept as text (a few KB),
    not a digest: exact, and no hash library to import on every run."""
    from compliance import __version__

    kinds = sorted(
        (k, sorted((o, str(t)) for o, t in m.OPTIONS.items()), getattr(m, "REQUIRED", ()))
        for k, m in CHECKS.items()
    )
    return repr((__version__, kinds, PACK_SCHEMA, RULE_SCHEMA, CATEGORIES, RELATIONS))


def default_cache_path(env: Mapping[str, str] = os.environ) -> Path | None:
    """Where the cache lives under `env`, or None when it is disabled or has no home."""
    folder = local_cache.cache_dir(env)
    if folder is None:
        return None
    kind = f"rule-docs-v{FORMAT}-{sys.implementation.cache_tag}"
    return folder / local_cache.tagged_name(kind, ".marshal")


CACHE_PATH: Path | None = default_cache_path()  # read once at import; tests may set None


class DocCache:
    """One cache file: `get` before parsing a rule file, `put` after validating it,
    `save` once the load is done. With `path` None every call is a no-op miss."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.docs: dict[str, list[Any]] = {}  # path -> [*FileStamp, read_ns, marshal bytes]
        self.used: set[str] = set()  # only entries used by this process are saved back
        self.dirty = False
        # Every file this object stores is read after this instant (racy check).
        self.opened_ns = time.time_ns()
        if path is None:
            return
        raw = local_cache.read_marshal(path)  # None when absent, unreadable or corrupt
        if (
            isinstance(raw, dict)
            and raw.get("schema") == schema_stamp()
            and raw.get("install") == local_cache.INSTALL_DIR
            and isinstance(raw.get("docs"), dict)
        ):
            self.docs = raw["docs"]

    def get(self, path: str | Path, stamp: FileStamp) -> tuple[bool, Any]:
        """(True, document) when a trusted entry matches `stamp`, else (False, None)."""
        stored = self.get_stored(path, stamp)
        return (False, None) if stored is None else (True, document(stored))

    def get_stored(self, path: str | Path, stamp: FileStamp) -> bytes | None:
        """The stored form of the trusted entry matching `stamp` (`document` reads it),
        or None."""
        entry = self.docs.get(str(path))
        if not (isinstance(entry, list) and len(entry) == len(stamp) + 2):
            return None
        read_ns, stored = entry[len(stamp)], entry[-1]
        if tuple(entry[: len(stamp)]) != stamp or not isinstance(read_ns, int):
            return None
        # every pack and rule document is a mapping
        if not (isinstance(stored, bytes) and stored[:1] and stored[0] in _MAPPING_MARKS):
            return None
        if stamp.mtime_ns >= read_ns - RACY_NS:
            return None
        self.used.add(str(path))
        return stored

    def put(self, path: str | Path, stamp: FileStamp, data: Any) -> None:
        if self.path is None:
            return
        try:
            if json.loads(json.dumps(data)) != data:
                return
        except (TypeError, ValueError):
            return  # e.g. an unquoted date: not JSON, and the schema rejects it anyway
        try:
            stored = marshal.dumps(local_cache.interned(data))
        except ValueError:
            return
        self.docs[str(path)] = [*stamp, self.opened_ns, stored]
        self.used.add(str(path))
        self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        docs = {k: v for k, v in self.docs.items() if k in self.used}
        document = {"schema": schema_stamp(), "install": local_cache.INSTALL_DIR, "docs": docs}
        if local_cache.write_marshal(self.path, document):
            self.dirty = False


def document(stored: bytes) -> Any:
    """The document `DocCache.get_stored` returned, read from its stored form (which
    came from a file whose CRC-32 matched, and is a mapping)."""
    return marshal.loads(stored)
