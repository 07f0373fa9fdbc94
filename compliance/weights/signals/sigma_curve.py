"""S7: HonestAGI sigma-curve (per-layer std of q/k/v/o, Pearson r) -- context only.

lineage.md §1: the statistic sees only per-layer scale profiles; a same-statistics
independent redraw scores r = 1.00 and unrelated 7B models reached 0.91. Shown next to its
null band (independent random-walk depth curves of the same length, simulated) and never
used as a reason for a finding (tier C).
"""

from __future__ import annotations

import numpy as np

from compliance.weights.signals.base import (
    ATTN_ROLES,
    CachedView,
    Null,
    SamplePlan,
    SignalResult,
    Spec,
    _seed_of,
    cached,
)
from compliance.weights.view import TensorView

NAME = "sigma_curve"
TIER = "C"
STAT = "Pearson r of per-layer std curves of q/k/v/o (HonestAGI sigma-curve)"
N_SIM = 2000
ROBUST_TO = ("fine-tuning", "continued training", "noise", "rescaling")
CANNOT_DETECT = (
    "the difference between derivation and independent training with the same "
    "recipe: same-statistics independent models score r = 1",
)
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)


def _curve(v: CachedView, role: str) -> np.ndarray | None:
    vals = []
    for layer in range(v.n_layers):
        x = v.planned(role, layer)
        if x is None:
            return None
        vals.append(float(x.std()))
    return np.asarray(vals)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if x.std() == 0 or y.std() == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def _resample(x: np.ndarray, n: int) -> np.ndarray:
    return x if len(x) == n else np.interp(np.linspace(0, 1, n), np.linspace(0, 1, len(x)), x)


def null_band(length: int, seed: int) -> np.ndarray:
    """r between independent random-walk curves of this length (simulated)."""
    rng = np.random.default_rng(_seed_of("sigma-null", seed, length))
    x = np.cumsum(rng.standard_normal((N_SIM, length)), axis=1)
    y = np.cumsum(rng.standard_normal((N_SIM, length)), axis=1)
    x -= x.mean(axis=1, keepdims=True)
    y -= y.mean(axis=1, keepdims=True)
    den = np.sqrt((x * x).sum(1) * (y * y).sum(1))
    den[den == 0] = 1.0
    return (x * y).sum(1) / den


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    a, b = cached(suspect, plan), cached(candidate, plan)
    if a.n_layers < 3 or b.n_layers < 3:
        return SPEC.not_computable("needs >= 3 layers in both models")
    n = max(a.n_layers, b.n_layers)
    rs: dict[str, float] = {}
    curves_a, curves_b = [], []
    for role in ATTN_ROLES:
        ca, cb = _curve(a, role), _curve(b, role)
        if ca is None or cb is None:
            continue
        ca, cb = _resample(ca, n), _resample(cb, n)
        rs[role] = _pearson(ca, cb)
        curves_a.append((ca - ca.mean()) / (ca.std() or 1.0))
        curves_b.append((cb - cb.mean()) / (cb.std() or 1.0))
    if not rs:
        return SPEC.not_computable(
            "no attention projection (q/k/v/o) is present in every layer of both models"
        )
    value = float(np.mean(list(rs.values())))
    band = null_band(n, plan.seed)
    p95, p99 = float(np.quantile(band, 0.95)), float(np.quantile(band, 0.99))
    p_exceed = float(np.mean(band >= value))
    null = Null(
        description=f"Pearson r between independent random-walk depth curves of length "
        f"{n} ({N_SIM} simulations); unrelated real models reach 0.3-0.7 and one "
        "unrelated pair 0.91 (lineage.md §1.4)",
        source="simulated",
        mean=float(band.mean()),
        sd=float(band.std()),
        max=p99,
        p_value=p_exceed,
        k=N_SIM,
    )
    za, zb = np.mean(curves_a, axis=0), np.mean(curves_b, axis=0)
    per = tuple(
        {
            "layer": i,
            "value": float(za[i]),
            "candidate": float(zb[i]),
            "null_lo": -2.0,
            "null_hi": 2.0,
        }
        for i in range(n)
    )
    return SPEC.result(
        value,
        n,
        "layers",
        null,
        per_layer=per,
        fires=bool(value > p99),
        details={"per_role": rs, "null_p95": p95, "null_p99": p99, "context_only": True},
    )
