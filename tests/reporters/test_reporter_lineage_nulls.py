"""The lineage report says where each null comes from (an analytic bound, simulated
matrices, or the compared models' own weights); where the thresholds were calibrated is
tested with the reports themselves (tests/weights/io/test_io_reproduce.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytest.importorskip("numpy")

from compliance.reporters import lineage_markdown  # noqa: E402
from compliance.weights.signals import run_all  # noqa: E402
from tests.support import synth  # noqa: E402


def _runs() -> list:
    b = synth.base(0)
    pairs = [
        (synth.fine_tune(b, 0.1), b),  # positive
        (synth.same_stats(b), b),  # hard negative
        (synth.upcycle_moe(b), b),  # MoE signal
        (synth.prune(b, [0, 2, 4]), b),  # layer map only
    ]
    return [r for s, c in pairs for r in run_all(s.view(), c.view())]


def _code_sources() -> set[str]:
    """Every literal a signal passes as a null's `source` (or assigns to a name used so)."""
    import compliance.weights.signals as pkg

    found: set[str] = set()
    for path in Path(pkg.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = isinstance(node, ast.keyword) and node.arg == "source"
            assigned = isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("source", "src") for t in node.targets
            )
            if not (named or assigned):
                continue
            value = node.value  # type: ignore[union-attr]
            for sub in ast.walk(value):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    found.add(sub.value)
    return found


def test_every_null_source_is_named_in_words() -> None:
    sources = {r.null.source for r in _runs() if r.computable and r.null is not None}
    sources |= _code_sources()
    assert {"analytic", "simulated", "non-corresponding layers+analytic"} <= sources
    for source in sources:
        for part in source.split("+"):
            assert part.strip() in lineage_markdown._ORIGINS, source


def test_the_null_column_states_the_origin() -> None:
    seen = set()
    for r in _runs():
        if not r.computable or r.null is None or r.name == "sigma_curve":
            continue
        text = lineage_markdown.null_text(r)
        origin = lineage_markdown.null_origin(r.null.source)
        assert text.endswith(f"null from {origin}"), r.name
        seen.add(r.null.source)
    assert any("non-corresponding layers" in s for s in seen)
    assert "analytic" in seen  # byte identity's collision bound


def test_the_sigma_row_names_its_simulated_band() -> None:
    (r,) = [r for r in _runs()[:8] if r.name == "sigma_curve"]
    assert r.null.source == "simulated"
    assert lineage_markdown.null_text(r).startswith("independent random walks: 95th")
