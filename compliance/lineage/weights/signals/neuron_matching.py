"""S3: MLP neuron matching (Zhu et al., ICML 2025, arXiv 2502.12292), weights-only.

Coordinates: the plan reads K rows (hidden dimensions) of each down projection
[hidden, intermediate]; column i of those rows is neuron i's K-dim coordinate (contiguous
row reads; a neuron permutation permutes these columns, hidden dims are untouched).
Per layer: cosine matrix C between suspect and candidate neurons (up to plan.max_neurons
seeded suspect neurons), assignment pi = argmax sum C (scipy linear_sum_assignment; per-row
argmax when the candidate has > LAP_MAX neurons), then

* order test: one-sided Spearman(i, pi(i)) p-value per layer, Fisher-combined
  (chi2 with 2L dof). Exact under the null of independent initialisations (neurons are
  exchangeable at init). A neuron permutation gives a false negative, never a false positive.
* matched cosine m = mean C[i, pi(i)] and identity fraction f = mean(pi(i) == i): m stays
  ~1 under a permutation. Null for m: the same matching between non-corresponding layers
  and between Gaussian matrices of the same shape (simulated).

Fires: Fisher p < 1e-10 with f >= 0.9 (order preserved), or m >= 0.5 and m >= 1.5 x the
null max and >= 10 null sd above the null mean on >= 2 layers (matched neurons; with f <= 0.1
the subtype hint is "permuted").
"""

from __future__ import annotations

import numpy as np

from compliance.lineage.weights.signals.base import (
    Null,
    SamplePlan,
    SignalResult,
    _seed_of,
    cached,
    not_computable,
    null_stats,
)
from compliance.lineage.weights.view import TensorView

NAME = "neuron_matching"
TIER = "A"
STAT = "matched-neuron cosine of MLP down-projection coordinates (assignment)"
LAP_MAX = 4096
P_MAX = 1e-10
F_MIN = 0.9
M_MIN = 0.5
M_NULL_FACTOR = 1.5
M_MIN_Z = 10.0
ROBUST_TO = (
    "fine-tuning",
    "continued training",
    "permutation of MLP neurons (matched cosine; the order test alone would miss it)",
)
CANNOT_DETECT = (
    "residual-stream rotation",
    "distillation",
    "width changes that re-initialise the MLP",
)


def _unit_cols(x: np.ndarray) -> np.ndarray:
    """Neuron coordinates (columns) centred per hidden dim across neurons (an offset shared by
    all neurons is not neuron identity; permutation-invariant), then unit length."""
    x = x - x.mean(axis=1, keepdims=True)
    n = np.linalg.norm(x, axis=0)
    n[n == 0] = 1.0
    return x / n


