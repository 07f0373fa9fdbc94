"""S1 in two stages: sampled blocks settle most tensors; whole-tensor digests are computed
only for sample matches, and only they make a tensor "byte-identical"."""

from __future__ import annotations

import numpy as np

from compliance.weights.digests import sample_digest
from compliance.weights.signals import SamplePlan, identical_tensors, run_all
from compliance.weights.verdict import DERIVATION, IDENTICAL, decide
from tests.support import synth
from tests.support.memview import MemView

PLAN = SamplePlan()


class CountingView(MemView):
    """A MemView that records which whole-tensor digests were asked for."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hashed: list[tuple[str, int | None]] = []

    def digest(self, role: str, layer: int | None) -> str | None:
        self.hashed.append((role, layer))
        return super().digest(role, layer)


def _model() -> dict[tuple[str, int | None], np.ndarray]:
    return dict(synth.base(0).tensors)


def test_sampled_blocks_match_but_other_bytes_differ_is_not_byte_identical() -> None:
    base = _model()
    changed = dict(base)
    key = ("mlp.gate", 1)
    shape = base[key].shape
    sampled = set(PLAN.rows_for("mlp.gate", shape) or [])
    outside = next(r for r in range(shape[0]) if r not in sampled)
    t = base[key].copy()
    t[outside] += 1.0  # a row the plan never reads
    changed[key] = t
    a, b = CountingView(changed), CountingView(base)
    r = identical_tensors.compute(a, b, PLAN)
    assert r.computable and r.fires
    hit = {(d["role"], d["layer"]) for d in r.details["identical"]}
    assert key not in hit
    assert r.details["n_sampled_only"] == 1  # equal samples, whole tensors differ
    assert r.details["n_identical"] == r.details["compared"] - 1
    assert not r.details["all_identical"] and r.subtype == "shared-tensors"
    assert decide(run_all(a, b, PLAN)).kind != IDENTICAL


def test_whole_digests_are_computed_only_for_sample_matches() -> None:
    base = _model()
    ft = synth.fine_tune(synth.base(0), 0.1).tensors
    mixed = dict(ft)
    frozen = [("attn.q", 0), ("mlp.down", 3)]
    for key in frozen:  # e.g. layers left frozen during fine-tuning
        mixed[key] = base[key]
    a, b = CountingView(mixed), CountingView(base)
    r = identical_tensors.compute(a, b, PLAN)
    assert sorted(a.hashed) == sorted(frozen)
    assert sorted(b.hashed) == sorted(frozen)
    assert {(d["role"], d["layer"]) for d in r.details["identical"]} == set(frozen)
    assert r.value == 2 and r.fires and r.details["whole_tensor_digests"] == 2


def test_an_unrelated_model_needs_no_whole_digest() -> None:
    a, b = CountingView(synth.base(1).tensors), CountingView(_model())
    r = identical_tensors.compute(a, b, PLAN)
    assert r.computable and r.value == 0 and not r.fires
    assert a.hashed == [] and b.hashed == []


def test_without_whole_digests_identical_samples_are_worded_as_samples() -> None:
    base = _model()
    a, b = CountingView(base), MemView(base, digests=False)  # e.g. a default fingerprint
    results = run_all(a, b, PLAN)
    assert a.hashed == []  # nothing to compare a whole-tensor digest with: none computed
    r = next(x for x in results if x.name == "identical_tensors")
    assert r.computable and r.fires and r.value == r.n
    assert r.statistic == identical_tensors.STAT_SAMPLED
    assert r.details["n_identical"] == 0 and not r.details["all_identical"]
    assert r.subtype is None
    assert r.details["unchecked_because"] == ["the candidate view has no whole-tensor digests"]
    v = decide(results)
    assert v.kind == DERIVATION  # shared weights, but not a claim of byte identity


def test_byte_identical_copy_is_identical() -> None:
    base = _model()
    results = run_all(MemView(base), MemView(base), PLAN)
    r = next(x for x in results if x.name == "identical_tensors")
    assert r.statistic == identical_tensors.STAT and r.details["all_identical"]
    assert decide(results).kind == IDENTICAL


def test_same_shape_of_another_role_kind_is_compared_at_the_same_rows() -> None:
    # embed (vocab rows) and mlp.gate (matrix rows) share a shape in the synthetic models:
    # a gate stored as the embedding is found without hashing the unrelated tensors whole
    base = _model()
    moved = {k: v for k, v in synth.base(1).tensors.items()}
    moved[("embed", None)] = base[("mlp.gate", 2)]
    assert moved[("embed", None)].shape == base[("mlp.gate", 2)].shape
    a, b = CountingView(moved), CountingView(base)
    r = identical_tensors.compute(a, b, PLAN)
    assert r.details["identical"] == [
        {"role": "embed", "layer": None, "candidate_role": "mlp.gate", "candidate_layer": 2}
    ]
    assert a.hashed == [("embed", None)]


def test_sample_digest_binds_shape_rows_and_values() -> None:
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    d = sample_digest((10, 4), (0, 1), x)
    assert d.startswith("sample-") and d == sample_digest((10, 4), [0, 1], x.astype(np.float64))
    assert d != sample_digest((11, 4), (0, 1), x)
    assert d != sample_digest((10, 4), (0, 2), x)
    y = x.copy()
    y[1, 3] = np.nextafter(y[1, 3], np.float32(100))
    assert d != sample_digest((10, 4), (0, 1), y)


class PlannedRowsOnly(CountingView):
    """Holds only the plan's rows, as a fingerprint does."""

    def rows(self, role, layer, rows=None):
        if rows is not None and list(rows) != PLAN.rows_for(role, self.shape(role, layer)):
            raise LookupError(f"rows of {role} at {layer} were not sampled")
        return super().rows(role, layer, rows)


def test_a_suspect_holding_only_its_sample_is_compared_at_the_candidates_reading() -> None:
    base = _model()
    moved = dict(synth.base(1).tensors)
    moved[("embed", None)] = base[("mlp.gate", 2)]
    a, b = PlannedRowsOnly(moved), CountingView(base)
    r = identical_tensors.compute(a, b, PLAN)
    assert r.details["identical"] == [
        {"role": "embed", "layer": None, "candidate_role": "mlp.gate", "candidate_layer": 2}
    ]
    assert a.hashed == [("embed", None)]
