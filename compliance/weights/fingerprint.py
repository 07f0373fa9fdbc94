"""Fingerprint files: the sampled rows of a model, stored once, compared many times.

The container is a safetensors file (so loading never unpickles anything):
tensors are the sampled rows, named "<layer|model>/<role>", with their row indices
in "<layer|model>/<role>#rows" (absent = all rows). What is stored of each (schema 3):

* rows the plan sketches (q/k/v/o/gate/up/router/embedding rows wider than
  `sketch_dim`): their sketch (`sketch.project`, F16; listed in metadata "sketched"),
  plus the Gram matrix X X' of the unsketched rows in "...#gram" (F32, k x k), which
  rotation-invariant signals read through `FingerprintView.row_gram`;
* down projections (neuron coordinates, every column needed): 8-bit integers with one
  F32 scale per row in "...#scale" (relative error < 0.4 % of the row's largest value),
  plus "...#gram";
* 1-D tensors and other rows: the smallest lossless encoding (BF16 rows stay BF16).

`__metadata__["modelcheck.fingerprint"]`
is JSON: schema version, source, revision, sampling seed and plan, full shapes,
whole-tensor digests when asked for (`digests=True`, `modelcheck fingerprint
--full-digests`; without them comparisons match the stored sampled rows, see
signals/identical_tensors.py), a config subset, tokenizer digest, bytes read (and, for a
remote model, the HTTP requests made and whether its server ignored Range).

A folder of fingerprint files is a library of reference models.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import struct
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np

from compliance import safeload
from compliance.errors import ModelcheckError
from compliance.facts.safetensors_header import element_count, header_length, valid_shape
from compliance.weights import dtypes, sketch
from compliance.weights.config_fields import ARCH_FIELDS
from compliance.weights.digests import algorithm as digest_algorithm
from compliance.weights.digests import sample_digest
from compliance.weights.files import open_regular
from compliance.weights.provenance import source_files
from compliance.weights.safetensors_view import (
    RawRows,
    WeightsFormatError,
    header_entries,
    parse_header,
)

# 3: sketched matrix rows, 8-bit down projections, Gram matrices (14B: 48 MB, not 537)
# 2: rows sampled in contiguous blocks (SamplePlan.block_rows), algorithm-prefixed digests
SCHEMA = 3
META_KEY = "modelcheck.fingerprint"

# config.json fields worth keeping (architecture identity; no free text): every field the
# config_similarity signal compares, plus what identifies MoE layouts and tokens
CONFIG_KEYS = (
    "model_type",
    "architectures",
    *ARCH_FIELDS,
    "num_experts_per_tok",
    "n_routed_experts",
    "n_shared_experts",
    "shared_expert_intermediate_size",
    "first_k_dense_replace",
    "sliding_window",
    "torch_dtype",
    "new_decoder_architecture",
    "multi_query",
    "n_head",
    "n_head_kv",
    "num_kv_heads",
    "bos_token_id",
    "eos_token_id",
    "_tokenizer_sha256",
)


HEADER_RESERVE_BASE = 256 << 10  # config subset, plan, skipped notes
HEADER_RESERVE_PER_TENSOR = 2048  # two header entries + shape, dtype and digest in metadata


MAX_META_BYTES = 64 << 20  # the metadata JSON of a 100k-tensor model is a few MB
MAX_LAYERS = 4096  # far more layers than any model has; bounds per-layer loops
# (low, high) of every plan field a fingerprint may record
PLAN_RANGES = {
    "seed": (0, (1 << 63) - 1),
    "schema": (1, 3),
    "rows_per_matrix": (1, 1 << 20),
    "neuron_rows": (1, 1 << 20),
    "vocab_rows": (1, 1 << 20),
    "vocab_range": (1, 1 << 31),
    "max_neurons": (1, 1 << 16),
    "neuron_layers": (0, MAX_LAYERS),
    "block_rows": (1, 1 << 16),
    "sketch_dim": (0, 1 << 16),
}


def _check_ranges(meta: dict[str, Any]) -> None:
    """ValueError when a number a fingerprint claims is out of any real model's range
    (a claimed 10**12 layers would otherwise size loops and arrays)."""
    n_layers = meta.get("n_layers") or 0
    if not isinstance(n_layers, int) or isinstance(n_layers, bool):
        raise ValueError(f"n_layers must be an integer, not {str(n_layers)[:40]!r}")
    if not 0 <= n_layers <= MAX_LAYERS:
        raise ValueError(f"n_layers {n_layers} is outside 0..{MAX_LAYERS}")
    plan = meta.get("plan") or {}
    if not isinstance(plan, dict):
        raise ValueError("plan is not a mapping")
    for key, (low, high) in PLAN_RANGES.items():
        value = plan.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            raise ValueError(f"plan field {key!r} = {value} is outside {low}..{high}")
    shapes = meta.get("shapes") or {}
    if not isinstance(shapes, dict):
        raise ValueError("shapes is not a mapping")
    for key, shape in shapes.items():
        if not valid_shape(shape) or element_count(shape) is None:
            raise ValueError(f"shape of {str(key)[:80]!r} is not a valid tensor shape")


class FingerprintError(ModelcheckError):
    """A fingerprint file that cannot be used (wrong schema, not a fingerprint, corrupt)."""


def tensor_key(role: str, layer: int | None) -> str:
    return f"{'model' if layer is None else layer}/{role}"


def _split_key(key: str) -> tuple[str, int | None]:
    where, role = key.split("/", 1)
    return role, (None if where == "model" else int(where))


def config_subset(config: dict[str, Any]) -> dict[str, Any]:
    out = {k: config[k] for k in CONFIG_KEYS if k in config}
    tc = config.get("text_config")
    if isinstance(tc, dict):
        out["text_config"] = {k: tc[k] for k in CONFIG_KEYS if k in tc}
    return out


@dataclass(frozen=True)
class FingerprintInfo:
    path: str
    tensors: int
    file_bytes: int
    bytes_read: int
    total_bytes: int | None
    seconds: float
    bytes_hashed: int = 0  # tensor bytes fed to digests (inside bytes_read, not added to it)


def write_fingerprint(
    view: Any,
    out_path: str | os.PathLike[str],
    plan: Any = None,
    *,
    repo_id: str | None = None,
    digests: bool = True,
    name_source: str | None = None,
) -> FingerprintInfo:
    """Sample `view` per `plan` (signals.SamplePlan) layer by layer and write the file.

    Memory holds one layer's sampled rows at a time; values are streamed to a temp
    file and the header (which needs every offset) is written last."""
    from compliance.weights.signals import SamplePlan

    plan = plan or SamplePlan()
    t0 = time.perf_counter()
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    requests = plan.requests(view)
    from compliance.weights.progress import Progress  # stderr, only on a terminal

    bar = Progress(f"fingerprint {view.label}", len(requests), read=lambda: int(view.bytes_read))
    header: dict[str, Any] = {}
    shapes: dict[str, list[int]] = {}
    src_dtypes: dict[str, str] = {}
    digest_map: dict[str, str] = {}
    samples: dict[str, str] = {}  # digests of the sampled values, before sketch/8-bit storage
    sketched: list[str] = []
    pending: list[Any] = []
    skipped: list[dict[str, Any]] = []
    offset = 0
    fetch = getattr(view, "fetch_many", None)
    fd, tmp_name = tempfile.mkstemp(prefix=".fp-", dir=out.parent)
    # the header needs every offset, so it is written last, into room reserved before
    # the data (JSON may end in spaces: the format pads headers with them)
    reserved = HEADER_RESERVE_BASE + HEADER_RESERVE_PER_TENSOR * len(requests)
    # hashing releases the GIL: the main thread samples and writes while the other cores hash
    # (on 2 cores one hashing worker measured fastest; more only oversubscribe)
    pool = ThreadPoolExecutor(max_workers=max(1, min(4, (os.cpu_count() or 2) - 1)))
    # sampled rows are digested, sketched, quantised and their Gram taken on the cores the
    # whole-tensor hashing leaves free (on 2 cores: 2 workers, or 1 beside the hashing)
    cores = os.cpu_count() or 1
    encoders = ThreadPoolExecutor(max_workers=max(1, min(4, cores - (1 if digests else 0))))
    # over a server that ignores Range: one streamed pass per file for the whole plan
    # instead of one pass from byte 0 per sampled block (a no-op elsewhere)
    prefetch = getattr(view, "prefetch", None)
    if prefetch is not None:
        prefetch(requests)
    try:
        with os.fdopen(fd, "wb", buffering=0) as data:
            base = 8 + reserved  # data starts here; every write is positioned (pwrite)

            def entry(name: str, dtype: str, shape: Sequence[int], nbytes: int) -> None:
                nonlocal offset
                header[name] = {
                    "dtype": dtype,
                    "shape": [int(x) for x in shape],
                    "data_offsets": [offset, offset + nbytes],
                }
                offset += nbytes

            def put(name: str, dtype: str, shape: Sequence[int], payload: bytes) -> None:
                view_ = memoryview(payload)
                done = 0
                while done < len(view_):
                    done += os.pwrite(data.fileno(), view_[done:], base + offset + done)
                entry(name, dtype, shape, len(view_))

            def put_raw(name: str, raw: Any) -> None:
                n = view.files.copy_spans(raw.file, raw.spans, data.fileno(), base + offset)
                entry(name, raw.dtype, raw.shape, n)

            for role, layer in plan.unsampled(view):  # shape and digest, no rows
                key = tensor_key(role, layer)
                shape = view.shape(role, layer)
                if shape is not None:
                    shapes[key] = [int(x) for x in shape]
                if digests:
                    pending.append(pool.submit(_digest, view, role, layer))
            # tensors in file order: a layer's rows are encoded on worker threads (numpy,
            # BLAS and the hashers release the GIL) while the next layer is read, and
            # written in order here, so the file is the same byte for byte
            queue: deque[tuple[str, Sequence[int] | None, Any]] = deque()

            def write_next() -> None:
                key, rows, item = queue.popleft()
                if isinstance(item, RawRows):  # undecoded local rows: already compact
                    put_raw(key, item)
                else:
                    got = item.result()
                    if got.sample is not None:
                        samples[key] = got.sample
                    for suffix, code, dims, payload in got.parts:
                        put(key + suffix, code, dims, payload)
                    if got.sketched:
                        sketched.append(key)
                if rows is not None:
                    idx = np.asarray(rows, dtype="<i4")
                    put(key + "#rows", "I32", idx.shape, idx.tobytes())

            for _layer, group in groupby(requests, key=lambda r: r[1]):
                reqs = list(group)
                if digests:  # hashed in the background while rows are sampled
                    pending.extend(pool.submit(_digest, view, role, ly) for role, ly, _ in reqs)
                arrays = _fetch(view, reqs, fetch, skipped)
                bar.advance(len(reqs))
                previous = len(queue)
                for (role, layer, rows), arr in zip(reqs, arrays, strict=True):
                    key = tensor_key(role, layer)
                    shape = view.shape(role, layer)
                    if shape is not None:
                        shapes[key] = [int(x) for x in shape]
                    dt = getattr(view, "dtype", None)
                    if dt is not None:
                        with contextlib.suppress(KeyError, LookupError):
                            src_dtypes[key] = dt(role, layer)
                    if arr is None:
                        continue
                    if isinstance(arr, RawRows):
                        queue.append((key, rows, arr))
                    else:
                        queue.append((key, rows, encoders.submit(
                            _prepare, plan, role, shape, rows, arr, src_dtypes.get(key))))
                for _ in range(previous):  # the layer before: encoded while this one was read
                    write_next()
            while queue:
                write_next()
        for fut in pending:
            key, d = fut.result()
            if d:
                digest_map[key] = d
        meta = {
            "schema": SCHEMA,
            "tool": _tool_version(),
            "source": view.label,
            "repo_id": repo_id,
            "name_source": name_source or ("Hub repo id" if repo_id else None),
            "revision": view.revision,
            "arch": view.arch,
            "n_layers": view.n_layers,
            "seed": plan.seed,
            "plan": plan.as_dict(),
            "shapes": shapes,
            "dtypes": src_dtypes,
            "digests": digest_map,
            "samples": samples,
            "sketched": sketched,
            "digest_algorithm": digest_algorithm(),
            "bytes_hashed": int(getattr(view, "bytes_hashed", 0) or 0),
            "config": config_subset(view.config),
            "tokenizer_digest": getattr(view, "tokenizer_digest", None),
            "bytes_read": int(view.bytes_read),
            "requests": getattr(view, "requests", None),  # HTTP requests (None: local)
            "range_ignored": getattr(view, "ignores_range", None),
            "total_bytes": getattr(view, "total_bytes", None),
            "coverage": getattr(view, "coverage", None),
            "skipped": skipped,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "source_files": source_files(view),  # the model's files, for a rerun
        }
        header["__metadata__"] = {META_KEY: json.dumps(meta, sort_keys=True)}
        hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
        hbytes += b" " * (-len(hbytes) % 8)  # the format pads the header to 8 bytes
        if len(hbytes) <= reserved:
            with open(tmp_name, "r+b") as fh:
                fh.write(struct.pack("<Q", reserved) + hbytes + b" " * (reserved - len(hbytes)))
            os.replace(tmp_name, out)
        else:  # more metadata than foreseen: copy the data behind a header of the right size
            final_fd, final_tmp = tempfile.mkstemp(prefix=".fp-", dir=out.parent)
            try:
                with os.fdopen(final_fd, "wb") as fh, open(tmp_name, "rb") as data_in:
                    fh.write(struct.pack("<Q", len(hbytes)))
                    fh.write(hbytes)
                    data_in.seek(8 + reserved)
                    shutil.copyfileobj(data_in, fh, 1 << 20)
                os.replace(final_tmp, out)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(final_tmp)
                raise
    finally:
        bar.close()
        pool.shutdown()
        encoders.shutdown(cancel_futures=True)
        release = getattr(view, "release_prefetched", None)
        if release is not None:
            release()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
    return FingerprintInfo(
        path=str(out),
        tensors=len(shapes),
        file_bytes=out.stat().st_size,
        bytes_read=int(view.bytes_read),
        total_bytes=getattr(view, "total_bytes", None),
        seconds=time.perf_counter() - t0,
        bytes_hashed=int(getattr(view, "bytes_hashed", 0) or 0),
    )


@dataclass
class _Prepared:
    sample: str | None  # digests.sample_digest of the rows as read
    parts: list[tuple[str, str, tuple[int, ...], bytes]]  # what _encoded stores
    sketched: bool


def _prepare(
    plan: Any, role: str, shape: Sequence[int] | None, rows: Sequence[int] | None, arr: Any,
    source: str | None,
) -> _Prepared:
    """One tensor's sampled rows made ready to write (runs on a worker thread)."""
    values = np.asarray(arr, dtype=np.float32)
    if values.ndim == 1:
        values = values[None, :]
    sample = sample_digest(shape, rows, values) if shape is not None else None
    return _Prepared(sample, _encoded(plan, role, shape, values, source),
                     bool(plan.sketched(role, shape)))


