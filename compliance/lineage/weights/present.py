"""Helpers that turn comparisons into report text (templates/lineage.md.j2 and
templates/_weights.md.j2): verdict names, signal rows, byte counts."""

from __future__ import annotations

import enum
from typing import Any

VERDICT_TITLES = {
    "identical_tensors": "byte-identical tensors",
    "consistent_with_derivation": "consistent with derivation",
    "suggestive": "suggestive, not conclusive",
    "no_weight_evidence": "no weight evidence found",
    "not_verifiable": "not verifiable from weights",
}
POSITIVE = ("identical_tensors", "consistent_with_derivation")


def verdict_kind(verdict: Any) -> str:
    """Normalised verdict class ('consistent_with_derivation', ...) of F's Verdict."""
    kind = getattr(verdict, "kind", verdict)
    if isinstance(kind, enum.Enum):
        kind = kind.value if isinstance(kind.value, str) else kind.name
    return str(kind or "not_verifiable").lower().replace("-", "_").replace(" ", "_")


def verdict_subtype(verdict: Any) -> str | None:
    sub = getattr(verdict, "subtype", None)
    if isinstance(sub, enum.Enum):
        sub = sub.value
    return str(sub) if sub else None


def verdict_title(verdict: Any) -> str:
    kind = verdict_kind(verdict)
    title = VERDICT_TITLES.get(kind, kind.replace("_", " "))
    sub = verdict_subtype(verdict)
    return f"{title} ({sub})" if sub and kind in POSITIVE else title


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


def fmt_bytes(n: Any) -> str:
    if n is None:
        return "unknown"
    n = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1000
    return f"{n:.2f} TB"


def share(part: Any, whole: Any) -> str:
    if not part or not whole:
        return ""
    return f" ({100.0 * float(part) / float(whole):.2f} % of {fmt_bytes(whole)})"


def signal_result(sig: Any) -> str:
    if not getattr(sig, "computable", True):
        return "not computable: " + str(sig.reason or "")
    if sig.fires:
        return "above threshold" if sig.tier == "A" else "above null band (context only)"
    if sig.partial:
        return "above the null, below the decisive threshold"
    return "within the null"


def null_text(sig: Any) -> str:
    null = getattr(sig, "null", None)
    if null is None:
        return "–"
    band = null.band() if hasattr(null, "band") else str(null)
    if getattr(null, "p_value", None) is not None:
        band += f"; p = {fmt_num(null.p_value)}"
    return band


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
        null_text=null_text,
        share=share,
    )
    return env
