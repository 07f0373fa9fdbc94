"""Tensor digests: which hash, and how a digest names its algorithm.

A digest is "<algorithm>:<hex>". BLAKE3 (the `blake3` package: Rust, SIMD) is used when
installed: it is cryptographic, so "byte-identical" stays a defensible
statement, and it hashes several times faster than sha256, which otherwise bounds local
fingerprinting. Without the package the digest is sha256. Digests made with different
algorithms cannot be compared: the identical-tensor signal then says "not computable",
never "different". A bare 64-hex string (older views, test helpers) is sha256;
"file-sha256:" is a Hub LFS hash of a whole one-tensor file (header included).

A sample digest (`sample_digest`) hashes a tensor's sampled rows as values, with the
tensor's shape and the row indices. It settles most comparisons without reading a tensor
whole: different sampled values mean different bytes (decoding is a function of the bytes).
Equal sampled values are only that: byte identity needs the whole-tensor digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np


def _blake3() -> Any:
    try:
        import blake3
    except ImportError:
        return None
    return blake3


def algorithm() -> str:
    """The algorithm new digests use here: "blake3" or "sha256"."""
    return "blake3" if _blake3() is not None else "sha256"


def hasher() -> tuple[str, Any]:
    """(algorithm, object with update()/hexdigest()).

    Single-threaded BLAKE3 (about 4 GB/s per core here, faster than a numpy pass over the
    same bytes): `max_threads=AUTO` measured no faster on 2 shared cores, and the
    fingerprint writer already hashes on a worker thread while the main thread samples."""
    mod = _blake3()
    if mod is None:
        return "sha256", hashlib.sha256()
    return "blake3", mod.blake3()


def algorithm_of(digest: str) -> str:
    """The algorithm a digest string was made with ("sha256" for a bare hex digest)."""
    head, sep, _ = digest.partition(":")
    return head if sep else "sha256"


def sample_digest(shape: Sequence[int], rows: Sequence[int] | None, values: np.ndarray) -> str:
    """Digest of a tensor's sampled rows as float64 values (every stored dtype decodes to
    float32, which float64 holds exactly, so a float32 or float64 copy of the same rows
    gives the same digest), bound to the full shape and the row indices (None: all rows).
    Prefixed "sample-" so it can never be taken for a whole-tensor digest."""
    algo, h = hasher()
    head = f"{tuple(int(x) for x in shape)}|{'all' if rows is None else len(rows)}|"
    h.update(head.encode())
    if rows is not None:
        h.update(_bytes(np.asarray(rows, dtype="<i8")))
    h.update(_bytes(np.asarray(values, dtype="<f8")))
    return f"sample-{algo}:{h.hexdigest()}"


def _bytes(x: np.ndarray) -> memoryview:
    """The array's bytes without a copy when it is contiguous (hashers take bytes only)."""
    return memoryview(np.ascontiguousarray(x).reshape(-1).view(np.uint8))
