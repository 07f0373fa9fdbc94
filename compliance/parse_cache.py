"""Parsed YAML kept between runs, keyed by a digest of the exact text.

Why: a pre-commit hook audits the same model card again and again; answering its front
matter from here means a warm local audit never imports PyYAML (about as much start-up
time as the rest of the audit's parsing together).

Never stale: the key is a BLAKE2b digest of the text plus every parameter that changes the
result (the line the text starts at, the depth and node limits) and modelcheck's
version, so a changed byte or another limit is a miss. Only documents that parsed
without error, whose value JSON gives back exactly (no dates, non-string keys, NaN),
and whose text is at most `MAX_TEXT` characters are stored; at most `MAX_ENTRIES`,
the oldest dropped first. `put` only remembers; `save()` writes the file once, at the
end of an audit (the one command worth remembering for). The file lives in the cache folder of
`compliance.local_cache` (one per install, `MODELCHECK_NO_CACHE=1` turns it off), and
any damage to it reads as an empty cache.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from compliance import local_cache

FORMAT = 1  # layout of the file; part of its name
MAX_ENTRIES = 64
MAX_TEXT = 64 * 1024

# key -> JSON text of [value, key_lines]: each hit decodes its own fresh copy, so a caller
# that changes what it got cannot change what the next caller gets
_entries: dict[str, str] | None = None
_dirty = False


def _path() -> Path | None:
    folder = local_cache.cache_dir()
    if folder is None:
        return None
    return folder / local_cache.tagged_name(f"yaml-v{FORMAT}")


def key(text: str, *params: int) -> str | None:
    """The cache key for parsing `text` with `params`, or None if it is not cached."""
    if len(text) > MAX_TEXT:
        return None
    try:  # CPython's built-in module: hashlib would load OpenSSL first, at every start
        from _blake2 import blake2b
    except ImportError:
        from hashlib import blake2b

    from compliance import __version__

    head = json.dumps([__version__, *params]).encode()
    digest = blake2b(head + b"\0" + text.encode("utf-8", "surrogatepass"), digest_size=32)
    return digest.hexdigest()


def _load() -> dict[str, str]:
    global _entries
    if _entries is None:
        path = _path()
        stored = local_cache.read_json(path) if path is not None else None
        entries = stored.get("entries") if isinstance(stored, dict) else None
        _entries = entries if isinstance(entries, dict) else {}
    return _entries


def get(cache_key: str) -> tuple[Any, dict[str, int]] | None:
    """(value, key_lines) stored under `cache_key`, or None."""
    text = _load().get(cache_key)
    if not isinstance(text, str):
        return None
    try:
        entry = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], dict)):
        return None
    key_lines = entry[1]
    if not all(isinstance(v, int) for v in key_lines.values()):
        return None
    return entry[0], key_lines


def put(cache_key: str, value: Any, key_lines: dict[str, int]) -> None:
    """Remember a successful parse, if JSON keeps it exactly."""
    global _dirty
    try:
        text = json.dumps([value, key_lines], ensure_ascii=False, allow_nan=False)
        if json.loads(text) != [value, key_lines]:
            return
    except (TypeError, ValueError, RecursionError):
        return
    entries = _load()
    entries.pop(cache_key, None)
    entries[cache_key] = text
    while len(entries) > MAX_ENTRIES:
        del entries[next(iter(entries))]
    _dirty = True


def save() -> None:
    """Write what `put` remembered (nothing when there is nothing new or no cache)."""
    global _dirty
    path = _path()
    if _dirty and _entries is not None and path is not None:
        local_cache.write_json(path, {"entries": _entries})
    _dirty = False


def forget() -> None:
    """Drop what this process read or remembered; the next lookup reads the file again."""
    global _entries, _dirty
    _entries, _dirty = None, False