def _encoded(
    plan: Any, role: str, shape: Sequence[int] | None, rows: np.ndarray, source: str | None
) -> list[tuple[str, str, tuple[int, ...], bytes]]:
    """(key suffix, safetensors dtype, shape, bytes) to store for one tensor's sampled rows."""
    from compliance.weights.signals.base import role_kind

    def arr(suffix: str, code: str, values: np.ndarray) -> tuple[str, str, tuple[int, ...], bytes]:
        return suffix, code, tuple(values.shape), values.tobytes()

    if shape is None or len(shape) < 2 or plan.schema < 3:
        code, payload = dtypes.encode_compact(rows, source)
        return [("", code, tuple(rows.shape), payload)]
    gram = arr("#gram", "F32", sketch.gram(rows).astype("<f4"))
    if plan.sketched(role, shape):
        values = sketch.project(rows, plan.seed, plan.sketch_dim)
        half = values.astype("<f2")
        if np.isfinite(half).all():
            return [arr("", "F16", half), gram]
        return [arr("", "F32", values.astype("<f4")), gram]
    if role_kind(role) == "neuron":
        peak = np.abs(rows).max(axis=1)
        scale = np.where(peak > 0, peak / 127.0, 1.0).astype("<f4")
        q = np.clip(np.rint(rows / scale[:, None]), -127, 127).astype(np.int8)
        return [arr("", "I8", q), arr("#scale", "F32", scale), gram]
    code, payload = dtypes.encode_compact(rows, source)
    return [("", code, tuple(rows.shape), payload), gram]


