"""A `TensorView` over a safetensors checkpoint (local dir, Hub repo, or HTTP dir).

Headers are read once (one small range per shard); after that only the requested
rows are read: row r of a row-major [rows, cols] tensor is one contiguous byte
span, and adjacent rows are coalesced into one read (lineage.md §3.1). Nothing
holds more than the rows asked for, so memory is bounded by what a signal asks
for (a layer's sample), never by the model.

Over a server that ignores HTTP Range each read streams the file from byte 0, so
`prefetch(requests)` turns a whole sampling plan into one `read_ranges` call per
file (one streamed pass) and `rows()` serves the planned spans from those bytes,
each dropped once served (see `files.PrefetchedSpans`). Over a server that honours
Range, prefetch does nothing and reads stay parallel ranged requests.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from compliance import safeload
from compliance.facts import safetensors_header as st
from compliance.weights import digests, dtypes
from compliance.weights.files import ByteFiles, PrefetchedSpans
from compliance.weights.roles import RoleMap, TensorRef, build_role_map

INDEX_FILE = "model.safetensors.index.json"
HEADER_PREFETCH = 1 << 16  # first read per shard: prefix + usually the whole header
SMALL_FILE_LIMIT = 64 * 1024 * 1024  # config.json / index / tokenizer.json cap
JSON_MAX_DEPTH = 64  # config.json / index: real ones nest < 10 levels
HASH_CHUNK = 16 * 1024 * 1024

# the one safetensors header reader, shared with the facts path
WeightsFormatError = st.HeaderError


@dataclass(frozen=True)
class TensorEntry:
    name: str
    file: str
    dtype: str
    shape: tuple[int, ...]
    start: int  # absolute byte offset in the file
    nbytes: int


def parse_header(buf: bytes, path: str, size: int | None = None) -> tuple[int, dict[str, Any]]:
    """(header_length N, parsed JSON) from the first bytes of a safetensors file.
    `buf` must hold at least 8 + N bytes; callers read the prefix first."""
    n = st.header_length(buf[:8], path, size)
    if len(buf) < 8 + n:
        got = max(0, len(buf) - 8)
        raise WeightsFormatError(f"{path}: file ends inside the header ({got} of {n} bytes)")
    return n, st.parse_header(bytes(buf[8 : 8 + n]), path)


def header_entries(
    path: str, n: int, header: dict[str, Any], where: str | None = None
) -> list[TensorEntry]:
    """The tensors of a parsed header; `where` names the file in errors (default `path`)."""
    where = where or path
    out = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(info, dict):
            raise WeightsFormatError(f"{where}: malformed header entry for {name[:80]!r}")
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if (
            not isinstance(dtype, str)
            or not st.valid_shape(shape)
            or not (isinstance(offsets, list) and len(offsets) == 2)
            or not all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offsets)
        ):
            raise WeightsFormatError(f"{where}: malformed header entry for {name[:80]!r}")
        begin, end = offsets
        shape_t = tuple(shape)
        need = st.tensor_nbytes(dtype, shape_t)
        if end < begin or (dtype in st.DTYPE_BITS and need != end - begin):
            raise WeightsFormatError(
                f"{where}: data_offsets of {name[:80]!r} do not match its shape"
            )
        out.append(TensorEntry(name, path, dtype, shape_t, 8 + n + begin, end - begin))
    return out


def _runs(rows: np.ndarray, max_gap_rows: int) -> list[tuple[int, int, int]]:
    """Sorted unique rows -> [(first_row, n_rows_to_read, index_of_first_in_rows)]; rows
    separated by at most `max_gap_rows` unread rows are read in one span."""
    if rows.size == 0:
        return []
    breaks = np.nonzero(np.diff(rows) > max_gap_rows + 1)[0] + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [rows.size]])
    pairs = zip(starts, ends, strict=True)
    return [(int(rows[s]), int(rows[e - 1] - rows[s] + 1), int(s)) for s, e in pairs]


@dataclass(frozen=True)
class RawRows:
    """Rows to copy undecoded: dtype, (rows, cols), and the file's byte spans in order."""

    dtype: str
    shape: tuple[int, int]
    file: str
    spans: list[tuple[int, int]]


