"""Names of comparison results shared by the audit's weight section and the reporters:
verdict kinds and titles, and byte counts in words."""

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
    """Normalised verdict class ('consistent_with_derivation', ...) of a `Verdict`."""
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
