"""S4: MoE expert neurons matched back to a dense model's MLP neurons (upcycling).

Sparse upcycling copies the dense MLP into every expert (Komatsuzaki et al.); drop-
upcycling re-initialises a fraction; fine-grained upcycling slices the dense MLP. In every
case an expert neuron's down-projection column (its coordinate on the plan's sampled hidden
rows) has a near-duplicate among the dense MLP's neurons. Per expert neuron: best-match
cosine against the dense layer; null: the same best-match against a *non-corresponding*
dense layer and against a Gaussian matrix of the same shape. Value: the fraction of expert
neurons above the null max. Fires (lineage.md §5.3): >= 30 % above the null max, on >= 2
layers (or every layer if fewer).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from compliance.weights.signals.base import (
    CachedView,
    Null,
    SamplePlan,
    SignalResult,
    Spec,
    _seed_of,
    cached,
    unit_cols,
)
from compliance.weights.view import TensorView

NAME = "moe_upcycling"
TIER = "A"
STAT = "fraction of MoE expert neurons matching a dense MLP neuron above the null max"
MIN_FRACTION = 0.3
MAX_EXPERTS = 8  # experts sampled per layer
MAX_NEURONS = 256  # neurons sampled per expert
ROBUST_TO = (
    "expert noise / continued MoE training (until experts diverge)",
    "row shuffles inside experts",
    "partial re-initialisation (drop-upcycling)",
    "fine-grained expert slicing",
)
CANNOT_DETECT = ("experts trained long enough to diverge from the dense MLP", "distillation")
_EXPERT = re.compile(r"^moe\.(expert\.\d+|shared)\.down$")
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)


def _best(ue: np.ndarray, ud: np.ndarray) -> np.ndarray:
    """Each expert neuron's best cosine among the dense neurons (both as unit_cols)."""
    return (ue.T @ ud).max(axis=1)


def _expert_coords(a: CachedView, layer: int, seed: int) -> list[tuple[str, np.ndarray]]:
    roles = sorted(r for r in a.roles(layer) if _EXPERT.match(r))
    if len(roles) > MAX_EXPERTS:
        rng = np.random.default_rng(_seed_of("experts", seed, len(roles)))
        roles = [roles[i] for i in sorted(rng.choice(len(roles), MAX_EXPERTS, replace=False))]
    out = []
    for role in roles:
        x = a.planned(role, layer)
        if x is None:
            continue
        if x.shape[1] > MAX_NEURONS:
            rng = np.random.default_rng(_seed_of("expert-neurons", seed, x.shape[1]))
            x = x[:, np.sort(rng.choice(x.shape[1], MAX_NEURONS, replace=False))]
        out.append((role, x))
    return out


def unread_experts(view: CachedView) -> str:
    """The suspect's expert tensors the reader listed as not understood (coverage), as
    '`name` (reason)'; empty when there are none or the view does not say."""
    cov = getattr(view.view, "coverage", None)
    rows = cov.get("unrecognised") if isinstance(cov, dict) else None
    hits = [r for r in rows or [] if isinstance(r, dict) and r.get("role") == "MoE experts"]
    return "; ".join(f"`{r.get('tensors')}` ({r.get('reason')})" for r in hits[:3])


def _no_dense_reason(a: CachedView, b: CachedView, layers: list[int]) -> str:
    downs = [b.shape("mlp.down", ly) for ly in layers if "mlp.down" in b.roles(ly)]
    if not downs:
        return "the candidate has no dense MLP down projections to match experts against"
    experts = [a.shape(r, ly) for ly in layers for r in a.roles(ly) if _EXPERT.match(r)]
    got = sorted({s[0] for s in experts if s}), sorted({s[0] for s in downs if s})
    if got[0] == got[1]:
        return "the sampled rows of the candidate's dense MLP were not available"
    return (
        f"the hidden sizes differ (suspect experts {', '.join(map(str, got[0]))}, candidate "
        f"dense MLP {', '.join(map(str, got[1]))})"
    )


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    a, b = cached(suspect, plan), cached(candidate, plan)
    layers = plan.layers_for_neurons(a.n_layers)
    if not any(_EXPERT.match(r) for ly in layers for r in a.roles(ly)):
        unread = unread_experts(a)
        if unread:  # experts the reader did not understand are not "no experts"
            return SPEC.not_computable(
                f"the suspect's MoE expert tensors were not read ({unread}; see coverage)"
            )
        return replace(
            SPEC.not_computable("the suspect has no MoE experts"), details={"inapplicable": True}
        )
    differ = SPEC.layers_differ(a, b)
    if differ is not None:
        return differ
    per: list[dict[str, float]] = []
    null_max_all: list[float] = []
    for layer in layers:
        xd = b.planned("mlp.down", layer)
        if xd is None:
            continue
        j = (layer + 1) % b.n_layers
        xj = b.planned("mlp.down", j) if j != layer else None
        rng = np.random.default_rng(_seed_of("moe-null", plan.seed, *xd.shape))
        # unit coordinates once per layer, not once per expert
        ud, ug = unit_cols(xd), unit_cols(rng.standard_normal(xd.shape))
        uj = unit_cols(xj) if xj is not None and xj.shape[0] == xd.shape[0] else None
        best_all: list[np.ndarray] = []
        null_best: list[np.ndarray] = []
        for _role, xe in _expert_coords(a, layer, plan.seed):
            if xe.shape[0] != xd.shape[0]:
                continue
            ue = unit_cols(xe)
            best_all.append(_best(ue, ud))
            null_best.append(_best(ue, ug))
            if uj is not None:
                null_best.append(_best(ue, uj))
        if not best_all:
            continue
        best = np.concatenate(best_all)
        nmax = float(np.concatenate(null_best).max())
        null_max_all.append(nmax)
        frac = float(np.mean(best > nmax))
        per.append(
            {
                "layer": layer,
                "value": frac,
                "mean_best_cos": float(best.mean()),
                # the fraction's own background: by construction no neuron of the
                # background exceeds its maximum, so the null fraction is 0
                "null_lo": 0.0,
                "null_hi": 0.0,
                "threshold": MIN_FRACTION,
                "null_max_cos": nmax,
                "neurons": int(best.size),
                "experts": len(best_all),
            }
        )
    if not per:
        return SPEC.not_computable(_no_dense_reason(a, b, layers))
    n = sum(int(r["neurons"]) for r in per)
    value = float(sum(r["value"] * r["neurons"] for r in per) / n)
    n_fire = sum(1 for r in per if r["value"] >= MIN_FRACTION)
    fires = value >= MIN_FRACTION and n_fire >= min(2, len(per))
    partial = not fires and value >= 0.05
    null = Null(
        description="best-match cosine of the same expert neurons against a "
        "non-corresponding dense layer and a Gaussian matrix of the same shape; a "
        "neuron counts when it exceeds the maximum of that background",
        source="non-corresponding layers+simulated",
        max=float(max(null_max_all)),
        k=len(null_max_all),
    )
    return SPEC.result(
        value,
        n,
        "neurons",
        null,
        per_layer=tuple(per),
        fires=bool(fires),
        partial=bool(partial),
        subtype="upcycled-moe" if fires else None,
        details={
            "mean_best_cos": float(np.mean([r["mean_best_cos"] for r in per])),
            "layers_firing": n_fire,
            "layers": len(per),
            "thresholds": {"min_fraction": MIN_FRACTION},
        },
    )
