"""Rotation-invariant summaries of sampled rows, and the one place they are computed.

An input-side matrix of a transformer (q/k/v/gate/up projections, embedding rows) acts on
the residual stream from the right: rotating that stream by an orthogonal R turns W into
W Rᵀ. The Gram matrix of a fixed set of its rows, G = X Xᵀ, is unchanged by any such R
(X Rᵀ R Xᵀ = X Xᵀ), so a tier-B signal can compare Grams where aligned cosines see noise.

Signals read Grams only through `row_gram`: a view that stores Grams (a fingerprint that
keeps a compressed form of the rows, which would not preserve the rotation invariance)
answers with its own ``row_gram(role, layer, rows)``; any other view gives its rows and
the Gram is formed here, in float64.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from compliance.weights import sketch


def gram(x: np.ndarray | None) -> np.ndarray | None:
    """X Xᵀ of a (rows x cols) array in float64 (None stays None)."""
    if x is None:
        return None
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        return None
    return sketch.gram(x)


def row_gram(
    view: Any, role: str, layer: int | None, rows: Sequence[int] | None
) -> np.ndarray | None:
    """The Gram matrix of the given rows of a tensor (rows x rows, float64), or None when
    the view has neither a stored Gram nor the rows (the view's own `row_gram` first; when
    it has no Gram for these rows, the rows themselves)."""
    own = getattr(view, "row_gram", None)
    if callable(own):
        try:
            g = own(role, layer, rows)
        except LookupError:  # KeyError included: fall back to the rows, which say the same
            g = None
        if g is not None:
            return np.asarray(g, dtype=np.float64)
    try:
        return gram(view.rows(role, layer, rows))
    except LookupError:
        return None


def cosine_structure(g: np.ndarray, deflate: int = 0) -> np.ndarray | None:
    """Scale- and rotation-invariant form of a Gram matrix: the cosines between the rows,
    optionally with the top `deflate` eigencomponents of that cosine matrix removed (a
    low-rank geometry every model of a recipe may share) and renormalised. Returns the
    strictly upper-triangular entries (None when a row is zero or the matrix is too small).
    Multiplying the matrix by c, or each row by its own c_i, leaves the result unchanged.
    Rows are not centred: a mean row shared by two models adds a constant (removed by the
    correlation) and per-row terms that are unrelated between independent models."""
    k = g.shape[0]
    if k < 3 or g.shape != (k, k):
        return None
    cos = _normalised((g + g.T) / 2)
    if cos is not None and 0 < deflate < k - 2:
        w, v = np.linalg.eigh(cos)
        top = np.argsort(w)[::-1][:deflate]
        cos = _normalised(cos - (v[:, top] * w[top]) @ v[:, top].T)
    return None if cos is None else cos[np.triu_indices(k, 1)]


def _normalised(c: np.ndarray) -> np.ndarray | None:
    d = np.diag(c)
    if not np.all(d > 1e-12 * max(float(np.abs(d).max()), 1e-300)):
        return None
    d = np.sqrt(d)
    return c / np.outer(d, d)


def correlation(x: np.ndarray | None, y: np.ndarray | None) -> float | None:
    """Pearson r of two equally long vectors (None when either is missing or constant)."""
    if x is None or y is None or x.shape != y.shape or x.size < 3:
        return None
    xc, yc = x - x.mean(), y - y.mean()
    den = float(np.sqrt(np.dot(xc, xc) * np.dot(yc, yc)))
    return float(np.dot(xc, yc)) / den if den > 0 else None
