"""The one interface every source (local dir, Hub repo) implements.

Facts extraction only ever talks to a `Source`, so a local directory and a
Hub repo go through exactly the same facts -> lineage -> rules pipeline.
"""

from __future__ import annotations

import os
from typing import Protocol, runtime_checkable

from compliance.errors import FileReadError, SourceError
from compliance.records import record


@record(frozen=True)
class RepoFile:
    """One file of a repo as its source lists it."""
    path: str  # posix, relative to the repo root
    size: int | None  # bytes, None if unknown
    lfs_sha256: str | None = None  # Hub LFS oid when known
    is_symlink_outside: bool = False  # local only: a symlink leaving the repo (never followed)


@runtime_checkable
class Source(Protocol):
    kind: str  # "local" | "hub"
    label: str  # for humans: a path or "org/name"
    repo_id: str | None  # "org/name" when known
    revision: str | None  # revision asked for (hub)
    commit: str | None  # commit resolved (hub); None for a local dir without git

    def list_files(self) -> list[RepoFile]:
        """Every file in the repo (not directories)."""
        ...

    def read_bytes(self, path: str, limit: int) -> bytes | None:
        """Up to `limit` bytes of a small file; None if it is absent or not obtainable
        (e.g. not cached in offline mode; the source then records a note)."""
        ...

    def read_range(self, path: str, start: int, length: int) -> bytes:
        """Exactly the bytes [start, start+length) or fewer at EOF; used for weight
        headers. Must never pull the whole file into memory."""
        ...

    def notes(self) -> list[str]:
        """Things the report should mention (files not cached, skipped symlinks...)."""
        ...


def read_local_span(local: str | os.PathLike[str], start: int, length: int, what: str) -> bytes:
    """Up to `length` bytes of a regular file on disk from `start`; anything else (a FIFO,
    a device, an OSError) becomes a one-line `SourceError` naming `what` (a source's
    `read_range` must not raise OSError, nor block)."""
    from compliance.bounded_read import read_capped

    try:
        return read_capped(local, max(0, length), start=max(0, start)).data
    except FileReadError as e:
        raise SourceError(f"{what}: could not be read ({e.problem})") from None
