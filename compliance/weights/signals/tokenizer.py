"""S8: tokenizer identity (context only: tokenizer reuse is common and legitimate)."""

from __future__ import annotations

from compliance.weights.signals.base import Null, SamplePlan, SignalResult, Spec
from compliance.weights.view import TensorView

NAME = "tokenizer"
TIER = "C"
STAT = "tokenizer file digest identity"
ROBUST_TO = ("any weight change",)
CANNOT_DETECT = ("anything about the weights: many unrelated models share a tokenizer",)
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)


def tokenizer_digest(view: TensorView) -> str | None:
    """A digest of the tokenizer, if the view exposes one (attribute `tokenizer_digest`, or
    config key `_tokenizer_sha256` set by the reader)."""
    d = getattr(view, "tokenizer_digest", None)
    if d is None:
        d = (view.config or {}).get("_tokenizer_sha256")
    return d if isinstance(d, str) and d else None


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    da, db = tokenizer_digest(suspect), tokenizer_digest(candidate)
    if da is None or db is None:
        return SPEC.not_computable(
            "neither model has a tokenizer digest" if da is None and db is None
            else f"the {'suspect' if da is None else 'candidate'} has no tokenizer digest"
        )
    same = da == db
    return SPEC.result(
        1.0 if same else 0.0,
        1,
        "files",
        Null(
            description="unrelated models often reuse a tokenizer (Llama, GPT-2, Qwen)",
            source="analytic",
        ),
        fires=same,
        details={"suspect": da, "candidate": db, "context_only": True},
    )
