"""Byte sources the safetensors reader reads from: a local dir (mmap), any compliance
`Source` (e.g. the Hub source, through its bounded `read_range`), or a plain HTTP
directory (loopback servers in tests/benchmarks, mirrors).

What `bytes_transferred` counts:

* local files: the *distinct* bytes read from storage (headers, sampled rows, hashed
  tensors), each byte once however often it is read -- hashing a tensor whose rows were
  also sampled does not count those rows twice, so a full local read is exactly 100 %
  of the files (`bytes_of` restricts the count to some files, e.g. the weight shards);
* remote sources: the bytes received over the network, which for a server that ignores
  Range includes the bytes skipped before the wanted span (what the reading cost).
"""

from __future__ import annotations

import bisect
import contextlib
import mmap
import os
import threading
import urllib.parse
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from compliance.errors import PathNotFoundError, RepoNotFoundError, SourceError
from compliance.sources.base import Source

PREAD_MIN = 4 << 20  # local reads at least this long use pread, not the mmap
HASH_CHUNK = 8 << 20


class Coverage:
    """Distinct byte ranges read, per file: each byte counts once however often it is read."""

    def __init__(self) -> None:
        self._spans: dict[str, tuple[list[int], list[int]]] = {}
        self._per_file: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, path: str, start: int, length: int) -> None:
        if length <= 0:
            return
        end = start + length
        with self._lock:
            starts, ends = self._spans.setdefault(path, ([], []))
            # spans are disjoint and sorted; merge every one that overlaps or touches [start, end)
            i = bisect.bisect_left(ends, start)
            j = bisect.bisect_right(starts, end)
            covered = 0
            if i < j:
                covered = sum(ends[k] - starts[k] for k in range(i, j))
                start, end = min(start, starts[i]), max(end, ends[j - 1])
            starts[i:j] = [start]
            ends[i:j] = [end]
            self._per_file[path] = self._per_file.get(path, 0) + (end - start) - covered

    def total(self, paths: list[str] | None = None) -> int:
        with self._lock:
            if paths is None:
                return sum(self._per_file.values())
            return sum(self._per_file.get(p, 0) for p in paths)


class ByteFiles(Protocol):
    label: str
    parallel: int  # how many reads may usefully run at once (1 = local)

    def list(self) -> list[str] | None: ...

    def size(self, path: str) -> int | None: ...

    def lfs_sha256(self, path: str) -> str | None: ...

    def read(self, path: str, start: int, length: int) -> bytes | memoryview: ...

    def read_small(self, path: str, limit: int) -> bytes | None: ...

    @property
    def bytes_transferred(self) -> int: ...


class LocalFiles:
    """A local directory; weight files are mmap'd once and sliced without copying."""

    parallel = 1

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise PathNotFoundError(f"{self.root}: not a directory")
        self.label = str(self.root)
        self._maps: dict[str, mmap.mmap] = {}
        self._lock = threading.Lock()
        self.coverage = Coverage()

    def _path(self, path: str) -> Path:
        p = (self.root / path).resolve()
        # never follow a symlink out of the audited directory
        if self.root.resolve() not in p.parents and p != self.root.resolve():
            raise SourceError(f"{self.root / path}: path leaves the model directory")
        return p

    def list(self) -> list[str]:
        return sorted(
            p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()
        )

    def size(self, path: str) -> int | None:
        p = self._path(path)
        return p.stat().st_size if p.is_file() else None

    def lfs_sha256(self, path: str) -> str | None:
        return None

    def _map(self, path: str) -> mmap.mmap:
        with self._lock:
            m = self._maps.get(path)
            if m is None:
                with open(self._path(path), "rb") as fh:
                    m = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
                self._maps[path] = m
            return m

    def read(self, path: str, start: int, length: int) -> bytes | memoryview:
        if length >= PREAD_MIN:
            # big spans (hashing, whole tensors) are copied with pread: mmap'd pages would
            # stay resident in this process and make memory grow with the model
            with open(self._path(path), "rb") as fh:
                data = os.pread(fh.fileno(), length, start)
            self.coverage.add(path, start, len(data))
            return data
        m = self._map(path)
        view = memoryview(m)[start : start + length]
        self.coverage.add(path, start, len(view))
        return view

    def array(self, path: str, start: int, length: int) -> np.ndarray:
        """Zero-copy uint8 view of a span of the mmap (for gathers of scattered rows;
        only the pages of the rows taken are touched). Not counted: callers `mark` the
        spans they take."""
        return np.frombuffer(self._map(path), dtype=np.uint8, count=length, offset=start)

    def release(self, path: str, start: int, length: int) -> None:
        """Drop this span's pages from the process (they stay in the page cache), so
        gathering rows from many tensors does not grow memory with the model."""
        m = self._maps.get(path)
        if m is None or length <= 0:
            return
        lo = start - start % mmap.PAGESIZE
        with contextlib.suppress(OSError, ValueError):
            m.madvise(mmap.MADV_DONTNEED, lo, start + length - lo)

    def mark(self, path: str, spans: list[tuple[int, int]]) -> None:
        """Count (start, length) spans taken through `array` as read."""
        for start, length in spans:
            self.coverage.add(path, start, length)

    def hash_span(self, path: str, start: int, length: int, h: Any) -> None:
        """Feed a span into hashlib object `h` straight from the mmap, dropping each
        chunk's pages from this process afterwards so memory stays bounded."""
        m = self._map(path)
        mv = memoryview(m)
        page = mmap.PAGESIZE
        try:
            for off in range(start, start + length, HASH_CHUNK):
                end = min(off + HASH_CHUNK, start + length)
                h.update(mv[off:end])
                lo = off - off % page
                with contextlib.suppress(OSError, ValueError):
                    m.madvise(mmap.MADV_DONTNEED, lo, end - lo)
        finally:
            mv.release()
        self.coverage.add(path, start, length)

    def read_small(self, path: str, limit: int) -> bytes | None:
        p = self._path(path)
        if not p.is_file():
            return None
        with open(p, "rb") as fh:
            data = fh.read(limit)
        self.coverage.add(path, 0, len(data))
        return data

    @property
    def bytes_transferred(self) -> int:
        return self.coverage.total()

    def bytes_of(self, paths: list[str]) -> int:
        """Distinct bytes read from these files only."""
        return self.coverage.total(paths)

    def close(self) -> None:
        with self._lock:
            maps, self._maps = self._maps, {}
        for m in maps.values():
            # a caller may still hold a slice; the OS frees the map at exit then
            with contextlib.suppress(BufferError):
                m.close()


