"""Release gate (lineage.md §5.3): every positive synthetic fixture gets the right verdict and
subtype; zero `consistent-with-derivation` (or identical) verdicts on every hard negative."""

from __future__ import annotations

import pytest

from compliance.weights.signals import SamplePlan, run_all
from compliance.weights.verdict import (
    DERIVATION,
    IDENTICAL,
    NO_EVIDENCE,
    decide,
)
from tests.support import synth as S
from tests.weights.fixtures import NEGATIVES, POSITIVES

BASE_SEEDS = (0, 1, 2)


@pytest.mark.parametrize("name", sorted(POSITIVES))
def test_positive_fixture_gets_expected_verdict(name: str, synthetic_run) -> None:
    _builder, kind, subtype = POSITIVES[name]
    _m, _results, v = synthetic_run("pos", name, 0)
    assert v.kind == kind, (name, v)
    if subtype is not None:
        assert v.subtype == subtype, (name, v)


@pytest.mark.parametrize("seed", BASE_SEEDS)
@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_hard_negative_never_gets_derivation(name: str, seed: int, synthetic_run) -> None:
    _m, results, v = synthetic_run("neg", name, seed)
    assert v.kind not in (DERIVATION, IDENTICAL), (name, seed, v)
    assert v.kind == NO_EVIDENCE, (name, seed, v)
    assert not [r.name for r in results if r.tier == "A" and r.fires]


@pytest.mark.parametrize("seed", (1, 2))
@pytest.mark.parametrize(
    "name", ["fine-tune-0.1", "heavy-2.0", "neuron-permuted", "pruned-every-2nd", "moe-upcycled"]
)
def test_positive_verdicts_hold_for_other_base_seeds(name: str, seed: int, synthetic_run) -> None:
    _m, _results, v = synthetic_run("pos", name, seed)
    assert v.kind == POSITIVES[name][1]
    assert v.subtype == POSITIVES[name][2]


def test_sigma_curve_agrees_on_same_stats_negative_only_as_context(synthetic_run) -> None:
    # the HonestAGI statistic sees only per-layer scales: a same-statistics redraw scores
    # r ~ 1 -- the reason it is tier C (lineage.md §1.4)
    _m, results, v = synthetic_run("neg", "same-stats-redraw", 0)
    sigma = next(r for r in results if r.name == "sigma_curve")
    assert sigma.value is not None and sigma.value > 0.95 and sigma.fires
    assert v.kind == NO_EVIDENCE and "sigma_curve" in v.context


def test_permuted_fixture_hides_from_direct_and_order_tests_only(synthetic_run) -> None:
    _m, results, v = synthetic_run("pos", "neuron-permuted", 0)
    by = {r.name: r for r in results}
    assert not by["aligned_cosine"].fires  # PCS breaks under permutation
    nm = by["neuron_matching"]
    assert nm.details["fisher_p"] > 1e-3  # false negative of the order test, as documented
    assert nm.details["identity_frac"] < 0.05 and nm.value > 0.95
    assert any("permutation" in n for n in v.notes)


def test_layer_maps_are_recovered(synthetic_run) -> None:
    pr = {r.name: r for r in synthetic_run("pos", "pruned-every-2nd", 0)[1]}["layer_alignment"]
    assert pr.details["map"] == {0: 0, 1: 2, 2: 4} and pr.details["monotone"]
    up = {r.name: r for r in synthetic_run("pos", "depth-up-scaled", 0)[1]}["layer_alignment"]
    assert up.details["map"] == {i: x for i, x in enumerate([0, 1, 2, 3, 2, 3, 4, 5])}
    assert up.details["repeats"] and not up.details["monotone"]


def test_drop_upcycling_fraction_is_read_off(synthetic_run) -> None:
    moe = {r.name: r for r in synthetic_run("pos", "moe-drop-upcycled", 0)[1]}["moe_upcycling"]
    assert moe.value == pytest.approx(0.5, abs=0.05)  # drop=0.5 re-initialised neurons


def test_not_verifiable_when_nothing_comparable() -> None:
    # different hidden sizes and no digests: no weight signal can be computed -> abstain
    from tests.support.memview import MemView

    a, b = S.base(0, hidden=64, ffn=256, n_layers=4), S.base(0, hidden=96, ffn=384, n_layers=4)
    va = MemView(a.tensors, config=a.config, digests=False)
    vb = MemView(b.tensors, config=b.config, digests=False)
    results = run_all(va, vb)
    v = decide(results)
    assert v.kind == "not-verifiable", v
    assert {n for n, _r in v.not_computed} >= {
        "identical_tensors",
        "aligned_cosine",
        "neuron_matching",
        "layer_alignment",
    }


@pytest.mark.parametrize(
    "plan",
    [SamplePlan(), SamplePlan(neuron_layers=2, rows_per_matrix=16, neuron_rows=64)],
    ids=["default-plan", "small-plan"],
)
def test_gqa_models_and_small_plans(plan: SamplePlan) -> None:
    # grouped-query attention (8 q heads, 2 kv heads): heads are permuted by kv group
    b = S.base(0, heads=8, kv_heads=2)
    cases = {
        "permuted": (S.permute(b), DERIVATION, "permuted"),
        "moe": (S.upcycle_moe(b), DERIVATION, "upcycled-moe"),
        "negative": (S.base(5, heads=8, kv_heads=2, profile_seed=0), NO_EVIDENCE, None),
    }
    for name, (m, kind, subtype) in cases.items():
        v = decide(run_all(m.view(), b.view(), plan))
        assert (v.kind, v.subtype) == (kind, subtype), name
