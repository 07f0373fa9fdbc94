"""safetensors headers, read through `Source.read_range` only (never tensor data).

Format (https://github.com/huggingface/safetensors#format): an 8-byte
little-endian header length N, N bytes of JSON {tensor: {dtype, shape,
data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the data
section. Offsets are relative to the data section; the safetensors library
rejects headers whose tensors overlap, leave holes, or disagree with their
dtype and shape, so each of those is reported as a lie here.

Parsed with our bounded JSON loader, not the safetensors package, which
would import numpy and does not report *what* is wrong. This is the one reader of the
format: the facts path (`read_safetensors`) and the weight comparison
(`compliance.weights.safetensors_view`, fingerprints) both use `header_length`,
`parse_header` and `tensor_nbytes`, so they agree on every limit.
"""

from __future__ import annotations

import posixpath
from typing import Any, TypeGuard

from compliance import safeload
from compliance.errors import SourceError
from compliance.facts.context import RepoContext, clip
from compliance.facts.model import TensorInfo, WeightFile

MAX_HEADER = 100_000_000  # the format's limit on N (safetensors MAX_HEADER_SIZE)
MAX_DEPTH = 8  # {tensor: {shape: [..]}}, __metadata__ is flat: real headers nest 3 deep
MAX_RANK = 32  # no real tensor has more dimensions; bounds the work per shape
MAX_ELEMENTS = 1 << 62  # more elements than any file can hold: a lie, not a size
INDEX_CAP = 16 << 20
_MAX_REPORTED = 5  # per file; the rest are counted in one summary problem

# bits per element of every dtype the format defines (sub-byte float types are packed)
DTYPE_BITS: dict[str, int] = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32, "C64": 64,
    "I64": 64, "U64": 64, "F64": 64,
    "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}  # fmt: skip


class HeaderError(SourceError):
    """A safetensors header that cannot be used (one line, names the file)."""


def header_length(prefix: bytes, path: str, size: int | None = None) -> int:
    """N from the 8-byte prefix, checked against the format's limit and the file size."""
    if len(prefix) < 8:
        what = "empty" if not prefix else f"{len(prefix)} bytes"
        raise HeaderError(f"{path}: file is {what}, shorter than the 8-byte length prefix")
    n = int.from_bytes(bytes(prefix[:8]), "little")
    if n > MAX_HEADER:
        raise HeaderError(
            f"{path}: header length {n} exceeds the format's limit of {MAX_HEADER} bytes"
        )
    if size is not None and n > size - 8:
        raise HeaderError(f"{path}: header length {n} exceeds the file size ({size} bytes)")
    return n


def parse_header(raw: bytes, path: str) -> dict[str, Any]:
    """The header JSON object (bounded size and depth: never a RecursionError)."""
    loaded = safeload.load_json(bytes(raw), path, max_bytes=MAX_HEADER, max_depth=MAX_DEPTH)
    if loaded.error is not None:
        raise HeaderError(f"{path}: safetensors header: {loaded.error.message}")
    if not isinstance(loaded.value, dict):
        raise HeaderError(f"{path}: safetensors header: not a JSON object")
    return loaded.value


def valid_shape(shape: Any) -> TypeGuard[list[int]]:
    """A list of at most MAX_RANK non-negative ints (checked before any multiplication)."""
    return (
        isinstance(shape, list)
        and len(shape) <= MAX_RANK
        and all(_is_count(d) and d <= MAX_ELEMENTS for d in shape)
    )


def element_count(shape: tuple[int, ...] | list[int]) -> int | None:
    """Product of the dims, or None when the shape is too big to be real (the product is
    cut off early, so a hostile shape costs at most MAX_RANK multiplications)."""
    if len(shape) > MAX_RANK:
        return None
    total = 1
    for d in shape:
        total *= d
        if total > MAX_ELEMENTS:
            return None
    return total


def tensor_nbytes(dtype: str, shape: tuple[int, ...] | list[int]) -> int | None:
    """Bytes a tensor needs, or None when the dtype is unknown, the size is not a whole
    number of bytes, or the shape is too big to be real."""
    bits = DTYPE_BITS.get(dtype)
    count = element_count(shape)
    if bits is None or count is None or (count * bits) % 8:
        return None
    return count * bits // 8


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class _Lies:
    """Collects a file's inconsistencies; reports the first few in full."""

    def __init__(self, ctx: RepoContext, path: str) -> None:
        self.ctx, self.path, self.count = ctx, path, 0

    def __call__(self, message: str, seen: object = None) -> None:
        self.count += 1
        if self.count <= _MAX_REPORTED:
            self.ctx.problem(
                "metadata-invalid",
                self.path,
                f"{self.path}: safetensors header: {message}",
                seen=seen,
            )

    def close(self) -> None:
        if self.count > _MAX_REPORTED:
            more = self.count - _MAX_REPORTED
            self.ctx.problem(
                "metadata-invalid",
                self.path,
                f"{self.path}: safetensors header: {more} more inconsistencies not listed",
            )