class SourceFiles:
    """Any compliance `Source` (local or Hub): reads go through `Source.read_range`, which
    the Hub source implements with bounded HTTP range reads."""

    parallel = 4

    def __init__(self, source: Source) -> None:
        self.source = source
        self.label = source.repo_id or source.label
        self._files = {f.path: f for f in source.list_files()}
        self._read = 0
        self._lock = threading.Lock()

    def list(self) -> list[str]:
        return sorted(self._files)

    def size(self, path: str) -> int | None:
        f = self._files.get(path)
        return f.size if f else None

    def lfs_sha256(self, path: str) -> str | None:
        f = self._files.get(path)
        return f.lfs_sha256 if f else None

    def read(self, path: str, start: int, length: int) -> bytes:
        data = self.source.read_range(path, start, length)
        with self._lock:
            # prefer the source's own count (a server ignoring Range sends more)
            self._read += len(data)
        return data

    def read_small(self, path: str, limit: int) -> bytes | None:
        if path not in self._files:
            return None
        data = self.source.read_bytes(path, limit)
        if data:
            with self._lock:
                self._read += len(data)
        return data

    @property
    def bytes_transferred(self) -> int:
        # the Hub source counts what its HTTP reads received (more than asked for when a
        # server ignores Range); small files it fetched up front are counted there too
        counter = getattr(self.source, "counter", None)
        counted = getattr(counter, "bytes", None)
        return int(counted) if isinstance(counted, int) else self._read


class HttpFiles:
    """Files under a base URL, read through `compliance.sources.http_range` (helper E's
    bounded range reader): a server that ignores Range answers 200 with the whole file;
    the body is streamed, the bytes before `start` are discarded and the connection is
    dropped once the wanted span has arrived. Every byte received is counted."""

    parallel = 8

    def __init__(
        self,
        base_url: str,
        *,
        files: list[str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> None:
        from compliance.sources.http_range import ByteCounter

        if not base_url.endswith("/"):
            base_url += "/"
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise SourceError(f"{base_url}: only http(s) URLs are supported")
        self.base = base_url
        self.label = base_url
        self.headers = dict(headers or {})
        self.timeout = timeout
        self._files = files
        self.counter = ByteCounter()
        # our own client: a plain HTTP directory is not the Hub, so HF_HUB_OFFLINE and the
        # Hub session's hooks do not apply to it
        import httpx

        self.client = httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout))

    def _url(self, path: str) -> str:
        return self.base + urllib.parse.quote(path)

    def list(self) -> list[str] | None:
        return self._files

    def size(self, path: str) -> int | None:
        return None  # taken from the safetensors headers instead (no extra request)

    def lfs_sha256(self, path: str) -> str | None:
        return None

    def read(self, path: str, start: int, length: int) -> bytes:
        from compliance.sources.http_range import read_range

        return read_range(
            self._url(path),
            start,
            length,
            self.headers,
            counter=self.counter,
            timeout=self.timeout,
            max_gap=0,
            what=f"{self.label}{path}",
            client=self.client,
        )

    def read_small(self, path: str, limit: int) -> bytes | None:
        try:
            data = self.read(path, 0, limit)
        except RepoNotFoundError:
            return None
        return data

    @property
    def bytes_transferred(self) -> int:
        return self.counter.bytes
