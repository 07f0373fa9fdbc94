"""S2: sampled aligned-tensor cosine (HuRef PCS) per layer and overall.

Same rows of same-shape tensors in both models (the plan samples by shape only), each
tensor centred, dot products in float64. Per-layer cosine c_l over the 2-D roles both layers
have; overall PCS adds embed/lm_head. Null: the same computation between non-corresponding
layers (A layer i vs B layer j != i; measured ~0 for unrelated layers, lineage.md §2.2) with
the analytic floor sd >= 1/sqrt(n) for independent random vectors. Fires (lineage.md §5.3):
PCS >= 0.2, >= 20 null sd above the null mean and above the null max.
"""

from __future__ import annotations

import numpy as np

from compliance.weights.signals.base import (
    MODEL_ROLES,
    CachedView,
    SamplePlan,
    SignalResult,
    Spec,
    cached,
    judge,
)
from compliance.weights.view import TensorView

NAME = "aligned_cosine"
TIER = "A"
STAT = "sampled aligned-tensor cosine (PCS)"
MIN_VALUE = 0.2
MIN_Z = 20.0
FINE_TUNE_MIN = 0.9  # typical of fine-tunes (lineage.md §2.2)
MAX_DELTA_TENSORS = 12  # enough for a median; keeps the check cheap
LOW_RANK = 16  # a delta whose top-16 singular values hold >= 99 % energy is a low-rank update
ROBUST_TO = (
    "fine-tuning",
    "RL",
    "LoRA merges",
    "moderate continued pre-training",
    "dtype recast and dequantised quantisation",
)
CANNOT_DETECT = (
    "neuron permutation or residual-stream rotation (function-preserving reparameterisations)",
    "distillation",
    "very heavy continued training",
)
NULL_OFFSETS = (1, 2, 3)
RECENT_BYTES = 32 << 20  # float64 copies of sampled rows held per model (see _Recent)
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)

# (id(view), role, layer) -> (mean, centred squared norm) of a tensor's sampled rows
Moments = dict[tuple[int, str, int | None], tuple[float, float]]


def _moments(v: CachedView, role: str, layer: int | None, x: np.ndarray, cache: Moments | None
             ) -> tuple[float, float]:
    """Mean and centred squared norm of a tensor's sampled rows, once per tensor (each tensor
    enters its own layer's cosine and up to 3 null cosines)."""
    key = (id(v), role, layer)
    if cache is not None and key in cache:
        return cache[key]
    flat = x.ravel()
    mean = float(flat.mean())
    # sum (x - m)^2 = x.x - n m^2 (no centred copy; weights are ~zero-mean, so no cancellation)
    out = (mean, max(float(np.dot(flat, flat)) - flat.size * mean * mean, 0.0))
    if cache is not None:
        cache[key] = out
    return out


class _Recent:
    """Float64 copies of the planned rows of the few layers in use, per model: a tensor
    enters its own layer's cosine and up to 3 null cosines, so it is copied out of the
    float32 cache once per visit instead of once per use. Layers are dropped only when a
    model's copies exceed `budget` bytes, and then at most `layers[id(view)]` layers per
    model are held (1 for the suspect, whose layer i meets the candidate's layers
    i+1..i+3 in turn, 3 for the candidate): a small model's copies are all kept (MiniLM:
    ~25 MB), so the null pass and the low-rank check copy nothing again, and memory stays
    bounded on deep models. The copies are read-only."""

    def __init__(self, layers: dict[int, int], budget: int = RECENT_BYTES) -> None:
        self.layers = layers
        self.budget = budget
        self._held: dict[int, dict[int | None, dict[str, np.ndarray | None]]] = {}
        self._bytes: dict[int, int] = {}

    def rows(self, v: CachedView, role: str, layer: int | None) -> np.ndarray | None:
        per_view = self._held.setdefault(id(v), {})
        per_layer = per_view.get(layer)
        if per_layer is None:
            while len(per_view) >= self.layers.get(id(v), 1) and (
                self._bytes.get(id(v), 0) > self.budget
            ):
                dropped = per_view.pop(next(iter(per_view)))
                self._bytes[id(v)] -= sum(x.nbytes for x in dropped.values() if x is not None)
            per_layer = per_view[layer] = {}
        if role not in per_layer:
            x = v.planned(role, layer)
            if x is not None:
                x.flags.writeable = False
                self._bytes[id(v)] = self._bytes.get(id(v), 0) + x.nbytes
            per_layer[role] = x
        return per_layer[role]


def _common(a: CachedView, la: int | None, b: CachedView, lb: int | None) -> tuple[str, ...]:
    """2-D roles present in both layers (dense q/k/v/o/MLP, and MoE experts/routers when
    both models are MoE); 1-D gains are skipped (raw cosine of gains near 1 is inflated)."""
    return tuple(sorted(set(a.roles(la)) & set(b.roles(lb))))


def _acc(
    a: CachedView,
    la: int | None,
    b: CachedView,
    lb: int | None,
    roles: tuple[str, ...] | None = None,
    cache: Moments | None = None,
    recent: _Recent | None = None,
) -> tuple[float, float, float, int]:
    """Float64 sums (A.B, A.A, B.B, n) over the sampled rows of common tensors, each tensor
    centred (see base.centred). (x - mx).(y - my) = x.y - n mx my: no centred copies."""
    dot = na = nb = 0.0
    n = 0
    for role in roles if roles is not None else _common(a, la, b, lb):
        sa, sb = a.shape(role, la), b.shape(role, lb)
        if sa is None or sa != sb or len(sa) < 2:
            continue
        if recent is not None:
            x, y = recent.rows(a, role, la), recent.rows(b, role, lb)
        else:
            x, y = a.planned(role, la), b.planned(role, lb)
        if x is None or y is None or x.shape != y.shape:
            continue
        mx, xx = _moments(a, role, la, x, cache)
        my, yy = _moments(b, role, lb, y, cache)
        dot += float(np.dot(x.ravel(), y.ravel())) - x.size * mx * my
        na += xx
        nb += yy
        n += x.size
    return dot, na, nb, n