def _runs_in_order(rows: np.ndarray) -> list[tuple[int, int]]:
    """Rows in their given order -> [(first_row, n_rows)] runs of consecutive rows."""
    if rows.size == 0:
        return []
    breaks = np.nonzero(np.diff(rows) != 1)[0] + 1
    starts = np.concatenate([[0], breaks])
    ends = np.concatenate([breaks, [rows.size]])
    return [(int(rows[s]), int(e - s)) for s, e in zip(starts, ends, strict=True)]


def _grid(ref: TensorRef, e: TensorEntry) -> tuple[int, int]:
    """(rows, cols) of the 2-D matrix the role's row indices address: the tensor's first
    dimension, or for a fused expert tensor every dimension but the last."""
    if ref.flat:
        return math.prod(e.shape[:-1]), int(e.shape[-1])
    return int(e.shape[0]), math.prod(e.shape[1:])


class SafetensorsView:
    """TensorView over safetensors files reachable through a `ByteFiles`."""

    def __init__(
        self,
        files: ByteFiles,
        *,
        label: str | None = None,
        revision: str | None = None,
        config: dict[str, Any] | None = None,
        max_gap_bytes: int = 0,
        digest_max_bytes: int | None = None,
    ) -> None:
        self.files = files
        self.label = label or files.label
        self.revision = revision
        self.max_gap_bytes = max_gap_bytes
        # local: hash anything; remote: hashing means downloading, so only when asked
        self.digest_max_bytes = digest_max_bytes
        self.local = getattr(files, "read_spans", None) is not None  # local files (pread)
        self.config = config if config is not None else self._read_json("config.json") or {}
        self.weight_files = self._discover()
        self.entries: dict[str, TensorEntry] = {}
        self.file_sizes: dict[str, int] = {}
        self.file_tensors: dict[str, list[str]] = {}
        self._read_headers()
        self.rolemap: RoleMap = build_role_map(
            {e.name: e.shape for e in self.entries.values()}, self.config
        )
        self.arch = self.rolemap.arch
        self.n_layers = self.rolemap.n_layers
        self._digests: dict[tuple[str, Any], str | None] = {}
        self._tokenizer_digest: str | None | bool = False
        self._hashed = 0
        self._hash_lock = threading.Lock()
        self._prefetched: PrefetchedSpans | None = None

    # discovery -----------------------------------------------------------------
    def _read_json(self, path: str) -> Any:
        raw = self.files.read_small(path, SMALL_FILE_LIMIT + 1)
        if raw is None:
            return None
        where = f"{self.label}/{path}"
        if len(raw) > SMALL_FILE_LIMIT:
            raise WeightsFormatError(f"{where}: larger than {SMALL_FILE_LIMIT} bytes")
        loaded = safeload.load_json(
            bytes(raw), where, max_bytes=SMALL_FILE_LIMIT, max_depth=JSON_MAX_DEPTH
        )
        if loaded.error is not None:
            raise WeightsFormatError(f"{where}: {loaded.error.message}")
        return loaded.value

    def _discover(self) -> list[str]:
        listing = self.files.list()
        if listing is None or INDEX_FILE in listing:
            index = self._read_json(INDEX_FILE)
            if isinstance(index, dict) and isinstance(index.get("weight_map"), dict):
                return sorted(set(map(str, index["weight_map"].values())))
        if listing is None:
            return ["model.safetensors"]
        top = [p for p in listing if p.endswith(".safetensors") and "/" not in p]
        # Mistral repos ship both consolidated.safetensors and the HF shards
        hf = [p for p in top if not p.startswith("consolidated")]
        found = hf or top
        if not found:
            raise WeightsFormatError(f"{self.label}: no safetensors weights found")
        return sorted(found)

    def _read_headers(self) -> None:
        # remote: one request usually gets the whole header; local reads cost nothing per
        # call, so read exactly the header and count no tensor bytes as read
        prefetch = 8 if self.local else HEADER_PREFETCH
        for path in self.weight_files:
            where = f"{self.label}/{path}"
            buf = bytes(self.files.read(path, 0, prefetch))
            n = st.header_length(buf[:8], where, self.files.size(path))
            if len(buf) < 8 + n:
                buf += bytes(self.files.read(path, len(buf), 8 + n - len(buf)))
            n, header = parse_header(buf, where)
            ents = header_entries(path, n, header, where)
            self.file_tensors[path] = [e.name for e in ents]
            self.file_sizes[path] = max([8 + n] + [e.start + e.nbytes for e in ents])
            for e in ents:
                self.entries[e.name] = e

    # TensorView -------------------------------------------------------------------
    def roles(self, layer: int | None) -> list[str]:
        return self.rolemap.roles(layer)

    def _ref(self, role: str, layer: int | None) -> tuple[TensorRef, TensorEntry]:
        ref = self.rolemap.get(role, layer)
        return ref, self.entries[ref.name]

    def shape(self, role: str, layer: int | None) -> tuple[int, ...] | None:
        try:
            return self.rolemap.get(role, layer).shape
        except KeyError:
            return None

    def dtype(self, role: str, layer: int | None) -> str:
        return self._ref(role, layer)[1].dtype

    def rows(self, role: str, layer: int | None, rows: Sequence[int] | None = None) -> np.ndarray:
        ref, e = self._ref(role, layer)
        if e.dtype not in dtypes.DECODABLE:
            raise LookupError(f"{self.label}: {e.name} has dtype {e.dtype}, which is not decoded")
        if len(e.shape) <= 1:
            return self._vector(ref, e, rows)
        n_rows, cols = _grid(ref, e)
        phys = ref.physical_rows(rows)
        if phys is None:
            return dtypes.decode(self._read(e.file, e.start, e.nbytes), e.dtype).reshape(
                n_rows, cols
            )
        if phys.size and (phys.min() < 0 or phys.max() >= n_rows):
            raise IndexError(f"{self.label}: row out of range for {e.name} {e.shape}")
        uniq, inverse = np.unique(phys, return_inverse=True)
        itemsize = dtypes.ITEMSIZE[e.dtype]
        row_bytes = cols * itemsize
        read_spans = getattr(self.files, "read_spans", None)
        if read_spans is not None:
            # local: one pread per contiguous run of rows (the plan samples blocks of rows)
            spans = [(e.start + first * row_bytes, n * row_bytes) for first, n, _ in _runs(uniq, 0)]
            out = dtypes.decode(read_spans(e.file, spans), e.dtype).reshape(uniq.size, cols)
        else:
            out = np.empty((uniq.size, cols), dtype=np.float32)
            for first, count, pos in self._row_runs(uniq, row_bytes):
                raw = self._read(e.file, e.start + first * row_bytes, count * row_bytes)
                block = dtypes.decode(raw, e.dtype).reshape(count, cols)
                wanted = uniq[pos : pos + count]
                wanted = wanted[wanted < first + count]
                out[pos : pos + wanted.size] = block[wanted - first]
        if uniq.size == phys.size and np.array_equal(uniq, phys):
            return out
        return out[inverse.reshape(-1)]

    def _row_runs(self, uniq: np.ndarray, row_bytes: int) -> list[tuple[int, int, int]]:
        """The remote reads of these sorted unique rows: (first_row, n_rows, index in uniq)."""
        gap_rows = self.max_gap_bytes // row_bytes if row_bytes else 0
        return _runs(uniq, gap_rows)

    def _read(self, path: str, start: int, length: int) -> bytes | memoryview:
        """A remote span: from the prefetched bytes when planned, else one ordinary read."""
        held = self._prefetched
        if held is not None:
            got = held.take(path, start, length)
            if got is not None:
                return got
        return self.files.read(path, start, length)

    def planned_spans(
        self, role: str, layer: int | None, rows: Sequence[int] | None = None
    ) -> list[tuple[str, int, int]]:
        """(file, start, length) of every read `rows(role, layer, rows)` makes on a remote
        source, in order; [] when it would read nothing (undecoded dtype, bad rows)."""
        ref, e = self._ref(role, layer)
        if e.dtype not in dtypes.DECODABLE:
            return []
        if len(e.shape) <= 1:
            ok = rows is None or list(rows) == [0]
            return [(e.file, e.start, e.nbytes)] if ok else []
        phys = ref.physical_rows(rows)
        if phys is None:
            return [(e.file, e.start, e.nbytes)]
        n_rows, cols = _grid(ref, e)
        if phys.size and (phys.min() < 0 or phys.max() >= n_rows):
            return []
        row_bytes = cols * dtypes.ITEMSIZE[e.dtype]
        return [
            (e.file, e.start + first * row_bytes, count * row_bytes)
            for first, count, _ in self._row_runs(np.unique(phys), row_bytes)
        ]

    def prefetch(self, requests: Iterable[tuple[str, int | None, Sequence[int] | None]]) -> bool:
        """Plan the reads of these (role, layer, rows) requests so that each file's spans
        come in ONE `read_ranges` call, when the byte source gains from it (a server that
        ignores Range: one streamed pass per file instead of one per span). Returns whether
        reads are now batched; False (nothing changes) for local files and for servers that
        honour Range, where parallel ranged reads are faster. `release_prefetched()` frees
        what was fetched and not yet read."""
        if self.local or not getattr(self.files, "batches", False):
            return False
        planned: dict[str, list[tuple[int, int]]] = {}
        for role, layer, rows in requests:
            try:
                spans = self.planned_spans(role, layer, rows)
            except (KeyError, LookupError, IndexError):
                continue  # rows() will raise for it too; nothing to fetch
            for path, start, length in spans:
                planned.setdefault(path, []).append((start, length))
        if not planned:
            return False
        self._prefetched = PrefetchedSpans(self.files, planned)
        return True

    def release_prefetched(self) -> None:
        """Drop prefetched bytes not read yet; later reads are ordinary reads again."""
        held, self._prefetched = self._prefetched, None
        if held is not None:
            held.release()

    def raw_rows(
        self, role: str, layer: int | None, rows: Sequence[int] | None = None
    ) -> RawRows | None:
        """The undecoded bytes of these rows of a local BF16/F16/F32 matrix, as spans to copy
        (None: remote, other dtypes, 1-D). A fingerprint stores exactly these bytes (its
        compact encoding of such rows is the source dtype), so copying them skips a decode
        and a re-encode of every sampled row."""
        copy = getattr(self.files, "copy_spans", None)
        ref, e = self._ref(role, layer)
        if copy is None or e.dtype not in ("BF16", "F16", "F32") or len(e.shape) < 2:
            return None
        n_rows, cols = _grid(ref, e)
        row_bytes = cols * dtypes.ITEMSIZE[e.dtype]
        phys = ref.physical_rows(rows)
        if phys is None:
            phys = np.arange(n_rows)
        if phys.size and (phys.min() < 0 or phys.max() >= n_rows):
            raise IndexError(f"{self.label}: row out of range for {e.name} {e.shape}")
        # runs in the requested order (a fused tensor's logical rows may be remapped)
        spans = [(e.start + first * row_bytes, n * row_bytes) for first, n in _runs_in_order(phys)]
        return RawRows(e.dtype, (int(phys.size), cols), e.file, spans)

    def _vector(self, ref: TensorRef, e: TensorEntry, rows: Sequence[int] | None) -> np.ndarray:
        if rows is not None and list(rows) != [0]:
            raise IndexError(f"{self.label}: {e.name} is 1-D; only row 0 exists")
        vec = dtypes.decode(self._read(e.file, e.start, e.nbytes), e.dtype)
        table = ref.physical_rows(None)
        if table is not None:
            vec = vec[table]
        return vec.reshape(1, -1)

    def digest(self, role: str, layer: int | None) -> str | None:
        ref, e = self._ref(role, layer)
        key = (ref.name, ref.segments)  # a tied lm_head is hashed once
        if key not in self._digests:
            self._digests[key] = self._compute_digest(ref, e)
        return self._digests[key]

    def _compute_digest(self, ref: TensorRef, e: TensorEntry) -> str | None:
        if ref.segments is None and self.file_tensors.get(e.file) == [e.name]:
            lfs = self.files.lfs_sha256(e.file)
            if lfs:
                # whole-file hash (header included): equal only to the same file's hash,
                # so it can only ever confirm identity, never invent it
                return "file-sha256:" + lfs
        if self.digest_max_bytes is not None and e.nbytes > self.digest_max_bytes:
            return None
        algo, h = digests.hasher()
        if len(e.shape) >= 2 and ref.segments is not None:
            row_bytes = _grid(ref, e)[1] * dtypes.ITEMSIZE.get(e.dtype, 1)
            spans = [(e.start + s * row_bytes, c * row_bytes) for s, c in ref.segments]
        elif ref.segments is not None:  # packed 1-D bias: hash the part's elements
            size = dtypes.ITEMSIZE.get(e.dtype, 1)
            spans = [(e.start + s * size, c * size) for s, c in ref.segments]
        else:
            spans = [(e.start, e.nbytes)]
        feed = getattr(self.files, "hash_span", None)
        if feed is None and getattr(self.files, "batches", False):
            # a server that ignores Range: every chunk read would stream the file from byte
            # 0 again, so the tensor's chunks come in one pass (held: at most the tensor,
            # which digest_max_bytes bounds)
            chunks = [
                (start + off, min(HASH_CHUNK, length - off))
                for start, length in spans
                for off in range(0, length, HASH_CHUNK)
            ]
            for data in self.files.read_ranges(e.file, chunks):
                h.update(data)
            with self._hash_lock:
                self._hashed += sum(n for _s, n in spans)
            return f"{algo}:{h.hexdigest()}"
        for start, length in spans:
            if feed is not None:
                feed(e.file, start, length, h)
            else:
                for off in range(0, length, HASH_CHUNK):
                    h.update(self.files.read(e.file, start + off, min(HASH_CHUNK, length - off)))
            with self._hash_lock:
                self._hashed += length
        return f"{algo}:{h.hexdigest()}"

    @property
    def bytes_read(self) -> int:
        """Bytes read from storage for this model, each byte once (see files.py): for a
        local checkpoint the distinct bytes of the weight files (headers, sampled rows,
        hashed tensors), so it never exceeds `total_bytes`; remotely, bytes received."""
        bytes_of = getattr(self.files, "bytes_of", None)
        if bytes_of is not None:
            return int(bytes_of(self.weight_files))
        return self.files.bytes_transferred

    @property
    def requests(self) -> int | None:
        """HTTP requests made for this model (None for local files)."""
        got = getattr(self.files, "requests", None)
        return int(got) if isinstance(got, int) else None

    @property
    def ignores_range(self) -> bool | None:
        """The server sent whole files for ranged requests (so `bytes_read` includes the
        bytes streamed past on the way to the sampled rows); None: local or unknown."""
        got = getattr(self.files, "ignores_range", None)
        return got if isinstance(got, bool) else None

    @property
    def bytes_hashed(self) -> int:
        """Tensor bytes fed to the digest (a tied tensor once); reported apart from
        `bytes_read`, which already counts those bytes once."""
        return self._hashed

    # extras (not in the protocol) ---------------------------------------------------
    @property
    def total_bytes(self) -> int:
        """Size of all weight files (from the headers; no extra requests)."""
        return sum(self.file_sizes.values())

    @property
    def coverage(self) -> dict[str, Any]:
        """Bytes of the weights given a role and of those not understood (coverage.py)."""
        from compliance.weights.coverage import measure

        return measure(
            {n: e.nbytes for n, e in self.entries.items()}, self.rolemap.unrecognised
        )

    @property
    def tokenizer_digest(self) -> str | None:
        if self._tokenizer_digest is False:
            raw = self.files.read_small("tokenizer.json", SMALL_FILE_LIMIT)
            self._tokenizer_digest = hashlib.sha256(raw).hexdigest() if raw else None
        return self._tokenizer_digest  # type: ignore[return-value]

    def fetch_many(
        self, requests: Iterable[tuple[str, int | None, Sequence[int] | None]]
    ) -> list[np.ndarray]:
        """rows() for many requests, concurrently when the byte source is remote."""
        reqs = list(requests)
        par = max(1, int(getattr(self.files, "parallel", 1)))
        if par == 1 or len(reqs) < 2:
            return [self.rows(r, ly, rw) for r, ly, rw in reqs]
        with ThreadPoolExecutor(max_workers=par) as pool:
            return list(pool.map(lambda q: self.rows(q[0], q[1], q[2]), reqs))
