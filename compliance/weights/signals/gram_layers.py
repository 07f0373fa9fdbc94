"""B1: rotation-invariant row-Gram correlation of the input-side layer matrices.

For each layer and each input-side role (q, k, v, gate, up: matrices that read the residual
stream), the Gram matrix of the plan's sampled rows (invariants.row_gram) is reduced to the
cosines between those rows (invariants.cosine_structure) and the
off-diagonal entries of the suspect's and the candidate's are correlated (Pearson r). An
orthogonal rotation of the residual stream (W -> W Rᵀ) leaves each Gram exactly unchanged,
and scaling a matrix (q·c with k/c, up·c with down/c) or single rows leaves the cosines
unchanged, so a rotated derivative keeps r ≈ 1 while its aligned cosines drop to the null
(in the spirit of HuRef's invariant terms, lineage.md §2.4). For independent models the rows
at the same positions are unrelated, so r ≈ 0 whatever geometry the two share.

Per layer: the mean r over the roles both layers have; overall: the mean over layers. Null:
the same computation between non-corresponding layers (offsets 1-3), with the analytic floor
sd >= 1/sqrt(number of entries of one layer). Fires: r >= 0.2, >= 20 null sd above the null
mean and above the null max (the same rule as the aligned cosine). Models of different
depth: each suspect layer is matched to its best candidate layer, the null is every other
cell, and at least half the suspect layers must match (as in layer_alignment).
"""

from __future__ import annotations

import numpy as np

from compliance.weights import invariants
from compliance.weights.signals.base import (
    CachedView,
    Null,
    SamplePlan,
    SignalResult,
    Spec,
    cached,
    floored_null,
    judge,
)
from compliance.weights.view import TensorView

NAME = "gram_layers"
TIER = "B"
STAT = "rotation-invariant row-Gram correlation of the q/k/v/gate/up matrices"
INPUT_ROLES = ("attn.q", "attn.k", "attn.v", "mlp.gate", "mlp.up")
MIN_VALUE = 0.2
MIN_Z = 20.0
NULL_OFFSETS = (1, 2, 3)
ROBUST_TO = (
    "orthogonal rotation of the residual stream",
    "scaling of paired matrices (q·c with k/c, up·c with down/c) and of single rows",
    "fine-tuning",
    "MLP neuron permutation (through the attention matrices)",
    "depth changes (layers matched by best match when the depths differ)",
)
CANNOT_DETECT = (
    "attention-head permutation combined with MLP neuron permutation (the sampled rows "
    "then belong to other heads and neurons)",
    "per-head rotation of q/k or v/o",
    "heavy continued training (it decays faster than the aligned cosine)",
)
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)

Key = tuple[int, str, int]
Cache = dict[Key, "np.ndarray | None"]


def _structures(
    v: CachedView, layer: int, roles: tuple[str, ...], cache: Cache
) -> dict[str, np.ndarray | None]:
    """Cosine structure of each role's sampled-row Gram, once per (model, role, layer):
    each enters its own layer's correlation and up to three null correlations."""
    out = {}
    for role in roles:
        key = (id(v), role, layer)
        if key not in cache:
            rows = v.plan.rows_for(role, v.shape(role, layer))
            g = invariants.row_gram(v, role, layer, rows)
            cache[key] = None if g is None else invariants.cosine_structure(g)
        out[role] = cache[key]
    return out


def _roles(a: CachedView, la: int, b: CachedView, lb: int) -> tuple[str, ...]:
    """Input-side roles both layers have with one 2-D shape."""
    out = []
    for role in INPUT_ROLES:
        sa, sb = a.shape(role, la), b.shape(role, lb)
        if sa is not None and sa == sb and len(sa) == 2:
            out.append(role)
    return tuple(out)


def layer_r(
    a: CachedView, la: int, b: CachedView, lb: int, cache: Cache
) -> tuple[float | None, int, dict[str, float]]:
    """(mean r over roles, entries per role summed, r per role) for layer la of A vs lb of B."""
    roles = _roles(a, la, b, lb)
    xa, xb = _structures(a, la, roles, cache), _structures(b, lb, roles, cache)
    per: dict[str, float] = {}
    n = 0
    for role in roles:
        r = invariants.correlation(xa[role], xb[role])
        if r is not None:
            per[role] = r
            n += int(xa[role].size)  # type: ignore[union-attr]
    return (float(np.mean(list(per.values()))) if per else None), n, per


