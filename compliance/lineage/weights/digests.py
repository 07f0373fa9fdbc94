"""Tensor digests: which hash, and how a digest names its algorithm.

A digest is "<algorithm>:<hex>". BLAKE3 (the `blake3` package: Rust, SIMD, multithreaded)
is used when installed: it is cryptographic, so "byte-identical" stays a defensible
statement, and it hashes several times faster than sha256, which otherwise bounds local
fingerprinting. Without the package the digest is sha256. Digests made with different
algorithms cannot be compared: the identical-tensor signal then says "not computable",
never "different". A bare 64-hex string (older views, test helpers) is sha256;
"file-sha256:" is a Hub LFS hash of a whole one-tensor file (header included).
"""

from __future__ import annotations

import hashlib
from typing import Any

BLAKE3_MIN_THREADED = 1 << 20  # below this, threads cost more than they save


def _blake3() -> Any:
    try:
        import blake3
    except ImportError:
        return None
    return blake3


def algorithm() -> str:
    """The algorithm new digests use here: "blake3" or "sha256"."""
    return "blake3" if _blake3() is not None else "sha256"


def hasher(nbytes: int = 0) -> tuple[str, Any]:
    """(algorithm, object with update()/hexdigest()) for a span of about `nbytes` bytes."""
    mod = _blake3()
    if mod is None:
        return "sha256", hashlib.sha256()
    if nbytes >= BLAKE3_MIN_THREADED:
        return "blake3", mod.blake3(max_threads=mod.blake3.AUTO)
    return "blake3", mod.blake3()


def algorithm_of(digest: str) -> str:
    """The algorithm a digest string was made with ("sha256" for a bare hex digest)."""
    head, sep, _ = digest.partition(":")
    return head if sep else "sha256"