def match(
    xa: np.ndarray, xb: np.ndarray, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Match suspect neurons `idx` (columns of xa) to candidate columns of xb.
    Returns (suspect neuron ids, candidate neuron ids, matched cosines)."""
    from scipy.optimize import linear_sum_assignment

    c = _unit_cols(xa[:, idx]).T @ _unit_cols(xb)  # float64
    if c.shape[1] <= LAP_MAX:
        r, col = linear_sum_assignment(c, maximize=True)
    else:  # LAP is O(n^3): for wide MLPs use each suspect neuron's best match
        r = np.arange(c.shape[0])
        col = np.argmax(c, axis=1)
    return idx[r], col, c[r, col]


def spearman_p(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """One-sided (positive) Spearman rho and p-value; p floored at 1e-300 for Fisher."""
    from scipy.stats import spearmanr

    if len(x) < 3:
        return 0.0, 1.0
    rho, p2 = spearmanr(x, y)
    rho = 0.0 if not np.isfinite(rho) else float(rho)
    p2 = 1.0 if not np.isfinite(p2) else float(p2)
    p = p2 / 2 if rho > 0 else 1 - p2 / 2
    return rho, max(p, 1e-300)


_SIM_CACHE: dict[tuple[int, int, int, int], float] = {}


def simulated_null(k: int, na: int, nb: int, m: int, seed: int) -> float:
    """Matched cosine between independent Gaussian coordinate matrices of these shapes."""
    key = (k, na, nb, m)
    if key not in _SIM_CACHE:
        rng = np.random.default_rng(_seed_of("neuron-null", seed, *key))
        xa, xb = rng.standard_normal((k, na)), rng.standard_normal((k, nb))
        idx = np.sort(rng.choice(na, size=min(m, na), replace=False))
        _sa, _sb, cs = match(xa, xb, idx)
        _SIM_CACHE[key] = float(cs.mean())
    return _SIM_CACHE[key]


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    from scipy.stats import chi2

    a, b = cached(suspect, plan), cached(candidate, plan)
    if a.n_layers != b.n_layers:
        return not_computable(
            NAME,
            TIER,
            STAT,
            f"layer counts differ ({a.n_layers} vs {b.n_layers})",
            ROBUST_TO,
            CANNOT_DETECT,
        )
    L = a.n_layers
    layers = plan.layers_for_neurons(L)
    rows: list[dict[str, float]] = []
    null_vals: list[float] = []
    sim_vals: list[float] = []
    for layer in layers:
        xa, xb = a.planned("mlp.down", layer), b.planned("mlp.down", layer)
        if xa is None or xb is None or xa.shape[0] != xb.shape[0] or xa.shape[0] < 8:
            continue
        na, nb = xa.shape[1], xb.shape[1]
        rng = np.random.default_rng(_seed_of("neurons", plan.seed, na))
        m = min(plan.max_neurons, na)
        idx = np.arange(na) if m == na else np.sort(rng.choice(na, size=m, replace=False))
        sa, sb, cs = match(xa, xb, idx)
        rho, p = spearman_p(sa, sb)
        f = float(np.mean(sa == sb)) if na == nb else 0.0
        rows.append(
            {
                "layer": layer,
                "value": float(cs.mean()),
                "identity_frac": f,
                "spearman_rho": rho,
                "p": p,
                "neurons": len(sa),
            }
        )
        j = (layer + 1) % L
        xj = b.planned("mlp.down", j) if j != layer else None
        if xj is not None and xj.shape[0] == xa.shape[0]:
            null_vals.append(float(match(xa, xj, idx)[2].mean()))
        sim_vals.append(simulated_null(xa.shape[0], na, nb, m, plan.seed))
    if not rows:
        return not_computable(
            NAME,
            TIER,
            STAT,
            "no dense MLP down projections with the same hidden size in both models",
            ROBUST_TO,
            CANNOT_DETECT,
        )
    fisher_x = float(-2.0 * sum(np.log(r["p"]) for r in rows))
    fisher_p = float(chi2.sf(fisher_x, 2 * len(rows)))
    allnull = null_vals + sim_vals
    mean, sd, mx = null_stats(allnull)
    mean = mean or 0.0
    sd = max(sd or 0.0, 0.01)
    mx = mx if mx is not None else 0.0
    value = float(np.mean([r["value"] for r in rows]))
    f_mean = float(np.mean([r["identity_frac"] for r in rows]))
    for r in rows:
        r["null_lo"], r["null_hi"] = mean - 3 * sd, mx
        r["matched"] = bool(
            r["value"] >= M_MIN
            and r["value"] >= M_NULL_FACTOR * mx
            and (r["value"] - mean) / sd >= M_MIN_Z
        )
    n_matched = sum(1 for r in rows if r["matched"])
    matched_fires = n_matched >= min(2, len(rows))
    order_fires = fisher_p < P_MAX and f_mean >= F_MIN
    fires = order_fires or matched_fires
    partial = not fires and (fisher_p < 1e-4 or value > mx + 3 * sd)
    subtype = "permuted" if matched_fires and f_mean <= 0.1 else None
    src = "non-corresponding layers+simulated" if null_vals else "simulated"
    null = Null(
        description="matched-neuron cosine between non-corresponding layers of the two "
        "models and between independent Gaussian matrices of the same shape",
        source=src,
        mean=mean,
        sd=sd,
        max=mx,
        p_value=fisher_p,
        k=len(allnull),
        values=tuple(round(v, 4) for v in allnull[:20]),
    )
    return SignalResult(
        name=NAME,
        tier=TIER,
        value=value,
        statistic=STAT,
        n=int(sum(r["neurons"] for r in rows)),
        n_unit="neurons",
        null=null,
        per_layer=tuple(rows),
        robust_to=ROBUST_TO,
        cannot_detect=CANNOT_DETECT,
        fires=bool(fires),
        partial=bool(partial),
        subtype=subtype,
        details={
            "fisher_p": fisher_p,
            "fisher_x": fisher_x,
            "identity_frac": f_mean,
            "layers_matched": n_matched,
            "layers": len(rows),
            "order_preserved": order_fires,
            "coordinates": int(a.planned("mlp.down", rows[0]["layer"]).shape[0]),
            "thresholds": {
                "p_max": P_MAX,
                "f_min": F_MIN,
                "m_min": M_MIN,
                "m_null_factor": M_NULL_FACTOR,
                "m_min_z": M_MIN_Z,
            },
        },
    )
