"""B2: rotation-invariant Gram correlation of embedding rows of the same token ids.

The plan samples the same token ids in both models (ids below `vocab_range`). Embedding and
lm_head rows live in the residual stream (E -> E Rᵀ under a rotation R), so the Gram of a fixed
set of token rows is unchanged by a rotation; reduced to its cosine structure
(invariants.cosine_structure) it is also unchanged by scaling. Models trained on similar text
with one tokenizer can share a coarse token geometry (e.g. a direction that tracks token
frequency), so the top DEFLATE eigencomponents of each model's cosine matrix are removed
before the comparison: what is compared is the finer token-by-token structure (a geometry
twin that shares the base's top-4 token structure scores r 0.22 without this step, 0.005
with it; docs/lineage.md).

Value: Pearson r of the off-diagonal entries (mean over embed and lm_head when both exist).
Null: the same r with the suspect's token ids shuffled (NULL_PERMUTATIONS permutations:
token-aligned structure versus none), floor sd >= 1/sqrt(entries). That null does not hold
everything independent models can share, so the threshold is set high (r >= 0.5) and this
signal never decides alone (tier B needs a second tier-B signal or a partial tier-A one).
"""

from __future__ import annotations

import numpy as np

from compliance.weights import invariants
from compliance.weights.signals.base import (
    MODEL_ROLES,
    SamplePlan,
    SignalResult,
    Spec,
    cached,
    judge,
)
from compliance.weights.view import TensorView

NAME = "gram_embedding"
TIER = "B"
STAT = "rotation-invariant Gram correlation of embedding rows (same token ids)"
MIN_VALUE = 0.5
MIN_Z = 20.0
DEFLATE = 8
NULL_PERMUTATIONS = 40
ROBUST_TO = (
    "orthogonal rotation of the residual stream",
    "scaling of the embedding matrix and of single rows",
    "fine-tuning",
    "attention-head and MLP neuron permutation",
    "depth changes",
)
CANNOT_DETECT = (
    "a re-initialised or re-ordered vocabulary (token ids no longer correspond)",
    "embeddings retrained from new initial values",
)
SPEC = Spec(NAME, TIER, STAT, ROBUST_TO, CANNOT_DETECT)


def _square(upper: np.ndarray, k: int) -> np.ndarray:
    """The symmetric k x k matrix whose strict upper triangle is `upper`."""
    full = np.zeros((k, k))
    full[np.triu_indices(k, 1)] = upper
    return full + full.T


def compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan) -> SignalResult:
    a, b = cached(suspect, plan), cached(candidate, plan)
    pairs: list[tuple[str, np.ndarray, np.ndarray, int]] = []
    why = "no embedding or lm_head matrix in both models"
    for role in MODEL_ROLES:
        sa, sb = a.shape(role, None), b.shape(role, None)
        if sa is None or sb is None or len(sa) != 2 or len(sb) != 2:
            continue
        if sa[1] != sb[1]:
            why = f"hidden sizes differ ({sa[1]} vs {sb[1]})"
            continue
        ra, rb = plan.rows_for(role, sa), plan.rows_for(role, sb)
        if ra != rb:
            why = f"the sampled token ids differ (vocabulary sizes {sa[0]} vs {sb[0]})"
            continue
        ga = invariants.row_gram(a, role, None, ra)
        gb = invariants.row_gram(b, role, None, rb)
        if ga is None or gb is None:
            why = "embedding rows not available"
            continue
        xa = invariants.cosine_structure(ga, DEFLATE)
        xb = invariants.cosine_structure(gb, DEFLATE)
        if xa is None or xb is None:
            why = "degenerate embedding rows"
            continue
        pairs.append((role, xa, xb, ga.shape[0]))
    if not pairs:
        return SPEC.not_computable(why)
    rs = {role: invariants.correlation(xa, xb) for role, xa, xb, _k in pairs}
    values = [r for r in rs.values() if r is not None]
    if not values:
        return SPEC.not_computable("degenerate embedding rows")  # no spread to correlate
    value = float(np.mean(values))
    rng = np.random.default_rng(plan.seed)
    square = [(_square(xa, k), xb, k) for _role, xa, xb, k in pairs]
    iu = {k: np.triu_indices(k, 1) for _f, _xb, k in square}
    null_vals: list[float] = []
    for _i in range(NULL_PERMUTATIONS):
        one = []
        for full, xb, k in square:
            p = rng.permutation(k)
            r = invariants.correlation(full[np.ix_(p, p)][iu[k]], xb)
            if r is not None:
                one.append(r)
        if one:
            null_vals.append(float(np.mean(one)))
    n = int(sum(xa.size for _r, xa, _xb, _k in pairs))
    j = judge(
        value,
        null_vals,
        1.0 / np.sqrt(max(n // len(pairs), 1)),
        description="the same correlation with the suspect's token ids shuffled (token-"
        "aligned structure versus none), analytic floor sd = 1/sqrt(n); models sharing a "
        "tokenizer and training text can exceed it, hence the high threshold",
        source="shuffled token ids+analytic",
        min_value=MIN_VALUE,
        min_z=MIN_Z,
    )
    null, z, fires = j.null, j.z, j.fires
    # the shuffled-token null misses what same-tokenizer models share: a value under half
    # the threshold is not reported as above the background
    partial = j.partial and value >= MIN_VALUE / 2
    return SPEC.result(
        value,
        n,
        "Gram entries",
        null,
        fires=bool(fires),
        partial=bool(partial),
        details={
            "z": z,
            "roles": {k: v for k, v in rs.items()},
            "tokens": max(k for _r, _xa, _xb, k in pairs),
            "deflated_components": DEFLATE,
            "thresholds": {"min_value": MIN_VALUE, "min_z": MIN_Z},
        },
    )
