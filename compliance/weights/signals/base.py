"""Shared types for the lineage signals: the sampling plan, the result record, a row cache.

Every signal is a function ``compute(suspect, candidate, plan) -> SignalResult``.
Signals only touch weights through ``TensorView.rows(role, layer, rows)`` with the
row indices given by ``SamplePlan.rows_for(role, shape)``. The plan is a pure
function of (seed, schema, role kind, tensor shape) -- never of the layer index or
the model -- so two models with the same shapes are sampled at the same positions
(required for aligned cosine), and layer i of one model can be compared with layer
j of another (required for the non-corresponding-layer null and layer alignment).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from compliance.weights import sketch
from compliance.weights.digests import sample_digest
from compliance.weights.view import TensorView

# 3: q/k/v/o/gate/up/router/embedding rows compared as a shared random sketch of
#    sketch_dim columns; down projections of neuron_layers evenly spaced layers by default
# 2: rows in contiguous blocks of block_rows (1: scattered rows)
PLAN_SCHEMA = 3

TIERS = ("A", "B", "C")

# 2-D attention / MLP roles sampled per layer (the rows K of each are read).
ATTN_ROLES = ("attn.q", "attn.k", "attn.v", "attn.o")
MLP_ROLES = ("mlp.gate", "mlp.up", "mlp.down")
MATRIX_ROLES = ATTN_ROLES + MLP_ROLES
MODEL_ROLES = ("embed", "lm_head")


def role_kind(role: str) -> str:
    """How a role is sampled: 'neuron' (down projections: rows = hidden dims, so every
    intermediate neuron gets a coordinate from each sampled row), 'vocab' (embedding
    rows, sampled among the first VOCAB_RANGE token ids so vocab-extended models agree)
    or 'matrix' (everything else)."""
    if role == "mlp.down" or (role.startswith("moe.") and role.endswith(".down")):
        return "neuron"
    if role in MODEL_ROLES:
        return "vocab"
    return "matrix"


@dataclass(frozen=True)
class SamplePlan:
    """Deterministic choice of the rows every signal reads (stored in fingerprints).

    Budget (Qwen2.5-14B, bf16, defaults): 64 rows of each q/k/v/o/gate/up matrix
    (64 x 5120 x 2 B = 0.66 MB each, x 6 x 48 layers = 189 MB), 256 rows of the down
    projections of ``neuron_layers`` = 8 evenly spaced layers (256 x 13824 x 2 B = 7.1 MB
    each, 57 MB) and 256 rows of embed and lm_head (5.2 MB): 0.25 GB = 0.85 % of 29.5 GB.
    ``neuron_layers=None`` reads every layer's down projection (1.8 %).

    Rows come in contiguous blocks of ``block_rows`` (schema >= 2) at random block-aligned
    starts, so a remote read makes one request per block instead of one per row (the
    same total rows, so the same bytes). Adjacent rows are not assumed independent: every
    decision is made against empirical nulls computed on the same blocks (non-corresponding
    layers, simulated matrices), and the analytic 1/sqrt(n) terms are only floors.

    Schema 3: rows of "matrix" and "vocab" tensors wider than ``sketch_dim`` are compared
    through ``sketch.project`` (a random projection shared by every model of that width,
    a pure function of seed and width), which keeps cosines and norms within ~1/sqrt(dim)
    and makes a 14B fingerprint ~20x smaller; ``sketch_dim=0`` compares whole rows.
    """

    seed: int = 0
    schema: int = PLAN_SCHEMA
    rows_per_matrix: int = 64  # q/k/v/o/gate/up/router rows
    neuron_rows: int = 256  # rows (hidden dims) of each down projection
    vocab_rows: int = 256  # embedding / lm_head rows
    vocab_range: int = 32768  # vocab rows are drawn from ids < this (and < vocab size)
    max_neurons: int = 1024  # suspect neurons entered into the assignment per layer
    neuron_layers: int | None = 8  # down projections of this many layers; None = every layer
    block_rows: int = 16  # rows per contiguous block (schema >= 2)
    sketch_dim: int = 256  # matrix/vocab rows wider than this are sketched (schema >= 3)

    def rows_for(self, role: str, shape: Sequence[int] | None) -> list[int] | None:
        """Sorted row indices to read for a tensor of this role and shape, or None
        for 'all rows' (1-D tensors, or matrices no taller than the sample)."""
        if shape is None or len(shape) < 2:
            return None
        rows = _rows_memo(self, role_kind(role), int(shape[0]))
        return None if rows is None else list(rows)

    def sketched(self, role: str, shape: Sequence[int] | None) -> bool:
        """Whether a tensor of this role and shape is compared (and stored) as a sketch of
        its sampled rows: 2-D "matrix"/"vocab" tensors wider than ``sketch_dim``."""
        return (
            self.schema >= 3
            and self.sketch_dim > 0
            and shape is not None
            and len(shape) == 2
            and role_kind(role) != "neuron"
            and int(shape[1]) > self.sketch_dim
        )

    def _rows(self, kind: str, n: int) -> tuple[int, ...] | None:
        k = {"neuron": self.neuron_rows, "vocab": self.vocab_rows}.get(kind, self.rows_per_matrix)
        pool = min(n, self.vocab_range) if kind == "vocab" else n
        if k >= pool and pool == n:
            return None
        k = min(k, pool)
        block = self.block_rows if self.schema >= 2 else 1
        # schema 3 changed what is stored, not where rows are: it samples as schema 2
        where = min(self.schema, 2)
        if block <= 1 or (pool // block) * block < k:  # too few blocks fit: single rows
            rng = np.random.default_rng(_seed_of(self.seed, where, kind, pool))
            return tuple(sorted(int(i) for i in rng.choice(pool, size=k, replace=False)))
        rng = np.random.default_rng(_seed_of(self.seed, where, kind, pool, block))
        slots = rng.choice(pool // block, size=-(-k // block), replace=False)
        rows = (slots[:, None] * block + np.arange(block)[None, :]).ravel()[:k]
        return tuple(sorted(int(i) for i in rows))

    def layers_for_neurons(self, n_layers: int) -> list[int]:
        """Layers whose down projections are read for neuron matching / MoE matching."""
        if self.neuron_layers is None or self.neuron_layers >= n_layers:
            return list(range(n_layers))
        return sorted({int(round(x)) for x in np.linspace(0, n_layers - 1, self.neuron_layers)})

    def requests(self, view: TensorView) -> list[tuple[str, int | None, list[int] | None]]:
        """Every (role, layer, rows) a fingerprint must hold so all signals can run.
        rows=None means all rows (1-D tensors and small matrices)."""
        out: list[tuple[str, int | None, list[int] | None]] = []
        neuron_layers = set(self.layers_for_neurons(view.n_layers))
        for layer in [None, *range(view.n_layers)]:
            for role in view.roles(layer):
                if role_kind(role) == "neuron" and layer is not None and layer not in neuron_layers:
                    continue
                out.append((role, layer, self.rows_for(role, view.shape(role, layer))))
        return out

    def unsampled(self, view: TensorView) -> list[tuple[str, int]]:
        """Tensors present but not sampled (down projections outside `layers_for_neurons`):
        a fingerprint records their shape and digest, not their rows."""
        keep = set(self.layers_for_neurons(view.n_layers))
        return [
            (role, layer)
            for layer in range(view.n_layers)
            if layer not in keep
            for role in view.roles(layer)
            if role_kind(role) == "neuron"
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "schema": self.schema,
            "rows_per_matrix": self.rows_per_matrix,
            "neuron_rows": self.neuron_rows,
            "vocab_rows": self.vocab_rows,
            "vocab_range": self.vocab_range,
            "max_neurons": self.max_neurons,
            "neuron_layers": self.neuron_layers,
            "block_rows": self.block_rows,
            "sketch_dim": self.sketch_dim,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SamplePlan:
        """The plan a fingerprint recorded; ValueError for a field that is not an integer
        (only `neuron_layers` may be None)."""
        fields = {k: d[k] for k in cls().as_dict() if k in d}
        fields.setdefault("neuron_layers", None)  # absent: recorded before the default was 8
        for k, v in fields.items():
            if not (isinstance(v, int) and not isinstance(v, bool)) and not (
                v is None and k == "neuron_layers"
            ):
                raise ValueError(f"plan field {k!r} must be an integer, not {v!r}")
        return cls(**fields)


@functools.lru_cache(maxsize=4096)
def _rows_memo(plan: SamplePlan, kind: str, n: int) -> tuple[int, ...] | None:
    # a 48-layer model asks for the same few (kind, height) pairs hundreds of times
    return plan._rows(kind, n)


def _seed_of(*parts: object) -> int:
    h = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(h[:8], "little")


@dataclass(frozen=True)
class Null:
    """The background a statistic is compared against, and where it came from."""

    description: str
    source: str  # "analytic" | "simulated" | "non-corresponding layers" | combination "a+b"
    mean: float | None = None
    sd: float | None = None
    max: float | None = None
    p_value: float | None = None  # when the statistic is itself a test
    k: int = 0  # number of null comparisons (0 for analytic)
    values: tuple[float, ...] = ()  # a few null values, for the report / chart

    def band(self) -> str:
        """Human form: 'mean 0.002 ± 0.004 (max 0.011, 30 comparisons)'."""
        parts = []
        if self.mean is not None:
            sd = f" ± {self.sd:.2g}" if self.sd is not None else ""
            parts.append(f"mean {self.mean:.3g}{sd}")
        if self.max is not None:
            parts.append(f"max {self.max:.3g}")
        if self.k:
            parts.append(f"{self.k} comparisons")
        return ", ".join(parts) if parts else self.description


@dataclass(frozen=True)
class SignalResult:
    name: str  # registry key, e.g. "aligned_cosine"
    tier: str  # "A" decisive | "B" strong/invariant | "C" context only
    value: float | None  # headline statistic (None if not computable)
    statistic: str  # what `value` is, e.g. "sampled aligned cosine (PCS)"
    n: int  # elements / neurons / layers compared
    n_unit: str  # "elements" | "neurons" | "layers" | "tensors"
    null: Null | None
    per_layer: tuple[dict[str, Any], ...] = ()  # {"layer", "value", "null_lo", "null_hi", ...}
    computable: bool = True
    reason: str | None = None  # why not computable
    robust_to: tuple[str, ...] = ()
    cannot_detect: tuple[str, ...] = ()
    fires: bool = False  # decisive per lineage.md §5.3 (tier C: above its null band; context)
    partial: bool = False  # above the null max but below the decisive threshold
    subtype: str | None = None  # hint: fine-tune | heavy-training | permuted | pruned | ...
    details: dict[str, Any] = field(default_factory=dict)  # signal-specific extras (JSON-safe)


@dataclass(frozen=True)
class Spec:
    """What a signal is -- registry name, tier, statistic, what it survives and what it
    cannot see -- shared by every result it returns."""

    name: str
    tier: str
    statistic: str
    robust_to: tuple[str, ...] = ()
    cannot_detect: tuple[str, ...] = ()

    def result(self, value: float | None, n: int, n_unit: str, null: Null | None,
               **fields: Any) -> SignalResult:
        return SignalResult(
            name=self.name,
            tier=self.tier,
            value=value,
            statistic=self.statistic,
            n=n,
            n_unit=n_unit,
            null=null,
            robust_to=self.robust_to,
            cannot_detect=self.cannot_detect,
            **fields,
        )

    def not_computable(self, reason: str) -> SignalResult:
        return not_computable(
            self.name, self.tier, self.statistic, reason, self.robust_to, self.cannot_detect
        )

    def layers_differ(self, a: CachedView, b: CachedView, hint: str = "") -> SignalResult | None:
        """The not-computable result for models of different depth (None when equal)."""
        if a.n_layers == b.n_layers:
            return None
        return self.not_computable(f"layer counts differ ({a.n_layers} vs {b.n_layers}){hint}")


def not_computable(
    name: str,
    tier: str,
    statistic: str,
    reason: str,
    robust_to: tuple[str, ...] = (),
    cannot_detect: tuple[str, ...] = (),
) -> SignalResult:
    return SignalResult(
        name=name,
        tier=tier,
        value=None,
        statistic=statistic,
        n=0,
        n_unit="",
        null=None,
        computable=False,
        reason=reason,
        robust_to=robust_to,
        cannot_detect=cannot_detect,
    )


NEURON_TENSORS_KEPT = 2  # the layer being compared and one other (S2 nulls, S3)
# ... or more while they fit in this many bytes: a small model's down projections are all
# kept (MiniLM: ~14 MB), so S2's nulls and delta check do not read and decode them again
# (38 re-reads, ~1/3 of S2's time); a 14B model's (14 MB each) are still kept two at a time
NEURON_BYTES_KEPT = 32 << 20


class CachedView:
    """Wraps a TensorView so several signals share one read of each planned tensor.

    ``planned(role, layer)`` returns the plan's rows as float64 (or None when the
    role/layer is absent or the view does not hold those rows). Rows the plan sketches
    (``SamplePlan.sketched``) come back sketched (``sketch.project``): read whole and
    projected here, or as stored by a fingerprint that holds the sketch, so a live model
    and a fingerprint are compared the same way and no signal sketches by itself. The
    Gram matrix of the unsketched rows is kept for ``row_gram`` (rotation-invariant
    signals). The cache keeps float32, which every stored dtype (bf16/f16/f32) decodes
    to exactly, so the values are the same at half the memory; each call hands out a
    fresh float64 copy."""

    def __init__(self, view: TensorView, plan: SamplePlan) -> None:
        self.view = view
        self.plan = plan
        self._rows: dict[tuple[str, int | None], np.ndarray | None] = {}
        self._roles: dict[int | None, list[str]] = {}
        self._grams: dict[tuple[str, int | None], np.ndarray] = {}  # of rows sketched on read
        self._gram_memo: dict[tuple[str, int | None, tuple[int, ...] | None], Any] = {}
        self._samples: dict[tuple[str, int | None], str] = {}
        self._neuron_layers: set[int] | None = None
        # down projections are most of a sample (8 x 14 MB for a 14B model): from a view
        # that re-reads them cheaply (local file, fingerprint) only the last few are kept
        self._recent: list[tuple[str, int | None]] = []
        self._recent_bytes = 0
        self.neuron_bytes_kept = NEURON_BYTES_KEPT
        self._evict = bool(getattr(view, "local", False) or hasattr(view, "holds_sketch"))

    # TensorView passthrough -------------------------------------------------
    @property
    def label(self) -> str:
        return self.view.label

    @property
    def revision(self) -> str | None:
        return self.view.revision

    @property
    def arch(self) -> str:
        return self.view.arch

    @property
    def n_layers(self) -> int:
        return self.view.n_layers

    @property
    def config(self) -> dict[str, Any]:
        return self.view.config

    @property
    def bytes_read(self) -> int:
        return self.view.bytes_read

    @property
    def tokenizer_digest(self) -> str | None:
        return getattr(self.view, "tokenizer_digest", None)  # optional, not in the protocol

    def roles(self, layer: int | None) -> list[str]:
        if layer not in self._roles:
            try:
                self._roles[layer] = list(self.view.roles(layer))
            except (KeyError, LookupError):
                self._roles[layer] = []
        return self._roles[layer]

    def shape(self, role: str, layer: int | None) -> tuple[int, ...] | None:
        if role not in self.roles(layer):
            return None
        return self.view.shape(role, layer)

    def rows(self, role: str, layer: int | None, rows: Sequence[int] | None = None) -> np.ndarray:
        return self.view.rows(role, layer, rows)

    def digest(self, role: str, layer: int | None) -> str | None:
        try:
            return self.view.digest(role, layer)
        except (KeyError, LookupError):
            return None

    def sample_digest(self, role: str, layer: int | None) -> str | None:
        """Digest of the planned rows' values as read from the source, before any sketch
        (`digests.sample_digest`): a fingerprint's own record when it has one (it stores
        sketches and 8-bit rows, which cannot be hashed back), else taken at read time."""
        own = getattr(self.view, "sample_digest", None)
        recorded = own(role, layer) if own is not None else None
        if recorded is not None:
            return recorded
        key = (role, layer)  # live, or stored losslessly (fingerprints record every other)
        if key not in self._samples:
            self.planned(role, layer)
        return self._samples.get(key)

    def row_gram(
        self, role: str, layer: int | None, rows: Sequence[int] | None = None
    ) -> np.ndarray | None:
        """X X' (float64) of the unsketched rows (invariants.row_gram), once per key: the
        wrapped view's own answer when it has one (a fingerprint: the stored Gram), else
        from the read that sketched the plan's rows, or from the rows."""
        key = (role, layer, None if rows is None else tuple(int(r) for r in rows))
        if key not in self._gram_memo:
            self._gram_memo[key] = self._row_gram(role, layer, key[2])
        return self._gram_memo[key]

    def _row_gram(
        self, role: str, layer: int | None, want: tuple[int, ...] | None
    ) -> np.ndarray | None:
        from compliance.weights import invariants

        shape = self.shape(role, layer)
        if shape is None:
            return None
        if not hasattr(self.view, "row_gram"):
            planned = self.plan.rows_for(role, shape)
            if (None if want is None else list(want)) == planned:
                self.planned(role, layer)  # fills the Gram (sketched) or the rows (not)
                if (role, layer) in self._grams:
                    return self._grams[(role, layer)]
                return invariants.gram(self._rows.get((role, layer)))
        return invariants.row_gram(self.view, role, layer, None if want is None else list(want))

    # cache -------------------------------------------------------------------
    def planned(self, role: str, layer: int | None) -> np.ndarray | None:
        key = (role, layer)
        if key not in self._rows:
            shape = self.shape(role, layer)
            arr: np.ndarray | None = None
            if shape is not None:
                try:
                    arr = self._read(role, layer, shape)
                except (KeyError, LookupError):
                    arr = None
            self._rows[key] = arr
            if arr is not None and self._evict and role_kind(role) == "neuron":
                self._recent.append(key)
                self._recent_bytes += arr.nbytes
                while (
                    len(self._recent) > NEURON_TENSORS_KEPT
                    and self._recent_bytes > self.neuron_bytes_kept
                ):
                    old = self._rows.pop(self._recent.pop(0))
                    self._recent_bytes -= 0 if old is None else old.nbytes
        kept = self._rows[key]
        return None if kept is None else kept.astype(np.float64)

    def _read(self, role: str, layer: int | None, shape: tuple[int, ...]) -> np.ndarray:
        if role_kind(role) == "neuron" and layer is not None:
            if self._neuron_layers is None:
                self._neuron_layers = set(self.plan.layers_for_neurons(self.n_layers))
            if layer not in self._neuron_layers:  # the same rows live or from a fingerprint
                raise LookupError(f"the plan does not sample {role} at layer {layer}")
        rows = self.plan.rows_for(role, shape)
        holds = getattr(self.view, "holds_sketch", None)
        if holds is not None and holds(role, layer):  # a fingerprint that stored the sketch
            return np.asarray(self.view.sketch_rows(role, layer, rows, self.plan), np.float32)
        arr = np.asarray(self.view.rows(role, layer, rows), dtype=np.float32)
        if arr.ndim == 1:
            arr = arr[None, :]
        if (role, layer) not in self._samples:  # an evicted tensor read again: same rows
            self._samples[(role, layer)] = sample_digest(shape, rows, arr)
        if self.plan.sketched(role, shape):
            self._grams[(role, layer)] = sketch.gram(arr)
            arr = sketch.project(arr, self.plan.seed, self.plan.sketch_dim)
        return arr