def _digest(view: Any, role: str, layer: int | None) -> tuple[str, str | None]:
    try:
        return tensor_key(role, layer), view.digest(role, layer)
    except (KeyError, LookupError):
        return tensor_key(role, layer), None


def _fetch(
    view: Any, reqs: list[tuple[str, int | None, Any]], fetch: Any, skipped: list[dict[str, Any]]
) -> list[Any]:
    """One layer's rows; a role whose rows cannot be decoded is recorded, not fatal. Local
    BF16/F16/F32 1-D tensors come back undecoded, as spans to copy (see raw_rows); rows of
    2-D tensors are decoded (sketched, quantised, and their Gram matrix stored)."""
    raw = getattr(view, "raw_rows", None)
    if raw is not None and getattr(view, "local", False):
        out: list[Any] = []
        for role, layer, rows in reqs:
            try:
                flat = len(view.shape(role, layer) or ()) < 2
                got = raw(role, layer, rows) if flat else None
                out.append(got if got is not None else view.rows(role, layer, rows))
            except (KeyError, LookupError) as exc:
                skipped.append({"role": role, "layer": layer, "reason": str(exc)})
                out.append(None)
        return out
    if fetch is not None:
        try:
            return list(fetch(reqs))
        except (KeyError, LookupError):
            pass  # find out which one, below
    out = []
    for role, layer, rows in reqs:
        try:
            out.append(view.rows(role, layer, rows))
        except (KeyError, LookupError) as exc:
            skipped.append({"role": role, "layer": layer, "reason": str(exc)})
            out.append(None)
    return out


