"""How much of a suspect's weights the comparison understood, and what that allows.

A verdict rests only on tensors that were given a role. When a large share of the
suspect's bytes had no role (an unknown layout, a fused tensor stored transposed), a
negative verdict would be a statement about a part of the model presented as one about
the whole, so it becomes `not-verifiable`; smaller gaps qualify the verdict in a note.
Vision/audio towers are left out of the share: they are not compared by design.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from compliance.weights.roles import SKIPPED_TOWER

# share of the compared bytes without a role above which no negative verdict is issued
ABSTAIN_SHARE = 0.25
# above this share a verdict carries a note naming what was not understood
NOTE_SHARE = 0.01
_LAYER_NUM = re.compile(r"(?<=\.)\d+(?=\.)")
_GUESSES = (
    ("expert", "MoE experts"),
    ("router", "MoE router"),
    ("attn", "attention"),
    ("attention", "attention"),
    ("mlp", "MLP"),
    ("ffn", "MLP"),
    ("feed_forward", "MLP"),
    ("embed", "embedding"),
    ("norm", "normalisation"),
)


def _group(name: str) -> str:
    """`model.layers.7.mlp.x` -> `model.layers.*.mlp.x`: one line per tensor kind."""
    return _LAYER_NUM.sub("*", name)


def _guess(name: str) -> str:
    low = name.lower()
    return next((role for needle, role in _GUESSES if needle in low), "other")


def measure(nbytes: Mapping[str, int], unrecognised: Mapping[str, str]) -> dict[str, Any]:
    """{total_bytes, tower_bytes, unrecognised_bytes, unrecognised: [{tensors, role, reason,
    count, bytes}]} from tensor sizes and the role map's list of tensors without a role."""
    total = sum(int(n) for n in nbytes.values())
    tower = 0
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for name, reason in unrecognised.items():
        size = int(nbytes.get(name, 0))
        if reason == SKIPPED_TOWER:
            tower += size
            continue
        g = groups.setdefault(
            (_group(name), reason),
            {"tensors": _group(name), "role": _guess(name), "reason": reason,
             "count": 0, "bytes": 0},
        )
        g["count"] += 1
        g["bytes"] += size
    rows = sorted(groups.values(), key=lambda g: (-g["bytes"], g["tensors"]))
    return {
        "total_bytes": total,
        "tower_bytes": tower,
        "unrecognised_bytes": sum(g["bytes"] for g in rows),
        "unrecognised": rows,
    }


def unrecognised_share(coverage: Mapping[str, Any] | None) -> float:
    """Share of the compared bytes (towers excluded) that had no role; 0.0 when unknown."""
    if not coverage:
        return 0.0
    denom = int(coverage.get("total_bytes") or 0) - int(coverage.get("tower_bytes") or 0)
    part = int(coverage.get("unrecognised_bytes") or 0)
    return part / denom if denom > 0 else 0.0


def describe(coverage: Mapping[str, Any], limit: int = 4) -> str:
    """`model.layers.*.mlp.experts.gate_up_proj` (MoE experts, 80.1 % of bytes: reason); …"""
    denom = int(coverage.get("total_bytes") or 0) - int(coverage.get("tower_bytes") or 0)
    rows = list(coverage.get("unrecognised") or [])
    parts = [
        f"{r['tensors']} ({r['role']}, {100.0 * r['bytes'] / denom:.1f} % of bytes: "
        f"{r['reason']})"
        for r in rows[:limit]
        if denom > 0
    ]
    if len(rows) > limit:
        parts.append(f"{len(rows) - limit} more groups")
    return "; ".join(parts)


def qualify(verdict: Any, coverage: Mapping[str, Any] | None) -> Any:
    """The verdict, abstaining or annotated when much of the suspect was not understood."""
    from compliance.weights.verdict import NO_EVIDENCE, NOT_VERIFIABLE, SUGGESTIVE

    share = unrecognised_share(coverage)
    if coverage is None or share <= NOTE_SHARE:
        return verdict
    what = describe(coverage)
    pct = f"{100.0 * share:.1f} %"
    if share >= ABSTAIN_SHARE and verdict.kind in (NO_EVIDENCE, SUGGESTIVE):
        note = (
            f"{pct} of the suspect's weight bytes were not understood ({what}); the "
            "methods saw only the rest, so absence of evidence there says nothing about "
            "those tensors and no negative verdict is given"
        )
        return dataclasses.replace(
            verdict,
            kind=NOT_VERIFIABLE,
            subtype=None,
            deciding=(),
            not_computed=(*verdict.not_computed, ("coverage", note)),
        )
    if verdict.kind in (NO_EVIDENCE, SUGGESTIVE):
        note = (
            f"{pct} of the suspect's weight bytes were not understood ({what}); this "
            "verdict covers only the rest"
        )
    else:
        note = (
            f"{pct} of the suspect's weight bytes were not understood ({what}); the "
            "evidence comes from the rest"
        )
    return dataclasses.replace(verdict, notes=(*verdict.notes, note))
