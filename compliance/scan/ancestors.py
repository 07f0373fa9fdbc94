"""Ancestors resolved once per process, however many children share them.

`HubResolver` memoises its answers; this wrapper adds one lock per ancestor id so that
when many workers meet the same base at once, one reads it and the others wait for
its answer instead of reading it too.
"""

from __future__ import annotations

import threading

from compliance.lineage.model import AncestorResolver, ResolvedRepo


class SharedAncestors(AncestorResolver):
    name = "hub"

    def __init__(self, inner: AncestorResolver) -> None:
        self._inner = inner
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def resolve(self, repo_id: str) -> ResolvedRepo | None:
        key = repo_id.lower()
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            return self._inner.resolve(repo_id)