def _tool_version() -> str:
    from compliance import __version__

    return f"modelcheck {__version__}"


class FingerprintView:
    """TensorView over a fingerprint file: the sampled rows only (others: LookupError)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            with open_regular(self.path) as fh:
                size = os.fstat(fh.fileno()).st_size
                prefix = fh.read(8)
                n = header_length(prefix, str(self.path), size)
                buf = prefix + fh.read(n)
            n, header = parse_header(buf, str(self.path))
            entries = header_entries(str(self.path), n, header)
        except WeightsFormatError as exc:
            raise FingerprintError(f"{exc} (not a modelcheck fingerprint)") from None
        except OSError as exc:
            raise FingerprintError(
                f"{self.path}: cannot read fingerprint ({exc.strerror or exc})"
            ) from None
        header_meta = header.pop("__metadata__", None)
        raw_meta = header_meta.get(META_KEY) if isinstance(header_meta, dict) else None
        if not isinstance(raw_meta, str):
            raise FingerprintError(f"{self.path}: not a modelcheck fingerprint (no {META_KEY})")
        loaded = safeload.load_json(raw_meta, str(self.path), max_bytes=MAX_META_BYTES)
        if loaded.error is not None:
            raise FingerprintError(
                f"{self.path}: fingerprint metadata is not usable JSON ({loaded.error.message})"
            )
        meta = loaded.value
        if not isinstance(meta, dict):
            raise FingerprintError(f"{self.path}: fingerprint metadata is malformed (not a map)")
        if meta.get("schema") != SCHEMA:
            raise FingerprintError(
                f"{self.path}: fingerprint schema {meta.get('schema')!r} is not supported "
                f"(this modelcheck reads schema {SCHEMA}); regenerate it with "
                "`modelcheck fingerprint`"
            )
        if any(e.start + e.nbytes > size for e in entries):
            raise FingerprintError(f"{self.path}: fingerprint file is truncated")
        self.meta: dict[str, Any] = meta
        self._data_start = 8 + n
        self._header = header
        # never a local path as a model's name: reports would ask to declare a folder
        self.label = str(meta.get("repo_id") or f"fingerprint {self.path.name}")
        self.revision = meta.get("revision")
        self.arch = str(meta.get("arch") or "unknown")
        self._by_layer: dict[int | None, list[str]] = {}
        try:  # everything later code trusts, checked once here (a bad file: one line)
            from compliance.weights.signals import SamplePlan

            _check_ranges(meta)
            self.plan = SamplePlan.from_dict(meta.get("plan") or {})
            self.n_layers = int(meta.get("n_layers") or 0)
            self.config: dict[str, Any] = dict(meta.get("config") or {})
            self._shapes = {
                str(k): tuple(int(x) for x in v) for k, v in (meta.get("shapes") or {}).items()
            }
            for key in self._shapes:
                role, layer = _split_key(key)
                self._by_layer.setdefault(layer, []).append(role)
            self._digests: dict[str, str] = dict(meta.get("digests") or {})
            if not all(isinstance(d, str) for d in self._digests.values()):
                raise ValueError("digests must be strings")
            self._samples: dict[str, str] = dict(meta.get("samples") or {})
            if not all(
                isinstance(d, str) and d.startswith("sample-") for d in self._samples.values()
            ):
                raise ValueError("samples must be sample digests")
            sketched = meta.get("sketched") or []
            if not isinstance(sketched, list) or not all(isinstance(k, str) for k in sketched):
                raise ValueError("sketched must be a list of tensor names")
            self._sketched = set(sketched)
        except (TypeError, ValueError, AttributeError) as exc:
            raise FingerprintError(
                f"{self.path}: fingerprint metadata is malformed ({exc})"
            ) from None
        self.tokenizer_digest: str | None = meta.get("tokenizer_digest")
        self._read = len(buf)
        self._row_index: dict[str, dict[int, int] | None] = {}

    @property
    def coverage(self) -> dict[str, Any] | None:
        """What share of the model's bytes had a role when it was sampled (coverage.py)."""
        got = self.meta.get("coverage")
        if not isinstance(got, dict):
            return None
        nums = ("total_bytes", "tower_bytes", "unrecognised_bytes")
        if not all(isinstance(got.get(k), int) and got[k] >= 0 for k in nums):
            return None
        rows = got.get("unrecognised")
        if not isinstance(rows, list) or not all(
            isinstance(r, dict) and isinstance(r.get("bytes"), int) for r in rows
        ):
            return None
        return got

    @property
    def source_bytes_read(self) -> int:
        return int(self.meta.get("bytes_read") or 0)

    def roles(self, layer: int | None) -> list[str]:
        return sorted(self._by_layer.get(layer, []))

    def shape(self, role: str, layer: int | None) -> tuple[int, ...] | None:
        return self._shapes.get(tensor_key(role, layer))

    def _load(self, name: str) -> np.ndarray:
        info = self._header[name]
        begin, end = info["data_offsets"]
        with open(self.path, "rb") as fh:
            fh.seek(self._data_start + begin)
            raw = fh.read(end - begin)
        self._read += len(raw)
        if info["dtype"] == "I32":
            return np.frombuffer(raw, dtype="<i4").reshape(info["shape"])
        if info["dtype"] == "I8":  # 8-bit rows: times their per-row scale
            q = np.frombuffer(raw, dtype=np.int8).reshape(info["shape"]).astype(np.float32)
            scale = self._load(name + "#scale") if name + "#scale" in self._header else None
            if scale is None or scale.shape != (q.shape[0],):
                raise LookupError(f"{self.path}: 8-bit rows of {name} have no per-row scale")
            return q * scale[:, None]
        return dtypes.decode(raw, info["dtype"]).reshape(info["shape"])

    def _select(self, key: str, rows: Sequence[int] | None) -> np.ndarray:
        """The stored rows of `key` at these row indices (None: all rows of the tensor)."""
        index = self._index(key)
        if rows is None:
            if index is not None:
                raise LookupError(f"{self.path}: holds only sampled rows of {key}")
            return self._load(key)
        want = [int(r) for r in rows]
        if index is None:
            data = self._load(key)
            if want and (min(want) < 0 or max(want) >= data.shape[0]):
                raise LookupError(f"{self.path}: row out of range for {key}")
            return data[want]
        try:
            pos = [index[r] for r in want]
        except KeyError as exc:
            raise LookupError(
                f"{self.path}: row {exc.args[0]} of {key} is not in the sample"
            ) from None
        return self._load(key)[pos]

    def _stored(self, role: str, layer: int | None) -> str:
        key = tensor_key(role, layer)
        if key not in self._shapes:
            where = "model level" if layer is None else f"layer {layer}"
            raise KeyError(f"{self.path}: no role {role!r} at {where}")
        if key not in self._header:
            raise LookupError(f"{self.path}: rows of {key} were not sampled")
        return key

    def holds_sketch(self, role: str, layer: int | None) -> bool:
        """Whether this tensor's rows are stored only as their sketch (plan schema >= 3)."""
        return tensor_key(role, layer) in self._sketched

    def sketch_rows(
        self, role: str, layer: int | None, rows: Sequence[int] | None, plan: Any
    ) -> np.ndarray:
        """The stored sketch of these rows, when `plan` sketches them the same way (same
        seed and sketch width); LookupError otherwise."""
        key = self._stored(role, layer)
        if key not in self._sketched:
            raise LookupError(f"{self.path}: rows of {key} are stored whole, not sketched")
        if not (plan.sketched(role, self._shapes[key]) and plan.seed == self.plan.seed
                and plan.sketch_dim == self.plan.sketch_dim):
            raise LookupError(
                f"{self.path}: rows of {key} were sketched with seed {self.plan.seed} and "
                f"width {self.plan.sketch_dim}, not as this comparison's plan asks"
            )
        return self._select(key, rows)

    def row_gram(
        self, role: str, layer: int | None, rows: Sequence[int] | None
    ) -> np.ndarray | None:
        """X X' (float64) of the unsketched sampled rows, as stored; None when `rows` are not
        exactly the stored rows in their stored order, or no Gram matrix was stored."""
        key = self._stored(role, layer)
        if key + "#gram" not in self._header:
            return None
        index = self._index(key)
        stored = None if index is None else sorted(index, key=index.__getitem__)
        if (None if rows is None else [int(r) for r in rows]) != stored:
            return None
        got = self._load(key + "#gram").astype(np.float64)
        k = len(stored) if stored is not None else self._shapes[key][0]
        return got if got.shape == (k, k) else None  # a malformed file: no Gram

    def _index(self, key: str) -> dict[int, int] | None:
        if key not in self._row_index:
            rk = key + "#rows"
            self._row_index[key] = (
                {int(r): i for i, r in enumerate(self._load(rk))} if rk in self._header else None
            )
        return self._row_index[key]

    def rows(self, role: str, layer: int | None, rows: Sequence[int] | None = None) -> np.ndarray:
        """Stored rows (down projections: decoded from 8 bits). A sketched tensor holds no
        rows: LookupError (compare it through `CachedView`, or its Gram via `row_gram`)."""
        key = self._stored(role, layer)
        if key in self._sketched:
            raise LookupError(f"{self.path}: holds a sketch of the sampled rows of {key}, "
                              "not the rows")
        return self._select(key, rows)

    def digest(self, role: str, layer: int | None) -> str | None:
        key = tensor_key(role, layer)
        if key not in self._shapes:
            raise KeyError(f"{self.path}: no role {role!r} at layer {layer}")
        return self._digests.get(key)

    def sample_digest(self, role: str, layer: int | None) -> str | None:
        """Digest of the sampled rows as read from the source, recorded before they were
        sketched or stored in 8 bits (None: not recorded, e.g. 1-D tensors stored whole)."""
        return self._samples.get(tensor_key(role, layer))

    @property
    def bytes_read(self) -> int:
        return self._read

    @property
    def stored_elements(self) -> int:
        return sum(math.prod(v["shape"]) for k, v in self._header.items() if "#" not in k)


