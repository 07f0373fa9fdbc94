"""A shared random projection of sampled rows (a Johnson-Lindenstrauss sketch).

Rows of width n are multiplied by R = P G / sqrt(n), where G is an n x d Gaussian matrix
drawn from (plan seed, n, d) alone -- the same matrix for every model of that width, so
sketches of two models (and of two layers) are comparable -- and P = I - 11'/n removes
each row's mean first (a constant offset is not shared weights; the signals centre too).
Then <xR, yR> estimates <Px, Py> with relative error ~ sqrt(2/d), and an entry of xR has
the scale of an entry of x (std per entry is kept, for the sigma curve).

A sketch is not rotation invariant: signals that need Gram matrices of the rows read them
through ``row_gram`` (fingerprints store X X' of the unsketched rows).
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np


@functools.lru_cache(maxsize=8)
def projection(seed: int, width: int, dim: int) -> np.ndarray:
    """The (width x dim) float32 projection for this plan seed and row width (read-only)."""
    h = hashlib.sha256(f"sketch|{seed}|{width}|{dim}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(h[:8], "little"))
    g = rng.standard_normal((width, dim), dtype=np.float32)
    g -= g.mean(axis=0, keepdims=True)  # P G: rows of x lose their mean
    g /= np.float32(np.sqrt(width))
    g.setflags(write=False)
    return g


def project(rows: np.ndarray, seed: int, dim: int) -> np.ndarray:
    """Float32 (k x dim) sketch of float rows (k x width)."""
    x = np.asarray(rows, dtype=np.float32)
    return x @ projection(seed, int(x.shape[1]), dim)


def gram(rows: np.ndarray) -> np.ndarray:
    """X X' of the rows in float64 (k x k): what rotation-invariant signals compare."""
    x = np.asarray(rows, dtype=np.float64)
    return x @ x.T
