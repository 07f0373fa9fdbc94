"""S9: architecture config similarity -- a gate and context, never evidence (Yi-34B used
Llama's architecture and was judged independently trained; upcycling/pruning change it)."""

from __future__ import annotations

from compliance.weights.config_fields import ARCH_FIELDS
from compliance.weights.signals.base import Null, SamplePlan, SignalResult, Spec
from compliance.weights.view import TensorView

NAME = "config_similarity"
TIER = "C"
STAT = "fraction of architecture config fields that are equal"
FIELDS = ARCH_FIELDS
ROBUST_TO = ("any weight change",)
CANNOT_DETECT = (
    "anything about the weights: independent models share architectures, and "
    "derived models (upcycled, pruned, vocab-extended) change them",
)
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    ca, cb = suspect.config or {}, candidate.config or {}
    keys = [k for k in FIELDS if k in ca or k in cb]
    if not keys:
        return SPEC.not_computable("no config.json fields to compare")
    equal = [k for k in keys if ca.get(k) == cb.get(k)]
    diff = {k: [ca.get(k), cb.get(k)] for k in keys if k not in equal}
    value = len(equal) / len(keys)
    return SPEC.result(
        value,
        len(keys),
        "fields",
        Null(
            description="models sharing an architecture recipe match on every field",
            source="analytic",
        ),
        fires=value == 1.0,
        details={"equal": equal, "different": diff, "context_only": True},
    )
