"""S5: layer alignment for pruned, depth-up-scaled or reordered models (lineage.md §2.12).

Layer x layer similarity S[i, j] = sampled cosine of suspect layer i vs candidate layer j
(all common 2-D roles, same rows: the plan samples by shape only). Each suspect layer maps
to its best candidate layer (many-to-one allowed: SOLAR-style up-scaling repeats layers and
is not monotone). Null: every other cell of S (non-corresponding layers) with the analytic
floor sd >= 1/sqrt(n). A suspect layer is matched when its best cell is >= 0.2, >= 20 null
sd above the null mean and above the null max; fires when >= half the suspect layers (and
>= 2) are matched.
"""

from __future__ import annotations

import numpy as np

from compliance.weights.signals.base import (
    CachedView,
    Null,
    SamplePlan,
    SignalResult,
    Spec,
    cached,
    centred,
    floored_null,
    role_kind,
)
from compliance.weights.view import TensorView

NAME = "layer_alignment"
TIER = "A"
STAT = "best-match layer cosine (layer map)"
MIN_VALUE = 0.2
MIN_Z = 20.0
ROBUST_TO = (
    "layer dropping (depth pruning)",
    "layer duplication (depth up-scaling)",
    "layer reordering",
    "fine-tuning after the depth change",
)
CANNOT_DETECT = ("neuron permutation or rotation inside layers", "width pruning", "distillation")
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)


def similarity(a: CachedView, b: CachedView) -> tuple[np.ndarray, int, list[str]]:
    """S[i, j] over roles both models have at every layer with one shape; returns (S, n, roles)."""
    # down projections ("neuron" rows: 256 x intermediate per layer) are left out: stacking
    # them for every layer of a 48-layer model would take GBs, and q/k/v/o/gate/up suffice
    roles = (
        sorted(r for r in set(a.roles(0)) & set(b.roles(0)) if role_kind(r) == "matrix")
        if a.n_layers and b.n_layers
        else []
    )
    keep: list[str] = []
    dots = np.zeros((a.n_layers, b.n_layers))
    na = np.zeros(a.n_layers)
    nb = np.zeros(b.n_layers)
    n = 0
    for role in roles:
        shapes = {a.shape(role, i) for i in range(a.n_layers)} | {
            b.shape(role, j) for j in range(b.n_layers)
        }
        if len(shapes) != 1 or None in shapes or len(next(iter(shapes))) < 2:
            continue
        xa = [a.planned(role, i) for i in range(a.n_layers)]
        xb = [b.planned(role, j) for j in range(b.n_layers)]
        if any(x is None for x in xa + xb):
            continue
        # centred per tensor, as in aligned_cosine
        ma = np.stack([centred(x) for x in xa])  # type: ignore[arg-type]
        mb = np.stack([centred(x) for x in xb])  # type: ignore[arg-type]
        dots += ma @ mb.T
        na += np.einsum("ij,ij->i", ma, ma)
        nb += np.einsum("ij,ij->i", mb, mb)
        n += ma.shape[1]
        keep.append(role)
    den = np.sqrt(np.outer(na, nb))
    den[den == 0] = 1.0
    return dots / den, n, keep


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    a, b = cached(suspect, plan), cached(candidate, plan)
    if a.n_layers < 1 or b.n_layers < 2:
        return SPEC.not_computable("needs >= 1 suspect and >= 2 candidate layers")
    s, n, roles = similarity(a, b)
    if n == 0:
        return SPEC.not_computable("no per-layer 2-D tensors with one shape in both models")
    best = s.argmax(axis=1)
    best_val = s[np.arange(a.n_layers), best]
    mask = np.ones_like(s, dtype=bool)
    mask[np.arange(a.n_layers), best] = False
    off = s[mask]
    mean, sd, mx = floored_null(off, 1.0 / np.sqrt(n))
    matched = (best_val >= MIN_VALUE) & ((best_val - mean) / sd >= MIN_Z) & (best_val > mx)
    n_matched = int(matched.sum())
    fires = (
        n_matched >= max(2, int(np.ceil(a.n_layers / 2))) if a.n_layers > 1 else bool(matched.all())
    )
    mapping = {int(i): int(best[i]) for i in range(a.n_layers) if matched[i]}
    mapped = [mapping[i] for i in sorted(mapping)]
    monotone = all(x < y for x, y in zip(mapped, mapped[1:], strict=False))
    repeats = len(set(mapped)) < len(mapped)
    identity = all(k == v for k, v in mapping.items()) and a.n_layers == b.n_layers
    subtype = None
    if fires:
        if a.n_layers < b.n_layers:
            subtype = "pruned"
        elif a.n_layers > b.n_layers or repeats:
            subtype = "up-scaled"
        elif not identity:
            subtype = "layers-reordered"
    partial = not fires and n_matched > 0
    null = Null(
        description="cosine between non-corresponding layers (every cell of the layer x "
        "layer matrix off the chosen map), analytic floor sd = 1/sqrt(n)",
        source="non-corresponding layers+analytic",
        mean=mean,
        sd=sd,
        max=mx,
        k=int(off.size),
    )
    per = tuple(
        {
            "layer": int(i),
            "value": float(best_val[i]),
            "maps_to": int(best[i]),
            "null_lo": mean - 3 * sd,
            "null_hi": mx,
            "matched": bool(matched[i]),
        }
        for i in range(a.n_layers)
    )
    return SPEC.result(
        float(best_val.mean()),
        a.n_layers,
        "layers",
        null,
        per_layer=per,
        fires=bool(fires),
        partial=bool(partial),
        subtype=subtype,
        details={
            "map": mapping,
            "monotone": monotone,
            "repeats": repeats,
            "identity": identity,
            "layers_matched": n_matched,
            "elements_per_layer": n,
            "roles": roles,
            "matrix": np.round(s, 4).tolist(),
        },
    )
