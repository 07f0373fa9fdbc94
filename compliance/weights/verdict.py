"""Combine signal results into one verdict (lineage.md §5.3), abstaining when nothing
decisive could be computed.

Rules (monotone; tier C never raises a verdict):
  not-verifiable              no tier-A/B signal computable
  identical-tensors           every compared non-trivial suspect tensor is byte-identical
  consistent-with-derivation  >= 1 tier-A signal fires (subtype from the firing signals), or
                              2 tier-B signals fire (they read disjoint tensors: layer
                              matrices and embedding rows), or 1 tier-B signal fires with a
                              partial tier-A one; tier B without tier A while the aligned
                              cosine or the layer alignment was computed gives the subtype
                              `rotated`
  suggestive                  a tier-A/B signal is above its null max without reaching the
                              decisive threshold, or a single tier-B signal fires
  no-weight-evidence          otherwise
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compliance.weights.signals.base import SignalResult

IDENTICAL = "identical-tensors"
DERIVATION = "consistent-with-derivation"
SUGGESTIVE = "suggestive"
NO_EVIDENCE = "no-weight-evidence"
NOT_VERIFIABLE = "not-verifiable"
KINDS = (IDENTICAL, DERIVATION, SUGGESTIVE, NO_EVIDENCE, NOT_VERIFIABLE)

SUBTYPES = (
    "fine-tune",
    "heavy-training",
    "permuted",
    "pruned",
    "up-scaled",
    "layers-reordered",
    "upcycled-moe",
    "merge",
    "shared-tensors",
    "rotated",
)


@dataclass(frozen=True)
class Verdict:
    kind: str  # one of KINDS
    subtype: str | None  # one of SUBTYPES (for DERIVATION), else None
    deciding: tuple[str, ...]  # names of the signals the verdict rests on
    partial: tuple[str, ...]  # tier-A/B signals above their null but below decisive
    context: tuple[str, ...]  # tier-C signals above their null band (never decisive)
    not_computed: tuple[tuple[str, str], ...]  # (signal, reason)
    notes: tuple[str, ...] = ()  # disagreements worth reporting

    @property
    def positive(self) -> bool:
        return self.kind in (IDENTICAL, DERIVATION)


def _subtype(fired: dict[str, SignalResult]) -> str | None:
    for name in (
        "moe_upcycling",
        "layer_alignment",
        "neuron_matching",
        "aligned_cosine",
        "identical_tensors",
    ):
        r = fired.get(name)
        if r is not None and r.subtype in SUBTYPES:
            return r.subtype
    return None


def decide(results: Sequence[SignalResult]) -> Verdict:
    by = {r.name: r for r in results}
    strong = [r for r in results if r.tier in ("A", "B")]
    computable = [r for r in strong if r.computable]
    not_computed = tuple(
        (r.name, r.reason or "not computable") for r in results if not r.computable
    )
    context = tuple(r.name for r in results if r.tier == "C" and r.computable and r.fires)
    partial = tuple(r.name for r in computable if r.partial and not r.fires)
    notes: list[str] = []
    if not computable:
        return Verdict(NOT_VERIFIABLE, None, (), (), context, not_computed)
    fired = {r.name: r for r in computable if r.fires}
    s1 = by.get("identical_tensors")
    s2, s3 = by.get("aligned_cosine"), by.get("neuron_matching")
    if s3 is not None and s3.fires and s3.subtype == "permuted" and not (s2 and s2.fires):
        notes.append(
            "low direct (aligned) similarity but high matched-neuron similarity: "
            "consistent with a neuron permutation (a function-preserving "
            "reparameterisation) applied after derivation"
        )
    if (
        s1 is not None
        and s1.computable
        and s1.fires
        and s1.details.get("all_identical")
        and (s2 is None or not s2.computable or s2.fires)
    ):
        return Verdict(
            IDENTICAL, None, ("identical_tensors",), partial, context, not_computed, tuple(notes)
        )
    tier_a = {n: r for n, r in fired.items() if r.tier == "A"}
    tier_b = {n: r for n, r in fired.items() if r.tier == "B"}
    partial_a = [n for n in partial if by[n].tier == "A"]
    if tier_a or len(tier_b) >= 2 or (tier_b and partial_a):
        subtype = _subtype(fired)
        direct = (s2, by.get("layer_alignment"))  # tier-A signals a rotation hides from
        if not tier_a and any(x is not None and x.computable for x in direct):
            subtype = "rotated"
            notes.append(
                "low direct (aligned) similarity but high rotation-invariant (Gram) "
                "similarity: consistent with an orthogonal rotation of the residual stream "
                "(a function-preserving reparameterisation) applied after derivation"
            )
        return Verdict(
            DERIVATION, subtype, tuple(fired), partial, context, not_computed, tuple(notes)
        )
    if tier_b or partial:
        return Verdict(
            SUGGESTIVE, None, tuple(tier_b), partial, context, not_computed, tuple(notes)
        )
    return Verdict(NO_EVIDENCE, None, (), (), context, not_computed, tuple(notes))
