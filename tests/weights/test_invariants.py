"""invariants.py: the one place Gram matrices come from (a view's own `row_gram`, else the
rows), their cached pass-through in CachedView, and the invariances the tier-B signals rest on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from compliance.weights import invariants
from compliance.weights.signals.base import CachedView, SamplePlan
from tests.support.memview import MemView


def _rows(seed: int = 0, k: int = 40, d: int = 64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((k, d))


class GramOnlyView(MemView):
    """A view that answers with stored Grams and holds no rows (as a fingerprint that keeps
    only a compressed form of the rows would)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.gram_calls = 0

    def row_gram(self, role: str, layer: int | None, rows: Sequence[int] | None) -> np.ndarray:
        self.gram_calls += 1
        x = self.tensors[(role, layer)].astype(np.float64)
        x = x if rows is None else x[np.asarray(rows)]
        return x @ x.T

    def rows(self, role: str, layer: int | None, rows: Sequence[int] | None = None) -> np.ndarray:
        raise LookupError("this view holds Grams only")


def test_row_gram_prefers_the_views_own_grams() -> None:
    x = _rows().astype(np.float32)
    v = GramOnlyView({("attn.q", 0): x})
    g = invariants.row_gram(v, "attn.q", 0, [1, 3, 5])
    assert v.gram_calls == 1
    assert g is not None and g.shape == (3, 3)
    sub = x[[1, 3, 5]].astype(np.float64)
    np.testing.assert_allclose(g, sub @ sub.T)


def test_row_gram_falls_back_to_rows_in_float64() -> None:
    x = _rows().astype(np.float32)
    g = invariants.row_gram(MemView({("attn.q", 0): x}), "attn.q", 0, None)
    assert g is not None and g.dtype == np.float64
    np.testing.assert_allclose(g, x.astype(np.float64) @ x.T.astype(np.float64), rtol=1e-12)


def test_row_gram_falls_back_to_rows_when_the_view_has_no_gram_for_them() -> None:
    class SomeGrams(MemView):
        def row_gram(self, role, layer, rows):  # type: ignore[no-untyped-def]
            raise LookupError("no Gram stored for these rows")

    x = _rows().astype(np.float32)
    g = invariants.row_gram(SomeGrams({("attn.q", 0): x}), "attn.q", 0, [0, 2])
    sub = x[[0, 2]].astype(np.float64)
    assert g is not None
    np.testing.assert_allclose(g, sub @ sub.T)


def test_row_gram_is_none_for_a_missing_tensor_or_rows() -> None:
    v = MemView({("attn.q", 0): _rows().astype(np.float32)})
    assert invariants.row_gram(v, "attn.k", 0, None) is None  # KeyError
    assert invariants.row_gram(GramOnlyView({}), "attn.q", 0, None) is None


def test_cached_view_passes_grams_through_once() -> None:
    x = np.random.default_rng(1).standard_normal((256, 64)).astype(np.float32)
    plan = SamplePlan()
    rows = plan.rows_for("attn.q", x.shape)
    inner = GramOnlyView({("attn.q", 0): x}, n_layers=1)
    c = CachedView(inner, plan)
    g1, g2 = c.row_gram("attn.q", 0, rows), c.row_gram("attn.q", 0, rows)
    assert inner.gram_calls == 1 and g1 is g2
    # a view without Grams: formed from the row cache, read once for all signals
    mem = MemView({("attn.q", 0): x}, n_layers=1)
    cm = CachedView(mem, plan)
    cm.planned("attn.q", 0)
    read = mem.bytes_read
    g3 = cm.row_gram("attn.q", 0, rows)
    assert mem.bytes_read == read
    np.testing.assert_allclose(g3, g1, rtol=1e-10)
    assert cm.row_gram("attn.v", 0, rows) is None


def test_cosine_structure_is_invariant_to_rotation_and_scaling() -> None:
    x = _rows(2)
    q, _ = np.linalg.qr(np.random.default_rng(3).standard_normal((64, 64)))
    row_scale = np.exp(np.random.default_rng(4).uniform(-1, 1, size=(40, 1)))
    y = 3.7 * row_scale * (x @ q.T)
    for deflate in (0, 4):
        a = invariants.cosine_structure(x @ x.T, deflate)
        assert a is not None
        np.testing.assert_allclose(a, invariants.cosine_structure(y @ y.T, deflate), atol=1e-10)
    # ... while the rotated rows themselves no longer line up
    assert abs(float(np.corrcoef(x.ravel(), (x @ q.T).ravel())[0, 1])) < 0.1


def test_cosine_structure_of_independent_rows_is_uncorrelated() -> None:
    a = invariants.cosine_structure(_rows(5) @ _rows(5).T)
    b = invariants.cosine_structure(_rows(6) @ _rows(6).T)
    r = invariants.correlation(a, b)
    assert r is not None and abs(r) < 4 / np.sqrt(a.size)  # type: ignore[union-attr]


@pytest.mark.parametrize("bad", [np.ones((2, 2)), np.diag([1.0, 0.0, 1.0, 1.0])])
def test_degenerate_grams_give_none(bad: np.ndarray) -> None:
    assert invariants.cosine_structure(bad) is None
