"""S1: identity of non-trivial tensors, decided in two stages (digests.py).

1. Sampled blocks: every tensor's planned rows (already read for the other signals) are
   hashed as values (`digests.sample_digest`). Rows depend only on the plan, the role's
   kind and the shape, so two tensors of the same shape and kind have comparable sample
   digests; different sampled values mean different bytes, and the tensor is settled
   without reading the rest of it.
2. Whole tensors: only a suspect tensor whose sampled blocks equal a candidate's (or whose
   same-shape candidates hold no comparable sample) has its whole-tensor digest computed
   and compared (`view.digest`). "Byte-identical" is said only when whole-tensor digests of
   one algorithm are equal. When they cannot be had (a fingerprint made without them, a
   remote model, digests of different algorithms), identical sampled blocks are reported
   as exactly that, under their own statistic, and never as byte identity.

A tensor is non-trivial when it has >= MIN_ELEMENTS elements and its sampled rows are
not constant (LayerNorm gains of 1, zero biases, position ids collide across unrelated
models). A suspect tensor is matched against *any* candidate tensor of its shape, so
identical layers are found even after pruning or reordering. When no suspect tensor has a
candidate of its shape, byte identity across shapes is looked up with whole-tensor
digests alone, as before the sample stage existed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from compliance.weights.digests import algorithm as sample_algorithm
from compliance.weights.digests import algorithm_of, sample_digest
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
STAT_SAMPLED = (
    "non-trivial tensors whose sampled row blocks are identical (digests of the sampled "
    "values; whole-tensor digests were not available, so byte identity was not checked)"
)
MIN_ELEMENTS = 16384  # 64 KiB at fp32 (lineage.md §2.1: >= 64 KiB, not constant)
ROBUST_TO: tuple[str, ...] = ("renaming files", "re-sharding", "reordering or dropping layers")
CANNOT_DETECT = (
    "any change of the values: fine-tuning, dtype recast, quantisation",
    "distillation",
)
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)
Key = tuple[str, "int | None"]


@dataclass(frozen=True)
class _Tensor:
    key: Key
    shape: tuple[int, ...]
    rows: tuple[int, ...] | None  # the plan's rows (None: all rows)
    sample: str | None  # digest of the sampled values; None: rows not held


def _layers(v: CachedView) -> list[int | None]:
    return [None, *range(v.n_layers)]


def _planned(
    v: CachedView, plan: SamplePlan, role: str, layer: int | None
) -> tuple[_Tensor, bool] | None:
    """(tensor with its sample digest, whether it is non-trivial) for a tensor of at least
    MIN_ELEMENTS elements; None for a smaller one. Non-trivial: its sampled rows are held
    and not constant."""
    shape = v.shape(role, layer)
    if shape is None or int(np.prod(shape)) < MIN_ELEMENTS:
        return None
    got = plan.rows_for(role, shape)
    rows = None if got is None else tuple(got)
    x = v.planned(role, layer)
    if x is None or x.size == 0:
        return _Tensor((role, layer), tuple(shape), rows, None), False
    sample = v.sample_digest(role, layer)
    return _Tensor((role, layer), tuple(shape), rows, sample), float(np.ptp(x)) > 0.0


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    a, b = cached(suspect, plan), cached(candidate, plan)
    pool: list[_Tensor] = []
    for layer in _layers(b):
        for role in b.roles(layer):
            got = _planned(b, plan, role, layer)
            if got is not None:
                pool.append(got[0])
    suspects: list[_Tensor] = []
    for layer in _layers(a):
        for role in a.roles(layer):
            got = _planned(a, plan, role, layer)
            if got is not None and got[1]:
                suspects.append(got[0])
    if not suspects:
        return SPEC.not_computable(
            f"the suspect has no tensor of >= {MIN_ELEMENTS:,} elements whose sampled rows "
            "were read and are not constant"
        )
    by_shape: dict[tuple[int, ...], list[_Tensor]] = {}
    for t in pool:
        by_shape.setdefault(t.shape, []).append(t)
    if not any(t.shape in by_shape for t in suspects):
        return _whole_digests_only(a, b, suspects, pool)
    return _two_stage(a, b, suspects, by_shape)


def _two_stage(
    a: CachedView,
    b: CachedView,
    suspects: list[_Tensor],
    by_shape: dict[tuple[int, ...], list[_Tensor]],
) -> SignalResult:
    identical: list[dict[str, object]] = []
    sampled: list[dict[str, object]] = []  # sampled blocks equal, whole tensors unchecked
    sampled_only = 0  # sampled blocks equal, whole tensors differ
    why_unchecked: set[str] = set()
    algos: set[str] = set()
    per_layer: dict[int | None, list[int]] = {}
    hashed = 0
    alike: dict[Resampled, str | None] = {}
    for s in suspects:
        role, layer = s.key
        tally = per_layer.setdefault(layer, [0, 0])
        tally[1] += 1
        same = by_shape.get(s.shape, [])
        # candidates the sample stage cannot rule out, in candidate order (a candidate of
        # another role kind was sampled at other rows: compared at the suspect's rows)
        need = [c for c in same if _sampled_alike(a, b, s, c, alike) is not False]
        if not need:
            continue  # every same-shape candidate's sampled values differ: different bytes
        ds: str | None = None
        asked = False  # the suspect is hashed whole only against a candidate digest
        hit: _Tensor | None = None
        unchecked: _Tensor | None = None
        differs_whole = False
        for c in need:
            by_sample = _sampled_alike(a, b, s, c, alike) is True
            dc = b.digest(*c.key)
            if dc and not asked:
                ds, asked = a.digest(role, layer), True
                hashed += 1
            if ds and dc and algorithm_of(ds) == algorithm_of(dc):
                algos.add(algorithm_of(ds))
                if ds == dc:
                    hit = c
                    break
                differs_whole = differs_whole or by_sample
            elif by_sample and unchecked is None:
                unchecked = c
                why_unchecked.add(_why_unchecked(ds, dc))
        if hit is not None:
            tally[0] += 1
            identical.append(_pair(s, hit))
        elif unchecked is not None:
            sampled.append(_pair(s, unchecked))
        elif differs_whole:
            sampled_only += 1
    compared = len(suspects)
    details = _details(identical, compared, algos, sampled, sampled_only, hashed)
    layers = [
        {"layer": ly, "value": hits / tot, "null_lo": 0.0, "null_hi": 0.0}
        for ly, (hits, tot) in per_layer.items()
        if ly is not None
    ]
    if not sampled:
        return _byte_result(len(identical), compared, tuple(layers), details)
    # some identical sampled blocks could not be checked whole: say what was seen
    details["unchecked_because"] = sorted(why_unchecked)
    seen = len(identical) + len(sampled)
    null = Null(
        description="unrelated non-constant tensors never agree in every sampled value "
        "(digest collision probability about 2^-256)",
        source="analytic",
        mean=0.0,
        max=0.0,
        p_value=None,
    )
    result = SPEC.result(
        float(seen),
        compared,
        "tensors",
        null,
        per_layer=tuple(layers),
        fires=True,
        subtype=None,
        details={**details, "all_identical": False},
    )
    return dataclasses.replace(result, statistic=STAT_SAMPLED)


def _sampled_alike(
    a: CachedView, b: CachedView, s: _Tensor, c: _Tensor, memo: dict[Resampled, str | None]
) -> bool | None:
    """Whether the sampled values of suspect tensor `s` and candidate tensor `c` (same
    shape) are equal; None when no common sample can be had. Tensors of different role
    kinds were sampled at different rows: the suspect is then read at the candidate's rows
    (once per row set, however many candidates share it), or, when it cannot be (a
    fingerprint holds only its own rows), the candidate at the suspect's."""
    if s.sample is None or c.sample is None:
        return None
    if c.rows == s.rows:
        return c.sample == s.sample
    got = _resample(a, "suspect", s, c.rows, memo)
    if got is not None:
        return got == c.sample
    got = _resample(b, "candidate", c, s.rows, memo)
    return None if got is None else got == s.sample


