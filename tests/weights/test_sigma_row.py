"""The σ row is context only: the honest band, no p-value, named for what it is, and one
sentence on why it decides nothing (same-recipe independent models score r ≈ 1)."""

from __future__ import annotations

from compliance.reporters.lineage_markdown import render
from compliance.weights.compare import compare_many
from tests.support import synth


def test_sigma_row_on_a_hard_negative_has_no_p_value() -> None:
    b = synth.base(0)
    [c] = compare_many(synth.same_stats(b).view(), [b.view()])
    assert c.verdict.kind == "no-weight-evidence"
    text = render("s", [c])
    (row,) = [ln for ln in text.splitlines() if ln.startswith("| per-layer σ correlation")]
    assert "p = " not in row
    assert "above null band" not in row
    assert "same-recipe independent models: up to 1.0" in row
    assert "decides nothing" in row
    assert "| sigma_curve |" not in text
    ctx = [p for p in c.wording if p.startswith("Context only")]
    assert ctx and "per-layer σ correlation of q/k/v/o" in ctx[0] and "decides nothing" in ctx[0]


def test_each_null_says_where_it_comes_from() -> None:
    b = synth.base(0)
    [c] = compare_many(synth.fine_tune(b, 0.1).view(), [b.view()])
    text = render("s", [c])
    (row,) = [ln for ln in text.splitlines() if ln.startswith("| aligned_cosine |")]
    assert "null from these two models' own weights at non-corresponding layers" in row
    assert "an analytic bound" in row
