"""Decode safetensors dtypes from raw little-endian bytes, numpy only (no torch).

BF16 has no numpy dtype: its 16 bits are the top half of an IEEE float32, so
`uint16 -> uint32 << 16 -> view float32` is exact (safetensors spec; see
shared/reference/lineage.md §3.1).
"""

from __future__ import annotations

import numpy as np

from compliance.errors import ModelcheckError
from compliance.facts.safetensors_header import DTYPE_BITS

# bytes per element of every byte-aligned dtype the safetensors format defines (the
# format's table lives with its one header reader; F4/F6 are packed, below a byte)
ITEMSIZE: dict[str, int] = {d: bits // 8 for d, bits in DTYPE_BITS.items() if bits % 8 == 0}

# dtypes we decode to float32; F8 needs a lookup table and packed int4 needs
# dequantisation, which the lineage signals abstain on (lineage.md §3.1)
_NUMPY: dict[str, str] = {
    "F16": "<f2",
    "F32": "<f4",
    "F64": "<f8",
    "I8": "i1",
    "U8": "u1",
    "I16": "<i2",
    "U16": "<u2",
    "I32": "<i4",
    "U32": "<u4",
    "I64": "<i8",
    "U64": "<u8",
    "BOOL": "u1",
}

DECODABLE: frozenset[str] = frozenset({"BF16", *_NUMPY})


class UnsupportedDtypeError(ModelcheckError, ValueError):
    """A tensor dtype the weight reader cannot decode (e.g. FP8, packed int4)."""


def itemsize(dtype: str) -> int:
    try:
        return ITEMSIZE[dtype]
    except KeyError:
        raise UnsupportedDtypeError(f"unknown safetensors dtype {dtype!r}") from None


def decode(buf: bytes | bytearray | memoryview | np.ndarray, dtype: str) -> np.ndarray:
    """Little-endian bytes of `dtype` -> flat float32 array (a new array, never a view
    of `buf`, so mmap'd files can be closed afterwards)."""
    raw = np.frombuffer(buf, dtype=np.uint8) if not isinstance(buf, np.ndarray) else buf
    if dtype == "BF16":
        u16 = raw.view("<u2")
        return (u16.astype(np.uint32) << 16).view(np.float32)
    code = _NUMPY.get(dtype)
    if code is None:
        raise UnsupportedDtypeError(f"cannot decode safetensors dtype {dtype!r} to float32")
    return raw.view(code).astype(np.float32)


def encode_compact(values: np.ndarray, source: str | None = None) -> tuple[str, bytes]:
    """Smallest lossless encoding of float32 `values`: BF16 if the low 16 bits are all
    zero (rows read from a bf16 checkpoint), else F16 if it round-trips, else F32.
    `source` (the checkpoint dtype, when known) skips the checks: rows decoded from
    BF16/F16 re-encode to it exactly, and F32 rows stay F32."""
    f32 = np.ascontiguousarray(values, dtype=np.float32)
    if source == "BF16":
        return "BF16", (f32.view(np.uint32) >> 16).astype("<u2").tobytes()
    if source == "F16":
        return "F16", f32.astype("<f2").tobytes()
    if source == "F32":
        return "F32", f32.astype("<f4", copy=False).tobytes()
    u32 = f32.view(np.uint32)
    if not np.any(u32 & 0xFFFF):
        return "BF16", (u32 >> 16).astype("<u2").tobytes()
    with np.errstate(over="ignore"):
        f16 = f32.astype("<f2")
    if np.array_equal(f16.astype(np.float32), f32, equal_nan=True):
        return "F16", f16.tobytes()
    return "F32", f32.astype("<f4").tobytes()