def _cos(dot: float, na: float, nb: float) -> float:
    den = float(np.sqrt(na * nb))
    return dot / den if den > 0 else 0.0


def layer_cosine(
    a: CachedView,
    la: int,
    b: CachedView,
    lb: int,
    cache: Moments | None = None,
    recent: _Recent | None = None,
) -> tuple[float, int]:
    """Cosine of the concatenated sampled matrices of layer la (A) and lb (B)."""
    dot, na, nb, n = _acc(a, la, b, lb, cache=cache, recent=recent)
    return _cos(dot, na, nb), n


def delta_energy(
    a: CachedView, b: CachedView, layers: list[int], recent: _Recent | None = None
) -> float | None:
    """Median over tensors of the energy fraction of (A - B) sampled rows in the top
    LOW_RANK singular values; ~1.0 for a low-rank (LoRA-style) update, ~LOW_RANK/K for noise."""
    fracs: list[float] = []
    for layer in layers:
        for role in _common(a, layer, b, layer):
            if recent is not None:
                x, y = recent.rows(a, role, layer), recent.rows(b, role, layer)
            else:
                x, y = a.planned(role, layer), b.planned(role, layer)
            if x is None or y is None or x.shape != y.shape or min(x.shape) < 3 * LOW_RANK:
                continue
            d = x - y
            if float(np.abs(d).max()) <= 1e-6 * max(float(np.abs(y).max()), 1e-30):
                continue
            small = d @ d.T if d.shape[0] <= d.shape[1] else d.T @ d
            s = np.sort(np.linalg.eigvalsh(small))[::-1]  # squared singular values
            fracs.append(float(s[:LOW_RANK].sum() / s.sum()))
            if len(fracs) >= MAX_DELTA_TENSORS:
                return float(np.median(fracs))
    return float(np.median(fracs)) if fracs else None


def _none_reason(a: CachedView, b: CachedView) -> str:
    """No tensor was compared: different shapes, or rows that were not sampled on one side."""
    for layer in [*range(a.n_layers), None]:
        for role in _common(a, layer, b, layer):
            sa = a.shape(role, layer)
            if sa is not None and len(sa) >= 2 and sa == b.shape(role, layer):
                return "the same-shape tensors' sampled rows were not available in both models"
    return "no 2-D tensor has the same shape in both models (different widths)"


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    a, b = cached(suspect, plan), cached(candidate, plan)
    differ = SPEC.layers_differ(a, b, "; see layer_alignment")
    if differ is not None:
        return differ
    L = a.n_layers
    tot = [0.0, 0.0, 0.0, 0]
    per: list[tuple[int, float, int]] = []
    cache: Moments = {}
    recent = _Recent({id(a): 1, id(b): len(NULL_OFFSETS)})
    for layer in range(L):
        dot, na, nb, n = _acc(a, layer, b, layer, cache=cache, recent=recent)
        if n:
            per.append((layer, _cos(dot, na, nb), n))
            for i, v in enumerate((dot, na, nb, n)):
                tot[i] += v
    dot, na, nb, n = _acc(a, None, b, None, MODEL_ROLES)
    for i, v in enumerate((dot, na, nb, n)):
        tot[i] += v
    if tot[3] == 0:
        return SPEC.not_computable(_none_reason(a, b))
    value = _cos(tot[0], tot[1], tot[2])
    # null: non-corresponding layers, plus analytic 1/sqrt(n) floor
    null_vals: list[float] = []
    for layer, _c, _n in per:
        for off in NULL_OFFSETS:
            j = (layer + off) % L
            if j != layer:
                null_vals.append(layer_cosine(a, layer, b, j, cache, recent)[0])
    cache.clear()
    n_min = min((x[2] for x in per), default=tot[3])
    j = judge(
        value,
        null_vals,
        1.0 / np.sqrt(max(n_min, 1)),
        description="same computation between non-corresponding layers of the two "
        "models, with the analytic floor sd = 1/sqrt(n) for independent vectors",
        source="non-corresponding layers+analytic" if null_vals else "analytic",
        min_value=MIN_VALUE,
        min_z=MIN_Z,
    )
    layers = tuple(
        {"layer": ly, "value": c, "null_lo": j.mean - 3 * j.sd, "null_hi": j.max, "n": nn}
        for ly, c, nn in per
    )
    energy = delta_energy(a, b, [ly for ly, _c, _n in per], recent) if j.fires else None
    del recent
    subtype = None
    if j.fires:
        if energy is not None and energy >= 0.99:
            subtype = "merge"
        else:
            subtype = "fine-tune" if value >= FINE_TUNE_MIN else "heavy-training"
    return SPEC.result(
        value,
        int(tot[3]),
        "elements",
        j.null,
        per_layer=layers,
        fires=bool(j.fires),
        partial=bool(j.partial),
        subtype=subtype,
        details={
            "z": j.z,
            "layers": len(per),
            "low_rank_delta_energy": energy,
            "thresholds": {"min_value": MIN_VALUE, "min_z": MIN_Z},
        },
    )