Resampled = tuple[str, Key, "tuple[int, ...] | None"]


def _resample(
    v: CachedView,
    side: str,
    t: _Tensor,
    rows: tuple[int, ...] | None,
    memo: dict[Resampled, str | None],
) -> str | None:
    """Sample digest of tensor `t` read at `rows` (None: the view cannot read them)."""
    key = (side, t.key, rows)
    if key not in memo and hasattr(v.view, "sample_digest"):
        memo[key] = None  # a fingerprint's stored rows may be sketched or 8-bit: not hashable
    if key not in memo:
        try:
            x = v.rows(*t.key, None if rows is None else list(rows))
        except (KeyError, LookupError, IndexError):
            memo[key] = None
        else:
            memo[key] = sample_digest(t.shape, rows, x)
    return memo[key]


def _details(
    identical: list[dict[str, object]],
    compared: int,
    algos: set[str],
    sampled: list[dict[str, object]],
    sampled_only: int,
    hashed: int,
) -> dict[str, object]:
    """The result's details: what was identical whole or in its samples, and how much was
    hashed to find out (lists capped at 50 pairs)."""
    return {
        "identical": identical[:50],
        "n_identical": len(identical),
        "compared": compared,
        "all_identical": len(identical) == compared,
        "algorithm": ", ".join(sorted(algos)),
        "n_sampled_identical": len(sampled),
        "sampled_identical": sampled[:50],
        "n_sampled_only": sampled_only,
        "whole_tensor_digests": hashed,
        "sample_algorithm": sample_algorithm(),
    }


