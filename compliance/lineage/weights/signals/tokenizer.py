"""S8: tokenizer identity (context only: tokenizer reuse is common and legitimate)."""

from __future__ import annotations

from compliance.lineage.weights.signals.base import (
    Null,
    SamplePlan,
    SignalResult,
    not_computable,
)
from compliance.lineage.weights.view import TensorView

NAME = "tokenizer"
TIER = "C"
STAT = "tokenizer file digest identity"
ROBUST_TO = ("any weight change",)
CANNOT_DETECT = ("anything about the weights: many unrelated models share a tokenizer",)


def tokenizer_digest(view: TensorView) -> str | None:
    """A digest of the tokenizer, if the view exposes one (attribute `tokenizer_digest`, or
    config key `_tokenizer_sha256` set by the reader)."""
    d = getattr(view, "tokenizer_digest", None)
    if d is None and hasattr(view, "view"):
        d = getattr(view.view, "tokenizer_digest", None)
    if d is None:
        d = (view.config or {}).get("_tokenizer_sha256")
    return d if isinstance(d, str) and d else None


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    da, db = tokenizer_digest(suspect), tokenizer_digest(candidate)
    if da is None or db is None:
        return not_computable(
            NAME,
            TIER,
            STAT,
            "no tokenizer digest for "
            + ("both models" if da is None and db is None else "one model"),
            ROBUST_TO,
            CANNOT_DETECT,
        )
    same = da == db
    return SignalResult(
        name=NAME,
        tier=TIER,
        value=1.0 if same else 0.0,
        statistic=STAT,
        n=1,
        n_unit="files",
        null=Null(
            description="unrelated models often reuse a tokenizer (Llama, GPT-2, Qwen)",
            source="analytic",
        ),
        robust_to=ROBUST_TO,
        cannot_detect=CANNOT_DETECT,
        fires=same,
        details={"suspect": da, "candidate": db, "context_only": True},
    )
