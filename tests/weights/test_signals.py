"""Unit behaviour of individual signals: nulls, trivial-tensor rules, read contract."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from compliance.weights.signals import SIGNALS, TIER, SamplePlan, run_all
from compliance.weights.signals.sigma_curve import null_band
from compliance.weights.verdict import DERIVATION, NO_EVIDENCE, decide
from tests.support import synth as S
from tests.support.memview import MemView


def _by(results):  # noqa: ANN001, ANN202
    return {r.name: r for r in results}


def test_registry_tiers() -> None:
    assert list(SIGNALS) == list(TIER)
    assert {n for n, t in TIER.items() if t == "C"} == {
        "sigma_curve",
        "tokenizer",
        "config_similarity",
    }


def test_aligned_cosine_null_is_near_zero_for_independent_models() -> None:
    r = _by(run_all(S.base(1).view(), S.base(0).view()))["aligned_cosine"]
    assert abs(r.value) < 5 / np.sqrt(r.n)
    assert r.null is not None and r.null.sd >= 1 / np.sqrt(r.n)
    assert r.null.source.startswith("non-corresponding layers")
    assert (
        not r.fires
        and r.per_layer
        and {"layer", "value", "null_lo", "null_hi"} <= set(r.per_layer[0])
    )


def test_trivial_tensors_never_count_as_identical() -> None:
    a, b = S.base(0), S.base(1)
    shared_const = np.zeros((256, 128), np.float32)  # large but constant
    shared_small = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)
    for m in (a, b):
        m.tensors[("extra.const", None)] = shared_const
        m.tensors[("extra.small", None)] = shared_small
        for ly in range(m.n_layers):
            m.tensors[("norm.attn", ly)] = np.ones(128, np.float32)
    r = _by(run_all(a.view(), b.view()))["identical_tensors"]
    assert r.computable and r.value == 0 and not r.fires


def test_one_shared_large_tensor_is_decisive_with_subtype() -> None:
    b = S.base(0)
    m = S.same_stats(b)
    m.tensors[("embed", None)] = b.tensors[("embed", None)]  # e.g. a reused (frozen) tower
    results = run_all(m.view(), b.view())
    r = _by(results)["identical_tensors"]
    assert r.fires and r.value == 1 and not r.details["all_identical"]
    v = decide(results)
    assert (v.kind, v.subtype) == (DERIVATION, "shared-tensors")


def test_neuron_order_p_values_are_not_small_under_independence() -> None:
    ps = []
    for seed in range(1, 7):
        r = _by(run_all(S.base(seed).view(), S.base(0).view(), only=["neuron_matching"]))[
            "neuron_matching"
        ]
        ps.append(r.details["fisher_p"])
        assert not r.fires
    assert min(ps) > 1e-4  # the threshold is 1e-10; the null p-value is ~uniform
    assert 0.1 < float(np.mean(ps)) < 0.9


def test_sigma_null_band_matches_reference_measurements() -> None:
    # lineage.md §1.4: 99th percentile of r for independent random walks ~0.88-0.95
    band = null_band(6, 0)
    assert 0.85 < float(np.quantile(band, 0.99)) < 0.98
    assert float(np.mean(band >= 0.9)) == pytest.approx(0.028, abs=0.015)


class PlanOnlyView(MemView):
    """Behaves like a fingerprint: only the plan's rows exist (LookupError otherwise)."""

    def __init__(self, m: S.SynthModel, plan: SamplePlan) -> None:
        super().__init__(m.tensors, config=m.config, label=m.label, n_layers=m.n_layers)
        self.plan = plan

    def rows(self, role: str, layer: int | None, rows: Sequence[int] | None = None) -> np.ndarray:
        want = self.plan.rows_for(role, self.shape(role, layer))
        if rows is not None and (want is None or list(rows) != list(want)):
            raise LookupError(f"{role}@{layer}: rows not in the sample")
        if rows is None and want is not None:
            raise LookupError(f"{role}@{layer}: only sampled rows are held")
        return super().rows(role, layer, rows)


