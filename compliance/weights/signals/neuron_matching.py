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

import functools
import importlib.util
import math
import queue
import threading
from pathlib import Path
from typing import Any

import numpy as np

from compliance.weights.signals.base import (
    CachedView,
    Null,
    SamplePlan,
    SignalResult,
    Spec,
    _seed_of,
    cached,
    floored_null,
    unit_cols,
)
from compliance.weights.special import chi2_sf, student_t_cdf
from compliance.weights.view import TensorView

NAME = "neuron_matching"
TIER = "A"
STAT = "matched-neuron cosine of MLP down-projection coordinates (assignment)"
LAP_MAX = 4096
NULL_THREAD_BYTES = 16 << 20  # see compute: null matchings on a worker up to this size
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
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)


def assign(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-weight assignment of the rows of cosine matrix `c` to distinct columns.

    When every row's best column is a different column, that row-wise argmax *is* the
    optimum (no assignment can beat each row's maximum), so the O(n^3) solver is skipped:
    exactly what happens for copies, fine-tunes and permuted derivatives. Otherwise
    scipy's linear_sum_assignment; above LAP_MAX candidate neurons, the row-wise argmax."""
    col = np.argmax(c, axis=1)
    rows = np.arange(c.shape[0])
    # bincount, not np.unique: a plain np.unique imports numpy.ma (~20 ms per process)
    if c.shape[1] > LAP_MAX or int(np.bincount(col).max(initial=0)) <= 1:
        return rows, col
    return _linear_sum_assignment()(c, maximize=True)


@functools.cache
def _linear_sum_assignment() -> Any:
    """scipy's LAP solver. `import scipy.optimize` costs about a second (it loads most of
    scipy) to reach one small C extension, so that extension is loaded on its own from
    the installed scipy; if its layout differs, the public import is used."""
    try:
        spec = importlib.util.find_spec("scipy")
        folder = Path(spec.origin).parent / "optimize" if spec and spec.origin else None
        found = sorted(folder.glob("_lsap.*")) if folder is not None else []
        ext = next((p for p in found if p.suffix in (".so", ".pyd")), None)
        if ext is not None:
            ext_spec = importlib.util.spec_from_file_location("scipy.optimize._lsap", ext)
            if ext_spec is not None and ext_spec.loader is not None:
                module = importlib.util.module_from_spec(ext_spec)
                ext_spec.loader.exec_module(module)
                return module.linear_sum_assignment
    except (ImportError, OSError, AttributeError):
        pass
    from scipy.optimize import linear_sum_assignment

    return linear_sum_assignment


def match_unit(
    ua: np.ndarray, ub: np.ndarray, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Match unit neuron coordinates `ua` (the suspect's neurons `idx`) to the columns of
    `ub`; returns (suspect neuron ids, candidate neuron ids, matched cosines). The cosine
    matrix is float32: K <= a few hundred terms per dot product, far below the precision
    the statistics need (long dot products elsewhere stay float64)."""
    c = cosines(ua, ub)
    r, col = assign(c)
    return idx[r], col, c[r, col].astype(np.float64)


def cosines(ua: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Float32 cosine matrix of unit coordinates (suspect neurons x candidate neurons)."""
    return ua.T.astype(np.float32) @ ub.astype(np.float32)


def matched_mean(c: np.ndarray) -> float:
    """Mean matched cosine of the optimal assignment of cosine matrix `c` (as match_unit)."""
    r, col = assign(c)
    return float(c[r, col].astype(np.float64).mean())


def match(
    xa: np.ndarray, xb: np.ndarray, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Match suspect neurons `idx` (columns of xa) to candidate columns of xb.
    Returns (suspect neuron ids, candidate neuron ids, matched cosines)."""
    return match_unit(unit_cols(xa[:, idx]), unit_cols(xb), idx)


def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean of their positions), as scipy's rankdata."""
    _u, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
    first = np.cumsum(counts) - counts
    return (first + (counts - 1) / 2.0)[inv.reshape(-1)]


def spearman_p(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """One-sided (positive) Spearman rho and p-value; p floored at 1e-300 for Fisher.

    The same statistic and t-approximation as scipy.stats.spearmanr (tested against it),
    computed without importing scipy (`special.student_t_cdf`)."""
    n = len(x)
    if n < 3:
        return 0.0, 1.0
    rx, ry = _ranks(np.asarray(x)), _ranks(np.asarray(y))
    rx -= rx.mean()
    ry -= ry.mean()
    den = float(np.sqrt(np.dot(rx, rx) * np.dot(ry, ry)))
    if den == 0:
        return 0.0, 1.0
    rho = float(np.clip(np.dot(rx, ry) / den, -1.0, 1.0))
    dof = n - 2
    den_t = (rho + 1.0) * (1.0 - rho)
    p2 = 2 * student_t_cdf(dof, -abs(rho * math.sqrt(dof / den_t))) if den_t > 0 else 0.0
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


class _InOrder:
    """Jobs run one after another on a worker thread while the caller goes on: the null
    matchings' assignments (scipy's solver and BLAS release the GIL) overlap the next
    layer's reads and matching. At most `pending` jobs wait or run (each holds a layer's
    unit coordinates, and the running one its cosine matrix); results come back in
    submission order, so the null values are the same as computed in line. With
    `background=False` (large matrices, where memory matters more) jobs run in line."""

    def __init__(self, background: bool = True, pending: int = 2) -> None:
        self.background = background
        self._slots: list[tuple[str, float] | None] = []
        self._jobs: queue.SimpleQueue[tuple[int, str, Any, tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self._room = threading.Semaphore(pending)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def submit(self, kind: str, fn: Any, *args: Any) -> None:
        if self._error is not None:
            self.results()  # raises it
        if not self.background:
            self._slots.append((kind, fn(*args)))
            return
        self._room.acquire()
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="modelcheck-nulls",
                                            daemon=True)
            self._thread.start()
        self._slots.append(None)
        self._jobs.put((len(self._slots) - 1, kind, fn, args))

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            i, kind, fn, args = job
            try:
                if self._error is None:
                    self._slots[i] = (kind, fn(*args))
            except BaseException as e:  # handed to the caller of results()
                self._error = e
            finally:
                self._room.release()

    def close(self) -> None:
        """Let the worker finish its jobs and end (also when the caller failed)."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def results(self) -> list[tuple[str, float]]:
        self.close()
        if self._error is not None:
            raise self._error
        return [s for s in self._slots if s is not None]


def _no_rows_reason(a: CachedView, b: CachedView, layers: list[int]) -> str:
    """Why no layer could be matched, naming the side and the sizes."""
    sa = [a.shape("mlp.down", ly) for ly in layers if "mlp.down" in a.roles(ly)]
    sb = [b.shape("mlp.down", ly) for ly in layers if "mlp.down" in b.roles(ly)]
    if not sa or not sb:
        side = "neither model has" if not sa and not sb else (
            "the suspect has no" if not sa else "the candidate has no")
        return f"{side} dense MLP down projections (an MoE has experts instead)"
    ha, hb = sorted({s[0] for s in sa if s}), sorted({s[0] for s in sb if s})
    if ha != hb:
        return (
            f"the hidden sizes differ ({', '.join(map(str, ha))} vs {', '.join(map(str, hb))})"
        )
    if ha and ha[0] < 8:
        return f"the hidden size ({ha[0]}) is too small to match neurons (needs >= 8)"
    return "the sampled rows of the MLP down projections were not available in both models"


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    a, b = cached(suspect, plan), cached(candidate, plan)
    differ = SPEC.layers_differ(a, b)
    if differ is not None:
        return differ
    L = a.n_layers
    layers = plan.layers_for_neurons(L)
    rows: list[dict[str, float]] = []
    # the null matchings (an O(n^3) assignment each) run beside the loop when their cosine
    # matrices are small (MiniLM: 6 MB); a 14B model's (56 MB) stay in line, for memory
    widest = max((s[1] for ly in layers if len(s := b.shape("mlp.down", ly) or ()) == 2),
                 default=0)
    nulls = _InOrder(background=plan.max_neurons * widest * 4 <= NULL_THREAD_BYTES)
    # candidate layer -> unit coordinates: layer j = i + 1 serves as layer i's null and then
    # as layer i + 1's own, so only that one is kept (memory: two layers, not the model)
    unit_b: dict[int, np.ndarray] = {}

    def cand_unit(layer: int, x: np.ndarray) -> np.ndarray:
        if layer not in unit_b:
            unit_b[layer] = unit_cols(x)
        return unit_b[layer]

    try:
        for layer in layers:
            xa, xb = a.planned("mlp.down", layer), b.planned("mlp.down", layer)
            if xa is None or xb is None or xa.shape[0] != xb.shape[0] or xa.shape[0] < 8:
                continue
            na, nb = xa.shape[1], xb.shape[1]
            rng = np.random.default_rng(_seed_of("neurons", plan.seed, na))
            m = min(plan.max_neurons, na)
            idx = np.arange(na) if m == na else np.sort(rng.choice(na, size=m, replace=False))
            ua = unit_cols(xa[:, idx])
            sa, sb, cs = match_unit(ua, cand_unit(layer, xb), idx)
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
                # the product here, the assignment on the worker: both take about as long
                nulls.submit("layers", matched_mean, cosines(ua, cand_unit(j, xj)))
            nulls.submit("simulated", simulated_null, xa.shape[0], na, nb, m, plan.seed)
            for k in [k for k in unit_b if k != j]:
                del unit_b[k]
        done = nulls.results()
    finally:
        nulls.close()
    null_vals = [v for kind, v in done if kind == "layers"]
    sim_vals = [v for kind, v in done if kind == "simulated"]
    if not rows:
        return SPEC.not_computable(_no_rows_reason(a, b, layers))
    fisher_x = float(-2.0 * sum(np.log(r["p"]) for r in rows))
    fisher_p = chi2_sf(2 * len(rows), fisher_x)
    allnull = null_vals + sim_vals
    mean, sd, mx = floored_null(allnull, 0.01, floor_max=False)
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
    return SPEC.result(
        value,
        int(sum(r["neurons"] for r in rows)),
        "neurons",
        null,
        per_layer=tuple(rows),
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