def _why_unchecked(ds: str | None, dc: str | None) -> str:
    if ds and dc:  # (ds is only asked for when dc exists)
        return (
            f"whole-tensor digests of different algorithms ({algorithm_of(ds)} vs "
            f"{algorithm_of(dc)})"
        )
    side = "candidate" if not dc else "suspect"
    return f"the {side} view has no whole-tensor digests"


def _pair(s: _Tensor, c: _Tensor) -> dict[str, object]:
    return {
        "role": s.key[0],
        "layer": s.key[1],
        "candidate_role": c.key[0],
        "candidate_layer": c.key[1],
    }


def _byte_result(
    n_identical: int,
    compared: int,
    layers: tuple[dict[str, object], ...],
    details: dict[str, object],
) -> SignalResult:
    null = Null(
        description="unrelated non-constant tensors of >= 16,384 elements never share a "
        "cryptographic digest (collision probability about 2^-256)",
        source="analytic",
        mean=0.0,
        max=0.0,
        p_value=None,
    )
    all_identical = n_identical == compared
    return SPEC.result(
        float(n_identical),
        compared,
        "tensors",
        null,
        per_layer=layers,
        fires=bool(n_identical),
        subtype="identical" if all_identical else ("shared-tensors" if n_identical else None),
        details=details,
    )


def _whole_digests_only(
    a: CachedView, b: CachedView, suspects: list[_Tensor], pool: list[_Tensor]
) -> SignalResult:
    """No suspect tensor has a candidate of its shape: byte identity across shapes can only
    be looked up by whole-tensor digests (each tensor hashed in full)."""
    cand: dict[str, Key] = {}
    for c in pool:
        d = b.digest(*c.key)
        if d:
            cand.setdefault(d, c.key)
    if not cand:
        return SPEC.not_computable(
            "no candidate tensor has the shape of a suspect tensor, and the candidate view "
            "provides no whole-tensor digests"
        )
    cand_algos = {algorithm_of(d) for d in cand}
    compared = 0
    other_algos: set[str] = set()
    used_algos: set[str] = set()
    identical: list[dict[str, object]] = []
    per_layer: dict[int | None, list[int]] = {}
    for s in suspects:
        role, layer = s.key
        d = a.digest(role, layer)
        if d is None:
            continue
        if algorithm_of(d) not in cand_algos:  # not comparable, which is not "different"
            other_algos.add(algorithm_of(d))
            continue
        compared += 1
        used_algos.add(algorithm_of(d))
        hit = cand.get(d)
        tally = per_layer.setdefault(layer, [0, 0])
        tally[1] += 1
        if hit is not None:
            tally[0] += 1
            identical.append(
                {"role": role, "layer": layer, "candidate_role": hit[0], "candidate_layer": hit[1]}
            )
    if compared == 0 and other_algos:
        return SPEC.not_computable(
            "the tensor digests were made with different algorithms (suspect: "
            f"{', '.join(sorted(other_algos))}; candidate: {', '.join(sorted(cand_algos))}), "
            "so byte identity cannot be checked"
        )
    if compared == 0:
        return SPEC.not_computable(
            "no candidate tensor has the shape of a suspect tensor, and the suspect view "
            "provides no whole-tensor digests"
        )
    layers = tuple(
        {"layer": ly, "value": hits / tot, "null_lo": 0.0, "null_hi": 0.0}
        for ly, (hits, tot) in per_layer.items()
        if ly is not None
    )
    details = _details(identical, compared, used_algos, [], 0, hashed=compared)
    return _byte_result(len(identical), compared, layers, details)