def test_signals_read_only_planned_rows_and_each_tensor_once() -> None:
    plan = SamplePlan()
    b = S.base(0)
    va, vb = PlanOnlyView(S.permute(b), plan), PlanOnlyView(b, plan)
    results = run_all(va, vb, plan)
    uncomputable = {r.name for r in results if not r.computable}
    assert uncomputable == {"moe_upcycling", "tokenizer"}, uncomputable  # dense; no tokenizer
    assert decide(results).subtype == "permuted"
    planned = 0
    for role, layer, rows in plan.requests(va):
        shape = va.shape(role, layer)
        n_rows = (
            shape[0] if rows is None and len(shape) == 2 else (1 if rows is None else len(rows))
        )
        planned += 4 * n_rows * shape[-1]
    assert va.bytes_read <= planned  # the cache reads every planned tensor at most once
    total = sum(t.nbytes for t in va.tensors.values())
    assert va.bytes_read < total


def test_context_signals() -> None:
    a, b = S.base(0), S.base(1)
    res = _by(run_all(a.view(tokenizer_digest="x"), b.view(tokenizer_digest="y")))
    assert res["tokenizer"].value == 0 and not res["tokenizer"].fires
    assert res["config_similarity"].value == 1.0  # same architecture: still no evidence
    pr = S.prune(a)
    cs = _by(run_all(pr.view(), a.view()))["config_similarity"]
    assert "num_hidden_layers" in cs.details["different"]


def test_no_tokenizer_digest_is_not_computable() -> None:
    a = S.base(0)
    r = _by(run_all(a.view(tokenizer_digest=None), a.view(), only=["tokenizer"]))["tokenizer"]
    assert not r.computable and "digest" in (r.reason or "")


def test_moe_signal_inapplicable_for_dense_suspect() -> None:
    r = _by(run_all(S.base(0).view(), S.base(0).view(), only=["moe_upcycling"]))["moe_upcycling"]
    assert not r.computable and r.details.get("inapplicable")


def test_heavy_noise_beyond_two_sigma_degrades_gracefully() -> None:
    # at 4 sigma of noise the direct signals weaken (PCS ~0.24) but stay far above the null
    b = S.base(0)
    results = run_all(S.fine_tune(b, 4.0).view(), b.view())
    assert decide(results).kind in (DERIVATION, NO_EVIDENCE)
    assert _by(results)["aligned_cosine"].value == pytest.approx(1 / np.sqrt(17), abs=0.03)


def test_shared_offset_does_not_pass_for_shared_weights() -> None:
    # two independent models whose matrices carry the same large constant offset (a recipe
    # artefact): raw cosine would be ~0.8; the centred statistics stay at their null
    a, b = S.base(0), S.base(1)
    for m in (a, b):
        for k, v in list(m.tensors.items()):
            if v.ndim == 2:
                m.tensors[k] = v + 2.0 * float(v.std())
    results = run_all(a.view(), b.view())
    by = _by(results)
    assert abs(by["aligned_cosine"].value) < 0.02 and by["layer_alignment"].value < 0.05
    assert decide(results).kind == NO_EVIDENCE


def test_neuron_matching_holds_two_candidate_layers_not_the_model(monkeypatch) -> None:
    # the candidate's unit coordinates were cached for every layer until the end of the
    # signal: memory grew with depth (48 x 28 MB for a 14B model) instead of a layer
    import weakref

    from compliance.weights.signals import neuron_matching as nm

    made: list[weakref.ref] = []
    most = 0
    real = nm.unit_cols

    def counting(x: np.ndarray) -> np.ndarray:
        nonlocal most
        out = real(x)
        made.append(weakref.ref(out))
        most = max(most, sum(r() is not None for r in made))
        return out

    monkeypatch.setattr(nm, "unit_cols", counting)
    b = S.base(0, n_layers=12)
    r = nm.compute(S.fine_tune(b, 0.1).view(), b.view(), SamplePlan(neuron_layers=None))
    assert r.fires and len(r.per_layer) == 12 and len(r.null.values) == 20
    assert most <= 5, most  # own + next candidate layer, suspect, 2 simulated
