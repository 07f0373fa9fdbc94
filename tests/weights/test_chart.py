"""Each per-layer statistic is drawn on its own axis with its own null, labelled with
what it measures: the MoE fraction never sits under a "cosine" label."""

from __future__ import annotations

import re

import pytest

from compliance.reporters.lineage_chart import render_svg
from compliance.reporters.lineage_markdown import render
from compliance.weights.compare import compare_many
from tests.support import synth


@pytest.fixture(scope="module")
def moe_comparison():  # -> LineageComparison
    b = synth.base(0)
    up = synth.upcycle_moe(synth.fine_tune(b, 2.0), alpha=2.0)
    [c] = compare_many(up.view(), [b.view()])
    return c


def _panels(svg: str) -> list[tuple[str, str]]:
    """(title, y label) of every panel, in order."""
    titles = re.findall(r'font-weight="bold">([^<]+)</text>', svg)
    ylabels = re.findall(r'transform="rotate\(-90[^"]*"[^>]*>([^<]+)</text>', svg)
    return list(zip(titles, ylabels, strict=True))


def test_moe_fraction_has_its_own_axis_and_null(moe_comparison) -> None:
    moe = moe_comparison.signal("moe_upcycling")
    assert moe.computable
    for row in moe.per_layer:  # the fraction's null is a fraction, the cosine kept apart
        assert row["null_lo"] == 0.0 and row["null_hi"] == 0.0
        assert 0.0 <= row["null_max_cos"] <= 1.0
    panels = _panels(render_svg(moe_comparison))
    moe_panel = [p for p in panels if p[0].startswith("MoE")]
    assert moe_panel == [(moe_panel[0][0], "fraction of neurons")]
    assert "fraction" in moe_panel[0][0]
    cos_panels = [p for p in panels if p[1] == "cosine"]
    assert cos_panels and all("MoE" not in t for t, _ in cos_panels)
    # aligned, MoE, row-Gram (attention), σ (an MoE suspect has no dense neurons to match)
    assert len(panels) == 4


def test_per_layer_table_names_each_statistic(moe_comparison) -> None:
    text = render("s", [moe_comparison])
    assert "| layer | fraction of expert neurons above the background max | null fraction |" in text
    assert "moe_upcycling per layer: expert neurons above background" in text
    assert "| layer | aligned cosine | null low | null high |" in text


def test_gram_correlation_has_its_own_axis_and_null() -> None:
    b = synth.base(0)
    [c] = compare_many(synth.rotate(b).view(), [b.view()])
    gram = c.signal("gram_layers")
    assert gram.fires and gram.per_layer
    assert all(r["null_hi"] < 0.1 < r["value"] for r in gram.per_layer)
    panels = _panels(render_svg(c))
    title = "Rotation-invariant row-Gram correlation per layer (q/k/v/gate/up)"
    assert (title, "Pearson r") in panels
    text = render("s", [c])
    assert "gram_layers per layer: row-Gram correlation (rotation-invariant)" in text
    assert "| layer | row-Gram correlation (rotation-invariant) | null low | null high |" in text
    assert "the same rows with the token ids shuffled" in text  # gram_embedding's null origin