def cached(view: TensorView | CachedView, plan: SamplePlan) -> CachedView:
    if isinstance(view, CachedView) and view.plan == plan:
        return view
    return CachedView(view.view if isinstance(view, CachedView) else view, plan)


def null_stats(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    if not len(values):
        return None, None, None
    v = np.asarray(values, dtype=np.float64)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else None, float(v.max())


def floored_null(
    values: Sequence[float], floor_sd: float, floor_max: bool = True
) -> tuple[float, float, float]:
    """(mean, sd, max) of empirical null values, with sd >= floor_sd (the analytic spread
    for independent vectors, or a minimum) and, when `floor_max`, max >= mean + 4 floor_sd:
    a small empirical null never makes the threshold looser than the analytic one."""
    mean, sd, mx = null_stats(values)
    mean = mean or 0.0
    sd = max(sd or 0.0, floor_sd)
    mx = mx if mx is not None else 0.0
    if floor_max:
        mx = max(mx, mean + 4 * floor_sd)
    return mean, sd, mx


@dataclass(frozen=True)
class Judged:
    """A value placed against its floored empirical null (`judge`)."""

    null: Null
    mean: float
    sd: float
    max: float
    z: float
    fires: bool  # >= min_value, >= min_z null sd, and above the null max
    partial: bool  # not firing, but more than 3 null sd above the null max


def judge(
    value: float,
    null_vals: Sequence[float],
    floor_sd: float,
    *,
    description: str,
    source: str,
    min_value: float,
    min_z: float,
) -> Judged:
    """The shared decision of the similarity signals: `floored_null` of the null values,
    the reported `Null` (a few values kept for the chart), z, fires and partial."""
    mean, sd, mx = floored_null(null_vals, floor_sd)
    null = Null(
        description=description,
        source=source,
        mean=mean,
        sd=sd,
        max=mx,
        k=len(null_vals),
        values=tuple(round(v, 5) for v in null_vals[:20]),
    )
    z = (value - mean) / sd
    fires = value >= min_value and z >= min_z and value > mx
    return Judged(null, mean, sd, mx, z, fires, not fires and value > mx + 3 * sd)


def unit_cols(x: np.ndarray) -> np.ndarray:
    """Neuron coordinates (columns) centred per hidden dim across neurons (an offset shared by
    all neurons is not neuron identity; permutation-invariant), then unit length."""
    x = x - x.mean(axis=1, keepdims=True)
    n = np.linalg.norm(x, axis=0)
    n[n == 0] = 1.0
    return x / n


def centred(x: np.ndarray) -> np.ndarray:
    """A sampled tensor flattened and centred: a constant offset shared by two independent
    models (e.g. a mean pattern common to a recipe) must not pass for shared weights;
    trained matrices are ~zero-mean, so derivatives lose nothing."""
    flat = x.ravel()
    return flat - flat.mean()
