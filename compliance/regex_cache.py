"""`compiled`: `re.compile` for modelcheck's own fixed patterns, without parsing them again
on every start.

Why: the card-prose readers compile some eighty patterns at import, about 8 ms of CPU
on every start of the pre-commit hook, nearly all of it in `re`'s parser and compiler
(Python code). What they produce for a pattern, the list of opcodes that `_sre` runs,
depends only on the pattern, its flags and the interpreter, so it is kept in the cache
folder (`regex-<interpreter tag>-<install tag>.marshal`, behind a CRC-32 as the rule
cache is) and handed to `_sre.compile` directly next time: the same `re.Pattern`, equal
to what `re.compile` returns (an entry is stored only after that check), in a few
microseconds. Only patterns written in modelcheck's code go through here, never one
from a rule file or an audited repo, so the cache stays small and bounded.

Without the interpreter internals this needs (CPython 3.11 and later), with the cache
off (`MODELCHECK_NO_CACHE`), or with a missing, damaged or foreign cache file, it is
`re.compile`, and the result is the same.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from compliance import cache_dir, local_cache

MAX_ENTRIES = 1000  # modelcheck's own patterns number about a hundred
_FORMAT = 1

try:  # CPython internals, present since 3.11; without them every call is re.compile
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _parser  # type: ignore[attr-defined]

    _INTERPRETER: Any = (_FORMAT, sys.version, sys.implementation.cache_tag, _sre.MAGIC)
except ImportError:  # pragma: no cover - Python 3.10 and other interpreters
    _INTERPRETER = None

_entries: dict[tuple[str, int], Any] | None = None  # None until the cache file is read
_dirty = False
_saved = False


def _cache_path() -> Any:
    folder = cache_dir.CACHE_DIR
    if folder is None or _INTERPRETER is None:
        return None
    return folder / local_cache.tagged_name(
        f"regex-v{_FORMAT}-{sys.implementation.cache_tag}", ".marshal"
    )


def _load() -> dict[tuple[str, int], Any]:
    path = _cache_path()
    raw = local_cache.read_marshal(path) if path is not None else None
    if (
        isinstance(raw, dict)
        and raw.get("interpreter") == _INTERPRETER
        and isinstance(raw.get("entries"), dict)
    ):
        entries: dict[tuple[str, int], Any] = raw["entries"]
        return entries
    return {}


def _from_entry(pattern: str, entry: Any) -> re.Pattern[str] | None:
    """The pattern rebuilt from a cached entry, or None if the entry is not usable."""
    try:
        flags, code, groups, groupindex, indexgroup = entry
        built = _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)
    except Exception:  # a damaged entry (wrong types, invalid opcodes): compile instead
        return None
    return built if isinstance(built, re.Pattern) else None


def _entry(pattern: str, flags: int, compiled: re.Pattern[str]) -> Any:
    """What `re._compiler.compile` hands `_sre.compile` for `pattern`, if the result
    is equal to `compiled`; else None (never stored)."""
    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        state = parsed.state
        groupindex = dict(state.groupdict)
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        # plain ints: the opcodes are an int subclass, which marshal does not store
        opcodes = [int(op) for op in code]
        entry = (int(flags | state.flags), opcodes, state.groups - 1, groupindex,
                 tuple(indexgroup))
    except Exception:  # internals that changed shape: just do not cache
        return None
    return entry if _from_entry(pattern, entry) == compiled else None


def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)` for a pattern fixed in modelcheck's code."""
    global _entries, _dirty
    if _INTERPRETER is None or flags & re.DEBUG:
        return re.compile(pattern, flags)
    if _entries is None:
        _entries = _load()
    key = (pattern, int(flags))
    hit = _entries.get(key)
    if hit is not None:
        built = _from_entry(pattern, hit)
        if built is not None:
            return built
    result = re.compile(pattern, flags)
    if not _saved and len(_entries) < MAX_ENTRIES and _cache_path() is not None:
        entry = _entry(pattern, int(flags), result)
        if entry is not None:
            _entries[key] = entry
            _dirty = True
    return result


def save() -> None:
    """Store the patterns compiled so far, once per process, if any was new."""
    global _dirty, _saved
    _saved = True
    path = _cache_path()
    if not _dirty or _entries is None or path is None:
        return
    _dirty = False
    local_cache.write_marshal(path, {"interpreter": _INTERPRETER, "entries": _entries})