def is_fingerprint(path: str | os.PathLike[str]) -> bool:
    """Cheap check: a .safetensors file whose header carries fingerprint metadata."""
    p = Path(path)
    if not p.is_file():
        return False
    try:
        with open_regular(p) as fh:
            n = header_length(fh.read(8), str(p), os.fstat(fh.fileno()).st_size)
            return META_KEY.encode() in fh.read(n)
    except (OSError, WeightsFormatError):
        return False


def load_library(dirs: Iterable[str | os.PathLike[str]]) -> tuple[list[FingerprintView], list[str]]:
    """Every fingerprint in the given folders (headers only), plus one note per file skipped."""
    views: list[FingerprintView] = []
    notes: list[str] = []
    for d in dirs:
        root = Path(d)
        if not root.is_dir():
            notes.append(f"{root}: fingerprint library folder not found")
            continue
        try:
            found = sorted(root.glob("*.safetensors"))
        except OSError as exc:
            notes.append(f"{root}: fingerprint library folder could not be listed ({exc})")
            continue
        loaded: list[str] = []
        start = len(notes)  # this folder's summary comes before its skip notes
        for p in found:
            if not is_fingerprint(p):
                notes.append(f"{p}: skipped, a .safetensors file that is not a fingerprint")
                continue
            try:
                view = FingerprintView(p)
            except ModelcheckError as exc:  # one bad file: skipped, with a note
                notes.append(f"{exc}; skipped")
                continue
            views.append(view)
            named = view.meta.get("repo_id")
            loaded.append(
                f"{named} ({p.name})" if named else f"{p.name} (no repo id recorded: "
                "regenerate it with `modelcheck fingerprint --name ORG/NAME`)"
            )
        with contextlib.suppress(OSError):
            others = sorted(q.name for q in root.iterdir() if q.suffix != ".safetensors")
            if others:
                notes.append(f"{root}: not read (not .safetensors): {', '.join(others[:10])}"
                             + (f" and {len(others) - 10} more" if len(others) > 10 else ""))
        notes.insert(
            start,
            f"{root}: loaded {len(loaded)} fingerprint(s): " + ("; ".join(loaded) or "none"),
        )
    return views, notes