def _tensor(name: str, info: Any, path: str, lie: _Lies) -> TensorInfo | None:
    if not isinstance(info, dict):
        lie(f"entry {clip(name, 80)!r} is not an object")
        return None
    dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
    if not isinstance(dtype, str):
        lie(f"tensor {clip(name, 80)!r} has no string dtype", dtype)
        return None
    if not valid_shape(shape):
        seen = shape[:MAX_RANK + 1] if isinstance(shape, list) else shape
        lie(f"tensor {clip(name, 80)!r} has an invalid shape", seen)
        return None
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_count(o) for o in offsets)):
        lie(f"tensor {clip(name, 80)!r} has invalid data_offsets", offsets)
        return None
    return TensorInfo(name, dtype, tuple(shape), path, (offsets[0], offsets[1]))


def _check_offsets(tensors: list[TensorInfo], data_len: int | None, lie: _Lies) -> None:
    for t in tensors:
        begin, end = t.data_offsets
        if begin > end:
            lie(f"tensor {clip(t.name, 80)!r}: data_offsets begin {begin} > end {end}")
            continue
        if data_len is not None and end > data_len:
            lie(
                f"tensor {clip(t.name, 80)!r}: data ends at {end}, "
                f"past the data section ({data_len} bytes)"
            )
        bits = DTYPE_BITS.get(t.dtype)
        if bits is None:
            lie(f"tensor {clip(t.name, 80)!r}: unknown dtype {clip(t.dtype, 20)!r}")
            continue
        count = element_count(t.shape)
        if count is None:
            lie(f"tensor {clip(t.name, 80)!r}: shape has more elements than any file holds")
            continue
        expected_bits = count * bits
        if expected_bits % 8 or expected_bits // 8 != end - begin:
            need = f"{expected_bits // 8}" + (" and a fraction" if expected_bits % 8 else "")
            lie(
                f"tensor {clip(t.name, 80)!r}: {t.dtype}{list(t.shape)} needs "
                f"{need} bytes but data_offsets span {end - begin}"
            )
    position = 0
    for t in sorted(tensors, key=lambda t: t.data_offsets):
        begin, end = t.data_offsets
        if begin < position:
            lie(
                f"tensor {clip(t.name, 80)!r} overlaps the previous tensor "
                f"(starts at {begin} < {position})"
            )
        elif begin > position:
            lie(f"{begin - position} bytes before tensor {clip(t.name, 80)!r} belong to no tensor")
        position = max(position, end)
    if data_len is not None and tensors and position < data_len:
        lie(f"the last {data_len - position} bytes of the data section belong to no tensor")


def read_safetensors(ctx: RepoContext, path: str, size: int | None) -> WeightFile:
    weight = WeightFile(path=path, format="safetensors", size=size)
    lie = _Lies(ctx, path)
    try:
        _read_header(ctx, path, size, weight, lie)
    except SourceError as e:
        ctx.problem("unverifiable", path, f"{path}: header could not be read ({e})")
        return weight
    lie.close()
    return weight


def _read_header(
    ctx: RepoContext, path: str, size: int | None, weight: WeightFile, lie: _Lies
) -> None:
    prefix = ctx.source.read_range(path, 0, 8)
    if len(prefix) >= 8:
        weight.header_length = int.from_bytes(prefix[:8], "little")
    try:
        n = header_length(prefix, path, size)
    except HeaderError as e:
        lie(str(e).removeprefix(f"{path}: "))
        return
    raw = ctx.source.read_range(path, 8, n)
    if len(raw) < n:
        lie(f"file ends inside the header ({len(raw)} of {n} bytes)")
        return
    try:
        header = parse_header(raw, path)
    except HeaderError as e:
        lie(str(e).removeprefix(f"{path}: ").removeprefix("safetensors header: "))
        return
    metadata = header.pop("__metadata__", None)
    if metadata is not None:
        if isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values()):
            weight.metadata = dict(metadata)
        else:
            lie("__metadata__ is not a mapping of strings to strings", metadata)
    tensors = [t for name, info in header.items() if (t := _tensor(name, info, path, lie))]
    data_len = size - 8 - n if size is not None else None
    _check_offsets(tensors, data_len, lie)
    weight.tensors = tensors
    weight.header_ok = lie.count == 0


def check_index(ctx: RepoContext, index_path: str, weights: dict[str, WeightFile]) -> None:
    """`*.safetensors.index.json`: every shard it names exists, and holds the tensors it says."""
    data = ctx.read_json(index_path, INDEX_CAP)
    if data is None:
        return
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        ctx.problem(
            "metadata-invalid",
            index_path,
            f"{index_path}: no `weight_map` of tensor names to files",
        )
        return
    folder = posixpath.dirname(index_path)
    by_shard: dict[str, list[str]] = {}
    for tensor, shard in weight_map.items():
        by_shard.setdefault(posixpath.normpath(posixpath.join(folder, shard)), []).append(tensor)
    for shard, names in sorted(by_shard.items()):
        weight = weights.get(shard)
        if weight is None:
            ctx.problem(
                "metadata-invalid",
                index_path,
                f"{index_path}: weight_map names {clip(shard, 120)!r}, which is not in the repo",
                seen=shard,
            )
            continue
        if not weight.header_ok:
            continue
        present = {t.name for t in weight.tensors}
        missing = [n for n in names if n not in present]
        if missing:
            ctx.problem(
                "metadata-invalid",
                index_path,
                f"{index_path}: {len(missing)} tensors mapped to {shard} are not in its header "
                f"(first: {clip(missing[0], 80)!r})",
            )