def _best_match(a: CachedView, b: CachedView) -> SignalResult:
    """Models of different depth (pruned, up-scaled): each suspect layer against every
    candidate layer, its best match taken; the null is every other cell of that matrix. A
    suspect layer counts when its best r clears the same thresholds; fires when at least
    half the suspect layers (and >= 2) do, as layer_alignment does."""
    cache: Cache = {}
    s = np.full((a.n_layers, b.n_layers), np.nan)
    n_cell = 0
    for i in range(a.n_layers):
        for j in range(b.n_layers):
            r, n, _by = layer_r(a, i, b, j, cache)
            if r is not None:
                s[i, j] = r
                n_cell = n if not n_cell else min(n_cell, n)
    cache.clear()
    rows = [i for i in range(a.n_layers) if not np.all(np.isnan(s[i]))]
    if not rows or b.n_layers < 2:
        return SPEC.not_computable(
            f"layer counts differ ({a.n_layers} vs {b.n_layers}) and no layer pair has "
            "q/k/v/gate/up matrices of one shape"
        )
    best = {i: int(np.nanargmax(s[i])) for i in rows}
    mask = ~np.isnan(s)
    for i, j in best.items():
        mask[i, j] = False
    mean, sd, mx = floored_null(s[mask].tolist(), 1.0 / np.sqrt(max(n_cell, 1)))
    vals = {i: float(s[i, j]) for i, j in best.items()}
    ok = {i: v >= MIN_VALUE and (v - mean) / sd >= MIN_Z and v > mx for i, v in vals.items()}
    matched = sum(ok.values())
    fires = matched >= max(2, int(np.ceil(a.n_layers / 2)))
    value = float(np.mean(list(vals.values())))
    null = Null(
        description="the same correlation between non-corresponding layers (every cell of "
        "the layer x layer matrix off each suspect layer's best match), with the analytic "
        "floor sd = 1/sqrt(n)",
        source="non-corresponding layers+analytic",
        mean=mean,
        sd=sd,
        max=mx,
        k=int(mask.sum()),
    )
    layers = tuple(
        {"layer": i, "value": vals[i], "maps_to": best[i], "null_lo": mean - 3 * sd,
         "null_hi": mx, "matched": ok[i]}
        for i in rows
    )
    return SPEC.result(
        value,
        n_cell * len(rows),
        "Gram entries",
        null,
        per_layer=layers,
        fires=bool(fires),
        partial=bool(not fires and matched > 0),
        details={
            "z": (value - mean) / sd,
            "layers": len(rows),
            "map": {i: best[i] for i in rows if ok[i]},
            "layers_matched": matched,
            "thresholds": {"min_value": MIN_VALUE, "min_z": MIN_Z},
        },
    )


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    a, b = cached(suspect, plan), cached(candidate, plan)
    if a.n_layers != b.n_layers:
        return _best_match(a, b)
    L = a.n_layers
    cache: Cache = {}
    per: list[tuple[int, float, int, dict[str, float]]] = []
    for layer in range(L):
        r, n, by_role = layer_r(a, layer, b, layer, cache)
        if r is not None:
            per.append((layer, r, n, by_role))
    if not per:
        return SPEC.not_computable(
            "no q/k/v/gate/up matrix with the same shape and sampled rows in both models"
        )
    null_vals: list[float] = []
    for layer, _r, _n, _b in per:
        for off in NULL_OFFSETS:
            j = (layer + off) % L
            if j != layer:
                r, _n2, _b2 = layer_r(a, layer, b, j, cache)
                if r is not None:
                    null_vals.append(r)
    cache.clear()
    value = float(np.mean([r for _l, r, _n, _b in per]))
    n_layer = min(n for _l, _r, n, _b in per)
    n_roles = max(len(b_) for _l, _r, _n, b_ in per)
    # a layer's r is a mean over roles of r on about n_layer/n_roles unrelated entries each,
    # so its sd under independence is about 1/sqrt(n_layer)
    j = judge(
        value,
        null_vals,
        1.0 / np.sqrt(max(n_layer, 1)),
        description="the same correlation between non-corresponding layers of the two "
        "models, with the analytic floor sd = 1/sqrt(n) for unrelated entries",
        source="non-corresponding layers+analytic" if null_vals else "analytic",
        min_value=MIN_VALUE,
        min_z=MIN_Z,
    )
    layers = tuple(
        {
            "layer": ly,
            "value": r,
            "null_lo": j.mean - 3 * j.sd,
            "null_hi": j.max,
            "n": nn,
            "roles": {k: round(v, 5) for k, v in by_role.items()},
        }
        for ly, r, nn, by_role in per
    )
    return SPEC.result(
        value,
        int(sum(n for _l, _r, n, _b in per)),
        "Gram entries",
        j.null,
        per_layer=layers,
        fires=bool(j.fires),
        partial=bool(j.partial),
        details={
            "z": j.z,
            "layers": len(per),
            "roles": n_roles,
            "thresholds": {"min_value": MIN_VALUE, "min_z": MIN_Z},
        },
    )
