"""The `modelcheck lineage` report in Markdown (templates/lineage.md.j2), and the
helpers the audit report's weight section (templates/_weights.md.j2) shares with it:
verdict names, signal rows, byte counts. Each chart is an SVG file next to the report,
embedded as a Markdown image by its relative name."""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from typing import Any

from compliance.weights.labels import fmt_bytes, share, verdict_kind, verdict_title


def fmt_num(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if v != v:
        return "–"
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6):
        return f"{v:.2e}"
    return f"{v:.{digits}f}"


SIGMA_LABEL = "per-layer σ correlation of q/k/v/o"
SIGMA_WHY = (
    "decides nothing: independent models trained with the same recipe reach r ≈ 1, so "
    "no band separates them from derived ones"
)


def signal_label(sig: Any) -> str:
    """The row name: what the statistic is (the σ row does not reproduce a published one)."""
    return SIGMA_LABEL if sig.name == "sigma_curve" else str(sig.name)


def signal_result(sig: Any) -> str:
    if not getattr(sig, "computable", True):
        return "not computable: " + str(sig.reason or "")
    if sig.name == "sigma_curve":
        return "context only; " + SIGMA_WHY
    if sig.fires and sig.tier == "B":
        return "above threshold (decisive with a second tier-B or a partial tier-A signal)"
    if sig.fires:
        return "above threshold" if sig.tier == "A" else "above null band (context only)"
    if sig.partial:
        return "above the null, below the decisive threshold"
    return "within the null"


def null_text(sig: Any) -> str:
    null = getattr(sig, "null", None)
    if null is None:
        return "–"
    if sig.name == "sigma_curve":  # the honest band, no p-value against a wrong null
        d = getattr(sig, "details", None) or {}
        return (
            f"independent random walks: 95th percentile {fmt_num(d.get('null_p95'))}, "
            f"99th {fmt_num(d.get('null_p99'))}; same-recipe independent models: up to 1.0"
        )
    band = null.band() if hasattr(null, "band") else str(null)
    if getattr(null, "p_value", None) is not None:
        band += f"; p = {fmt_num(null.p_value)}"
    origin = null_origin(getattr(null, "source", None))
    return f"{band}; null from {origin}" if origin else band


_ORIGINS = {
    # each signal's null description says which bound (a 1/√n floor, no digest collisions)
    "analytic": "an analytic bound",
    "non-corresponding layers": "these two models' own weights at non-corresponding layers",
    "simulated": "simulated Gaussian matrices / random walks of the same shape",
    "shuffled token ids": "the same rows with the token ids shuffled (simulated)",
}


def null_origin(source: Any) -> str:
    """Where a null comes from, in words ('non-corresponding layers+simulated' -> two)."""
    if not source:
        return ""
    parts = [_ORIGINS.get(p.strip(), p.strip()) for p in str(source).split("+")]
    return " and ".join(p for p in parts if p)


def template_env() -> Any:
    """The Markdown reporter's Jinja environment (same loader, no autoescape, its escape
    filters) plus the lineage helpers, so both reports escape untrusted text one way."""
    from compliance.reporters import escape
    from compliance.reporters.to_markdown import environment

    env = environment()
    env.filters.update(
        md=escape.md, code=escape.code, num=fmt_num, bytes=fmt_bytes, clean=escape.clean
    )
    env.globals.update(
        verdict_title=verdict_title,
        verdict_kind=verdict_kind,
        signal_result=signal_result,
        signal_label=signal_label,
        chart_link=chart_link,
        null_text=null_text,
        share=share,
        per_layer_label=per_layer_label,
    )
    return env


def per_layer_label(name: str) -> str:
    """What a signal's per-layer value measures (the chart's axis label)."""
    from compliance.reporters.lineage_chart import LABELS

    return LABELS.get(name, "value")


def chart_link(name: str) -> str:
    """A relative Markdown link target for a chart file beside the report."""
    return urllib.parse.quote(name)


def render(
    suspect: str,
    comparisons: Sequence[Any],
    charts: Sequence[str | None] = (),
    command: str | None = None,
    wall_seconds: float | None = None,
) -> str:
    """The lineage report; `charts[i]` is the file name (beside the report) of the SVG of
    `comparisons[i]`, or None; `wall_seconds` is the whole run's time."""
    from compliance import __version__
    from compliance.weights.provenance import CALIBRATION
    from compliance.weights.relatives import rank, ranking_note

    env = template_env()
    named = list(charts) + [None] * (len(comparisons) - len(charts))
    text: str = env.get_template("lineage.md.j2").render(
        suspect=suspect,
        items=list(zip(comparisons, named, strict=True)),
        ranking=ranking_note(rank(comparisons)),
        command=command,
        version=__version__,
        wall_seconds=wall_seconds,
        calibration=CALIBRATION,
    )
    return text
