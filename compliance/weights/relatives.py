"""Several matching candidates: which is closest, and which are known relatives.

Weight similarity is symmetric and says nothing about direction: a model matches its
parent, its parent's other children (siblings) and its own children alike. So when
several candidates match, they are ranked by their similarity statistic and the report
says that the closest one need not be the parent; and a candidate that is a known
relative of a declared base (same catalog family, or the base's ancestor, descendant or
sibling in the catalog / the lineage) does not make the base "undeclared".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# statistics that order candidates, most direct first; (signal, what it is)
_ORDER = (
    ("aligned_cosine", "aligned cosine"),
    ("neuron_matching", "matched-neuron cosine"),
    ("layer_alignment", "best-layer cosine"),
    ("moe_upcycling", "fraction of expert neurons above the background"),
)
_MAX_CHAIN = 16  # catalog base chains are short; this bounds a cyclic catalog
SYMMETRY = (
    "Weight similarity is symmetric: it cannot tell a parent from a sibling (two models "
    "derived from a common parent match each other too) and does not say which model "
    "came first; the closest candidate need not be the parent."
)


@dataclass(frozen=True)
class Closeness:
    candidate: str
    statistic: str  # what `value` is
    value: float


def closeness(comparison: Any) -> Closeness | None:
    """The first computable statistic of `_ORDER` (identical tensors rank above all)."""
    from compliance.weights.labels import verdict_kind, verdict_subtype

    label = comparison.candidate.label
    if verdict_kind(comparison.verdict) == "identical_tensors":
        return Closeness(label, "byte-identical tensors", float("inf"))
    order = _ORDER
    if verdict_subtype(comparison.verdict) == "rotated":  # the direct statistics sit at their null
        order = (("gram_layers", "rotation-invariant row-Gram correlation"), *_ORDER)
    for name, what in order:
        sig = comparison.signal(name)
        if sig is not None and sig.computable and isinstance(sig.value, int | float):
            return Closeness(label, what, float(sig.value))
    return None


def rank(comparisons: Sequence[Any]) -> list[Closeness]:
    """Positive comparisons, closest first (only those ranked on the same statistic are
    comparable; they are grouped by statistic in `_ORDER`'s order)."""
    from compliance.weights.labels import POSITIVE, verdict_kind

    got = [
        c for c in (closeness(x) for x in comparisons
                    if verdict_kind(x.verdict) in POSITIVE)
        if c is not None
    ]
    order = {"byte-identical tensors": -1, **{w: i for i, (_n, w) in enumerate(_ORDER)}}
    return sorted(got, key=lambda c: (order.get(c.statistic, 99), -c.value))


def ranking_note(ranked: Sequence[Closeness]) -> str | None:
    """One paragraph naming the closest of several matching candidates."""
    if len(ranked) < 2:
        return None
    parts = [
        f"{c.candidate} ({c.statistic}"
        + ("" if c.value == float("inf") else f" {c.value:.3f}")
        + ")"
        for c in ranked
    ]
    return (
        f"{len(ranked)} candidates match; closest first: " + "; ".join(parts)
        + f". {ranked[0].candidate} is the closest. " + SYMMETRY
    )


def _chain(catalog: Any, repo_id: str) -> list[str]:
    """repo_id's catalog ancestors, nearest first (lower case)."""
    from compliance.lineage.offline_resolver import entry_bases

    out: list[str] = []
    if catalog is None:
        return out
    todo = [repo_id]
    while todo and len(out) < _MAX_CHAIN:
        entry = catalog.lookup(todo.pop(0))
        for b in entry_bases(entry) if entry is not None else []:
            if b.lower() not in out and b.lower() != repo_id.lower():
                out.append(b.lower())
                todo.append(b)
    return out


def known_relative(
    candidate: str, declared: Iterable[str], lineage: Any = None, catalog: Any = None
) -> str | None:
    """How `candidate` is related to a declared base, or None when no relation is known."""
    declared = list(declared)
    if not declared:
        return None
    cand = candidate.lower()
    lineage_ids = {
        a.repo_id.lower() for a in (getattr(lineage, "ancestors", None) or []) if a.depth > 1
    }
    cand_entry = catalog.lookup(candidate) if catalog is not None else None
    cand_up = _chain(catalog, candidate)
    for base in declared:
        low = base.lower()
        if low == cand:
            continue
        base_up = _chain(catalog, base)
        if cand in base_up or cand in lineage_ids:
            return f"an ancestor of the declared base {base}"
        if low in cand_up:
            return f"a descendant of the declared base {base}"
        shared = [b for b in cand_up if b in base_up]
        if shared:
            return f"a sibling of the declared base {base} (both derive from {shared[0]})"
        base_entry = catalog.lookup(base) if catalog is not None else None
        if cand_entry is not None and base_entry is not None and (
            cand_entry.family == base_entry.family
        ):
            return f"in the same catalog family ({cand_entry.family}) as the declared base {base}"
    return None


def default_catalog() -> Any:
    """The built-in catalog, or None when it cannot be loaded (relatives then unknown)."""
    from compliance.errors import ModelcheckError

    try:
        from compliance.lineage.catalog import Catalog

        return Catalog.load()
    except (ModelcheckError, OSError):
        return None
