"""S1: byte identity of non-trivial tensors (a cryptographic digest of the raw bytes, from the
views: BLAKE3 or sha256, see digests.py; digests of different algorithms are never compared).

A tensor is non-trivial when it has >= MIN_ELEMENTS elements and its sampled rows are
not constant (LayerNorm gains of 1, zero biases, position ids collide across unrelated
models). A suspect tensor counts as identical if its digest equals the digest of *any*
candidate tensor, so byte-identical layers are found even after pruning or reordering.
"""

from __future__ import annotations

import numpy as np

from compliance.weights.digests import algorithm_of
from compliance.weights.signals.base import (
    CachedView,
    Null,
    SamplePlan,
    SignalResult,
    Spec,
    cached,
)
from compliance.weights.view import TensorView

NAME = "identical_tensors"
TIER = "A"
STAT = "byte-identical non-trivial tensors (cryptographic digests)"
MIN_ELEMENTS = 16384  # 64 KiB at fp32 (lineage.md §2.1: >= 64 KiB, not constant)
ROBUST_TO: tuple[str, ...] = ("renaming files", "re-sharding", "reordering or dropping layers")
CANNOT_DETECT = (
    "any change of the values: fine-tuning, dtype recast, quantisation",
    "distillation",
)
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)


def _layers(v: CachedView) -> list[int | None]:
    return [None, *range(v.n_layers)]


def _non_trivial(v: CachedView, role: str, layer: int | None) -> bool:
    shape = v.shape(role, layer)
    if shape is None or int(np.prod(shape)) < MIN_ELEMENTS:
        return False
    rows = v.planned(role, layer)
    return rows is not None and rows.size > 0 and float(np.ptp(rows)) > 0.0


def _none_reason(v: CachedView, side: str) -> str:
    """Why a side offers nothing to compare: no digests at all (a remote read hashes
    nothing), or digests only of tensors too small or constant to mean anything."""
    keys = [(r, ly) for ly in _layers(v) for r in v.roles(ly)]
    if not any(v.digest(r, ly) for r, ly in keys):
        return f"the {side} view provides no tensor digests"
    return (
        f"the {side} has no digested tensor of >= {MIN_ELEMENTS:,} elements"
        + (" that is not constant" if side == "suspect" else "")
    )


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    a, b = cached(suspect, plan), cached(candidate, plan)
    cand: dict[str, tuple[str, int | None]] = {}
    for layer in _layers(b):
        for role in b.roles(layer):
            d = b.digest(role, layer)
            shape = b.shape(role, layer)
            if d and shape is not None and int(np.prod(shape)) >= MIN_ELEMENTS:
                cand.setdefault(d, (role, layer))
    if not cand:
        return SPEC.not_computable(_none_reason(b, "candidate"))
    cand_algos = {algorithm_of(d) for d in cand}
    compared = 0
    other_algos: set[str] = set()
    used_algos: set[str] = set()
    identical: list[dict[str, object]] = []
    per_layer: dict[int | None, list[int]] = {}
    for layer in _layers(a):
        for role in a.roles(layer):
            d = a.digest(role, layer)
            if d is None or not _non_trivial(a, role, layer):
                continue
            if algorithm_of(d) not in cand_algos:  # not comparable, which is not "different"
                other_algos.add(algorithm_of(d))
                continue
            compared += 1
            used_algos.add(algorithm_of(d))
            hit = cand.get(d)
            per_layer.setdefault(layer, [0, 0])
            per_layer[layer][1] += 1
            if hit is not None:
                per_layer[layer][0] += 1
                identical.append(
                    {
                        "role": role,
                        "layer": layer,
                        "candidate_role": hit[0],
                        "candidate_layer": hit[1],
                    }
                )
    if compared == 0 and other_algos:
        return SPEC.not_computable(
            "the tensor digests were made with different algorithms (suspect: "
            f"{', '.join(sorted(other_algos))}; candidate: {', '.join(sorted(cand_algos))}), "
            "so byte identity cannot be checked"
        )
    if compared == 0:
        return SPEC.not_computable(_none_reason(a, "suspect"))
    null = Null(
        description="unrelated non-constant tensors of >= 16,384 elements never share a "
        "cryptographic digest (collision probability about 2^-256)",
        source="analytic",
        mean=0.0,
        max=0.0,
        p_value=None,
    )
    layers = [
        {"layer": ly, "value": hits / tot, "null_lo": 0.0, "null_hi": 0.0}
        for ly, (hits, tot) in per_layer.items()
        if ly is not None
    ]
    all_identical = len(identical) == compared
    return SPEC.result(
        float(len(identical)),
        compared,
        "tensors",
        null,
        per_layer=tuple(layers),
        fires=bool(identical),
        subtype="identical" if all_identical else ("shared-tensors" if identical else None),
        details={
            "identical": identical[:50],
            "n_identical": len(identical),
            "compared": compared,
            "all_identical": all_identical,
            "algorithm": ", ".join(sorted(used_algos)),
        },
    )
