"""Verdict rules (lineage.md §5.3) on hand-made results, and the suggestive band on a fixture."""

from __future__ import annotations

from dataclasses import replace

from compliance.weights.signals import SignalResult, run_all
from compliance.weights.signals.base import Null, not_computable
from compliance.weights.verdict import (
    DERIVATION,
    NO_EVIDENCE,
    NOT_VERIFIABLE,
    SUGGESTIVE,
    decide,
)
from compliance.weights.wording import banned_words, render
from tests.support import synth as S


def _r(
    name: str, tier: str, fires: bool = False, partial: bool = False, subtype: str | None = None
) -> SignalResult:
    return SignalResult(
        name=name,
        tier=tier,
        value=0.5,
        statistic=f"stat {name}",
        n=10,
        n_unit="elements",
        null=Null("null", "analytic", mean=0.0, sd=0.01),
        fires=fires,
        partial=partial,
        subtype=subtype,
    )


def test_tier_c_alone_never_raises_the_verdict() -> None:
    rs = [
        _r("aligned_cosine", "A"),
        _r("sigma_curve", "C", fires=True),
        _r("tokenizer", "C", fires=True),
        _r("config_similarity", "C", fires=True),
    ]
    v = decide(rs)
    assert v.kind == NO_EVIDENCE and set(v.context) == {
        "sigma_curve",
        "tokenizer",
        "config_similarity",
    }


def test_abstains_when_no_weight_signal_is_computable() -> None:
    rs = [
        not_computable("aligned_cosine", "A", "s", "layer counts differ"),
        _r("sigma_curve", "C", fires=True),
    ]
    v = decide(rs)
    assert v.kind == NOT_VERIFIABLE and v.not_computed == (
        ("aligned_cosine", "layer counts differ"),
    )
    text = render(v, rs, "org/a", "org/b")
    assert "cannot be verified from the weights" in text[0] and "layer counts differ" in text[0]


def test_tier_b_rules() -> None:
    one_b = [_r("aligned_cosine", "A"), _r("ics", "B", fires=True)]
    assert decide(one_b).kind == SUGGESTIVE
    two_b = [_r("aligned_cosine", "A"), _r("ics", "B", fires=True), _r("awm", "B", fires=True)]
    assert decide(two_b).kind == DERIVATION
    b_and_partial_a = [_r("aligned_cosine", "A", partial=True), _r("ics", "B", fires=True)]
    assert decide(b_and_partial_a).kind == DERIVATION


def test_subtype_priority() -> None:
    rs = [
        _r("aligned_cosine", "A", fires=True, subtype="fine-tune"),
        _r("moe_upcycling", "A", fires=True, subtype="upcycled-moe"),
        _r("layer_alignment", "A", fires=True, subtype=None),
    ]
    assert decide(rs).subtype == "upcycled-moe"
    rs = [replace(rs[0], subtype="heavy-training"), rs[2]]
    assert decide(rs).subtype == "heavy-training"


def test_very_heavy_training_is_suggestive_not_a_finding() -> None:
    # +12 sigma of noise: PCS ~0.08 is far above its null but below the 0.2 threshold
    b = S.base(0)
    m = S.fine_tune(b, 12.0)
    results = run_all(m.view(), b.view())
    v = decide(results)
    assert v.kind == SUGGESTIVE and "aligned_cosine" in v.partial
    text = render(v, results, "org/suspect", "org/base")
    assert "suggestive but not conclusive" in text[0] and "not a finding of derivation" in text[0]
    assert banned_words(text, ["org/suspect", "org/base"]) == []
