"""CachedView under plan schema 3: a live model and its fingerprint are compared the same
way (sketched once, in the view layer), Gram matrices pass through, and the plan's
neuron layers bound what is read."""

from __future__ import annotations

import numpy as np
import pytest

from compliance.weights.fingerprint import FingerprintView, write_fingerprint
from compliance.weights.signals import SamplePlan, run_all
from compliance.weights.signals.base import CachedView
from compliance.weights.sketch import gram
from compliance.weights.verdict import decide
from tests.support import synth as S

PLAN = SamplePlan(sketch_dim=64, neuron_layers=3)  # the 128-wide fixtures get sketched


@pytest.fixture(scope="module")
def base_fp(tmp_path_factory):
    b = S.base(0)
    out = tmp_path_factory.mktemp("fp") / "base.safetensors"
    write_fingerprint(b.view(), out, PLAN, repo_id="org/base")
    return b, FingerprintView(out)


def test_live_and_fingerprint_rows_are_sketched_alike(base_fp) -> None:
    b, fp = base_fp
    live, stored = CachedView(b.view(), PLAN), CachedView(fp, PLAN)
    for role in ("attn.q", "attn.o", "mlp.up"):
        x, y = live.planned(role, 2), stored.planned(role, 2)
        assert x is not None and y is not None and x.shape == y.shape
        assert x.shape[1] == 64  # sketched from 128 columns
        np.testing.assert_allclose(x, y, rtol=2e-3, atol=1e-6)  # F16 storage
    emb = live.planned("embed", None)
    assert emb is not None and emb.shape[1] == 64


def test_row_gram_passes_through_every_wrapper(base_fp) -> None:
    b, fp = base_fp
    rows = PLAN.rows_for("attn.q", b.view().shape("attn.q", 1))
    want = gram(b.view().rows("attn.q", 1, rows))
    live, stored = CachedView(b.view(), PLAN), CachedView(fp, PLAN)
    live.planned("attn.q", 1)  # sketches; the Gram of the unsketched rows is kept
    np.testing.assert_allclose(live.row_gram("attn.q", 1, rows), want, rtol=1e-6)
    np.testing.assert_allclose(stored.row_gram("attn.q", 1, rows), want, rtol=1e-5)
    assert stored.row_gram("attn.q", 1, rows[:-1]) is None  # not the stored rows
    # rows a live view was never asked for: computed from the unsketched rows
    np.testing.assert_allclose(
        live.row_gram("attn.k", 1, [0, 5, 9]), gram(b.view().rows("attn.k", 1, [0, 5, 9]))
    )


def test_down_projections_outside_the_neuron_layers_are_not_compared(base_fp) -> None:
    b, fp = base_fp
    keep = PLAN.layers_for_neurons(6)
    assert len(keep) == 3 and keep[0] == 0 and keep[-1] == 5  # evenly spaced, ends kept
    for view in (CachedView(b.view(), PLAN), CachedView(fp, PLAN)):
        assert [ly for ly in range(6) if view.planned("mlp.down", ly) is not None] == keep
    # their shape and digest are still recorded, so byte identity covers them
    assert fp.shape("mlp.down", 1) == b.view().shape("mlp.down", 1)
    assert fp.digest("mlp.down", 1) is not None


def test_evicted_down_projections_are_read_again_identically(base_fp) -> None:
    _b, fp = base_fp
    view = CachedView(fp, PLAN)
    view.neuron_bytes_kept = 0  # as for a large model: no two fit in the byte budget
    first = [view.planned("mlp.down", ly) for ly in PLAN.layers_for_neurons(6)]
    assert len(view._recent) == 2  # only the last two kept from a re-readable view
    digests = dict(view._samples)
    again = [view.planned("mlp.down", ly) for ly in PLAN.layers_for_neurons(6)]
    for x, y in zip(first, again, strict=True):
        np.testing.assert_array_equal(x, y)
    assert view._samples == digests


def test_small_down_projections_are_all_kept(base_fp) -> None:
    _b, fp = base_fp
    view = CachedView(fp, PLAN)
    keep = PLAN.layers_for_neurons(6)
    for ly in keep:
        view.planned("mlp.down", ly)
    assert len(view._recent) == len(keep) > 2  # far below the byte budget


@pytest.mark.parametrize(
    ("build", "derived"),
    [
        (lambda b: S.fine_tune(b, 1.0), True),
        (lambda b: S.permute(b), True),
        (lambda b: S.base(1), False),
        (lambda b: S.same_stats(b), False),
    ],
)
def test_verdicts_are_the_same_live_and_through_the_fingerprint(base_fp, build, derived) -> None:
    b, fp = base_fp
    suspect = build(b).view()
    live = decide(run_all(suspect, b.view(), PLAN)).kind
    stored = decide(run_all(suspect, fp, PLAN)).kind
    assert live == stored
    assert live.startswith(("consistent", "identical")) is derived
