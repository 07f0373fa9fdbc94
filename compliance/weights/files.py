"""Byte sources the safetensors reader reads from: a local dir (pread), any compliance
`Source` (e.g. the Hub source, through its bounded `read_range`), or a plain HTTP
directory (loopback servers in tests/benchmarks, mirrors).

What `bytes_transferred` counts:

* local files: the *distinct* bytes read from storage (headers, sampled rows, hashed
  tensors), each byte once however often it is read -- hashing a tensor whose rows were
  also sampled does not count those rows twice, so a full local read is exactly 100 %
  of the files (`bytes_of` restricts the count to some files, e.g. the weight shards);
* remote sources: the bytes received over the network, which for a server that ignores
  Range includes the bytes skipped before the wanted span (what the reading cost).

Remote byte sources also say whether their server honours Range (`ignores_range`) and
read many spans of one file at once (`read_ranges`): over a server that ignores Range,
that is one streamed pass through the file instead of one pass from byte 0 per span.
`requests` is the number of HTTP requests made (None for sources that make none).
"""

from __future__ import annotations

import bisect
import builtins
import contextlib
import os
import stat
import threading
import urllib.parse
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np

from compliance.errors import PathNotFoundError, RepoNotFoundError, SourceError
from compliance.sources.base import Source

# fits in L2, so each chunk is hashed while still cached (~10 % less CPU than 8 MiB)
HASH_CHUNK = 1 << 20


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

    def list(self) -> builtins.list[str] | None: ...

    def size(self, path: str) -> int | None: ...

    def lfs_sha256(self, path: str) -> str | None: ...

    def read(self, path: str, start: int, length: int) -> bytes | memoryview: ...

    def read_small(self, path: str, limit: int) -> bytes | None: ...

    @property
    def bytes_transferred(self) -> int: ...


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a file given on the command line (a fingerprint) for reading, refusing
    anything but a regular file: a FIFO would block, a device never end. Opened
    non-blocking so that a FIFO cannot hang the check itself."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SourceError(f"{path}: not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class LocalFiles:
    """A local directory, read by the local source's rules (regular files inside the repo;
    a Hugging Face cache snapshot's links into its blobs count as inside). Every read is a
    pread into a new buffer: no file stays mapped, so resident memory stays with what
    the reads asked for."""

    parallel = 1

    def __init__(self, root: str | os.PathLike[str]) -> None:
        from compliance.sources.local import LocalSource

        self.root = Path(root)
        if not self.root.is_dir():
            raise PathNotFoundError(f"{self.root}: not a directory")
        self.source = LocalSource(self.root)
        self.label = str(self.root)
        self._lock = threading.Lock()
        self._fds: dict[str, int] = {}
        self._tls = threading.local()  # per-thread hashing buffer
        self._kernel_copy = hasattr(os, "copy_file_range")
        self._listing: dict[str, int | None] | None = None
        self.coverage = Coverage()

    def _path(self, path: str) -> Path:
        p = self.source.local_path(path)
        if p is None:
            raise SourceError(
                f"{self.root / path}: not a regular file inside the model directory"
            )
        return p

    def _files(self) -> dict[str, int | None]:
        if self._listing is None:
            self._listing = {
                f.path: f.size for f in self.source.list_files() if not f.is_symlink_outside
            }
        return self._listing

    def list(self) -> builtins.list[str]:
        return sorted(self._files())

    def size(self, path: str) -> int | None:
        if path in self._files():
            return self._files()[path]
        p = self.source.local_path(path)
        return None if p is None else _stat_size(p)

    def lfs_sha256(self, path: str) -> str | None:
        return None

    def _fail(self, path: str, e: OSError) -> SourceError:
        return SourceError(f"{self.root / path}: could not be read ({e.strerror or e})")

    def read(self, path: str, start: int, length: int) -> bytes:
        fd = self._fd(path)
        try:
            data = os.pread(fd, max(0, length), max(0, start))
        except OSError as e:
            raise self._fail(path, e) from e
        self.coverage.add(path, start, len(data))
        return data

    def _fd(self, path: str) -> int:
        with self._lock:
            fd = self._fds.get(path)
            if fd is None:
                try:
                    fd = os.open(self._path(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
                    if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since it was checked
                        os.close(fd)
                        raise SourceError(f"{self.root / path}: not a regular file")
                except OSError as e:
                    if isinstance(e, SourceError):
                        raise
                    raise self._fail(path, e) from e
                self._fds[path] = fd
            return fd

    def read_spans(self, path: str, spans: builtins.list[tuple[int, int]]) -> np.ndarray:
        """The bytes of several (start, length) spans, concatenated, read with pread into one
        new array: no mapped pages (nothing to fault in or drop), one copy from the page
        cache. Counted as read."""
        out = np.empty(sum(n for _s, n in spans), dtype=np.uint8)
        view = memoryview(out)  # type: ignore[arg-type]  # ndarray exports a buffer
        fd = self._fd(path)
        pos = 0
        for start, length in spans:
            got = 0
            while got < length:
                try:
                    n = os.preadv(fd, [view[pos + got : pos + length]], start + got)
                except OSError as e:
                    raise self._fail(path, e) from e
                if n <= 0:
                    end = start + length
                    raise SourceError(f"{self.root / path}: file ended before byte {end}")
                got += n
            pos += length
            self.coverage.add(path, start, length)
        return out

    def copy_spans(
        self, path: str, spans: builtins.list[tuple[int, int]], dst_fd: int, dst_off: int
    ) -> int:
        """Copy (start, length) spans of a file, concatenated, to `dst_fd` at `dst_off`
        without passing through Python: copy_file_range (in the kernel, no page faults),
        falling back to pread/pwrite where the kernel refuses. Counted as read."""
        fd = self._fd(path)
        pos = dst_off
        for start, length in spans:
            done = 0
            while done < length:
                n = 0
                if self._kernel_copy:
                    try:
                        n = os.copy_file_range(fd, dst_fd, length - done, start + done, pos)
                    except OSError:  # EXDEV / ENOSYS / EINVAL on some file systems
                        self._kernel_copy = False
                if n <= 0:
                    try:
                        buf = os.pread(fd, min(length - done, 8 << 20), start + done)
                    except OSError as e:
                        raise self._fail(path, e) from e
                    if not buf:
                        raise SourceError(f"{self.root / path}: file ended inside a tensor")
                    n = os.pwrite(dst_fd, buf, pos)
                done += n
                pos += n
            self.coverage.add(path, start, length)
        return pos - dst_off

    def hash_span(
        self, path: str, start: int, length: int, h: Any, counted: bool = True
    ) -> None:
        """Feed a span into hash object `h`, read with pread into a per-thread buffer: no
        mapped pages (memory stays flat, and hashing threads do not contend on page
        faults), one copy from the page cache. Counted as read unless `counted` is False."""
        buf = getattr(self._tls, "buf", None)
        if buf is None:
            buf = self._tls.buf = memoryview(bytearray(HASH_CHUNK))
        fd = self._fd(path)
        done = 0
        while done < length:
            try:
                n = os.preadv(fd, [buf[: min(HASH_CHUNK, length - done)]], start + done)
            except OSError as e:
                raise self._fail(path, e) from e
            if n <= 0:
                raise SourceError(f"{self.root / path}: file ended inside a tensor")
            h.update(buf[:n])
            done += n
        if counted:
            self.coverage.add(path, start, length)

    def read_small(self, path: str, limit: int) -> bytes | None:
        if self.source.local_path(path) is None:
            return None
        data = self.read(path, 0, limit)
        return data

    @property
    def bytes_transferred(self) -> int:
        return self.coverage.total()

    def bytes_of(self, paths: builtins.list[str]) -> int:
        """Distinct bytes read from these files only."""
        return self.coverage.total(paths)

    def close(self) -> None:
        with self._lock:
            fds, self._fds = self._fds, {}
        for fd in fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)


def _stat_size(p: Path) -> int | None:
    try:
        return p.stat().st_size
    except OSError:
        return None


class SourceFiles:
    """Any compliance `Source` (local or Hub): reads go through `Source.read_range`, which
    the Hub source implements with bounded HTTP range reads."""

    parallel = 4

    def __init__(self, source: Source) -> None:
        self.source = source
        self.label = source.repo_id or source.label
        self._files = {f.path: f for f in source.list_files()}
        self.coverage = Coverage()  # distinct bytes, for sources without a network counter

    def list(self) -> builtins.list[str]:
        return sorted(self._files)

    def size(self, path: str) -> int | None:
        f = self._files.get(path)
        return f.size if f else None

    def lfs_sha256(self, path: str) -> str | None:
        f = self._files.get(path)
        return f.lfs_sha256 if f else None

    def read(self, path: str, start: int, length: int) -> bytes:
        data = self.source.read_range(path, start, length)
        self.coverage.add(path, start, len(data))
        return data

    @property
    def ignores_range(self) -> bool | None:
        """The source's server answers ranged requests with the whole file (None: unknown,
        or not an HTTP source)."""
        got = getattr(self.source, "ignores_range", None)
        return got if isinstance(got, bool) else None

    @property
    def batches(self) -> bool:
        """Reading many spans in one `read_ranges` call is cheaper than reading them one by
        one: true over a server that ignores Range (one streamed pass per file instead of
        one per span); over one that honours it, parallel ranged reads are faster."""
        return self.ignores_range is True and callable(getattr(self.source, "read_ranges", None))

    def read_ranges(
        self, path: str, ranges: builtins.list[tuple[int, int]]
    ) -> builtins.list[bytes]:
        """The bytes of each (start, length) range of one file, in as few requests as the
        source allows."""
        batch = getattr(self.source, "read_ranges", None)
        if batch is None:
            return [self.read(path, s, n) for s, n in ranges]
        out = list(batch(path, list(ranges)))
        for (start, _n), data in zip(ranges, out, strict=True):
            self.coverage.add(path, start, len(data))
        return out

    @property
    def requests(self) -> int | None:
        got = getattr(getattr(self.source, "counter", None), "requests", None)
        return int(got) if isinstance(got, int) else None

    def read_small(self, path: str, limit: int) -> bytes | None:
        if path not in self._files:
            return None
        data = self.source.read_bytes(path, limit)
        if data:
            self.coverage.add(path, 0, len(data))
        return data

    def _network_bytes(self) -> int | None:
        # the Hub source counts what its HTTP reads received (more than asked for when a
        # server ignores Range); small files it fetched up front are counted there too
        counted = getattr(getattr(self.source, "counter", None), "bytes", None)
        return int(counted) if isinstance(counted, int) else None

    @property
    def bytes_transferred(self) -> int:
        counted = self._network_bytes()
        return counted if counted is not None else self.coverage.total()

    def bytes_of(self, paths: builtins.list[str]) -> int:
        """Bytes received (a network source), else distinct bytes read from these files."""
        counted = self._network_bytes()
        return counted if counted is not None else self.coverage.total(paths)


class HttpFiles:
    """Files under a base URL, read through `compliance.sources.http_range` (the
    bounded range reader): a server that ignores Range answers 200 with the whole file;
    the body is streamed, the bytes before `start` are discarded and the connection is
    dropped once the wanted span has arrived. Every byte received is counted."""

    parallel = 8

    def __init__(
        self,
        base_url: str,
        *,
        files: builtins.list[str] | None = None,
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

    def list(self) -> builtins.list[str] | None:
        return self._files

    def size(self, path: str) -> int | None:
        return None  # taken from the safetensors headers instead (no extra request)

    def lfs_sha256(self, path: str) -> str | None:
        return None

    def read(self, path: str, start: int, length: int) -> bytes:
        return self.read_ranges(path, [(start, length)])[0]

    def read_ranges(
        self, path: str, ranges: builtins.list[tuple[int, int]]
    ) -> builtins.list[bytes]:
        """Many spans of one file: one ranged request each when the server honours Range,
        one streamed pass for all of them when it ignores it."""
        from compliance.sources.http_range import read_ranges

        return read_ranges(
            self._url(path),
            ranges,
            self.headers,
            counter=self.counter,
            timeout=self.timeout,
            max_gap=0,
            what=f"{self.label}{path}",
            client=self.client,
        )

    @property
    def ignores_range(self) -> bool | None:
        return self.counter.range_ignored

    @property
    def batches(self) -> bool:
        """See `SourceFiles.batches`."""
        return self.ignores_range is True

    @property
    def requests(self) -> int:
        return self.counter.requests

    def read_small(self, path: str, limit: int) -> bytes | None:
        try:
            data = self.read(path, 0, limit)
        except RepoNotFoundError:
            return None
        return data

    @property
    def bytes_transferred(self) -> int:
        return self.counter.bytes


class PrefetchedSpans:
    """Planned spans of remote files, fetched one file at a time in ONE `read_ranges` call
    and held until read once each.

    Over a server that ignores Range every separate read streams the file from byte 0, so
    n reads of one file cost n passes; batched, they cost one. A file's spans are fetched
    on the first read that needs that file (so memory holds the planned rows of the files
    being read, not of the whole model) and each span is dropped once it has been served
    as often as it was planned. A read that was not planned, or asked for again after it
    was served, returns None: the caller reads it the ordinary way."""

    def __init__(self, files: Any, planned: dict[str, list[tuple[int, int]]]) -> None:
        self.files = files
        self._todo: dict[str, list[tuple[int, int]]] = {p: list(s) for p, s in planned.items()}
        self._held: dict[tuple[str, int, int], list[Any]] = {}  # key -> [bytes, reads left]
        self._lock = threading.Lock()
        self._file_locks = {p: threading.Lock() for p in planned}

    def _fetch(self, path: str) -> None:
        with self._lock:
            spans = self._todo.pop(path, None)
        if not spans:
            return
        counts: dict[tuple[int, int], int] = {}
        for sp in spans:
            counts[sp] = counts.get(sp, 0) + 1
        order = sorted(counts)
        datas = self.files.read_ranges(path, order)
        with self._lock:
            for (start, length), data in zip(order, datas, strict=True):
                self._held[(path, start, length)] = [data, counts[(start, length)]]

    def take(self, path: str, start: int, length: int) -> bytes | None:
        """The planned span's bytes (fetching its file's planned spans first if needed), or
        None when this span is not held."""
        lock = self._file_locks.get(path)
        if lock is None:
            return None
        with lock:  # a second reader of the same file waits for the one pass, not a new one
            if path in self._todo:
                self._fetch(path)
        key = (path, start, length)
        with self._lock:
            slot = self._held.get(key)
            if slot is None:
                return None
            slot[1] -= 1
            if slot[1] <= 0:
                del self._held[key]
            return slot[0]

    @property
    def held_bytes(self) -> int:
        with self._lock:
            return sum(len(v[0]) for v in self._held.values())

    def release(self) -> None:
        with self._lock:
            self._todo.clear()
            self._held.clear()
