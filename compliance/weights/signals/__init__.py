"""Lineage signals over two TensorViews.

API (stable; compare.py and audit.py call only this)::

    from compliance.weights.signals import SIGNALS, run_all, SamplePlan, SignalResult
    from compliance.weights.verdict import decide, Verdict
    from compliance.weights.wording import render

    plan = SamplePlan()     # defaults; SamplePlan.from_dict(d) to restore a fingerprint's
    plan.requests(view)                      # [(role, layer, rows|None)] a fingerprint must store
    results = run_all(suspect, candidate, plan)        # list[SignalResult], registry order
    verdict = decide(results)                           # Verdict(kind, subtype, deciding, ...)
    text = render(verdict, results, suspect_label, candidate_label)   # list[str] paragraphs

Each signal is ``compute(suspect: TensorView, candidate: TensorView, plan: SamplePlan)
-> SignalResult`` (see signals/base.py). ``suspect`` is the model under audit (A),
``candidate`` the claimed/possible parent (B). A signal never raises for missing or
incompatible data: it returns ``computable=False`` with a ``reason``. Signals read only
``view.rows(role, layer, plan.rows_for(role, shape))`` and ``view.digest``; pass views
wrapped by ``base.cached(view, plan)`` (run_all does it) to share reads between signals.

Registry (name -> tier):
  identical_tensors  A  S1 sampled-block digests of non-trivial tensors (>= 16,384
                         elements, not constant), then whole-tensor digests (BLAKE3 or
                         sha256) of sample matches only; "byte-identical" needs the latter
  aligned_cosine     A  S2 sampled aligned-tensor cosine (PCS) per layer + overall;
                         null: non-corresponding layers + analytic N(0, 1/n)
  neuron_matching    A  S3 MLP neurons matched by assignment on down-projection coordinates;
                         Spearman/Fisher p-value (order preserved) + matched cosine vs null
                         (survives neuron permutation)
  moe_upcycling      A  S4 MoE expert neurons matched back to a dense model's MLP neurons
  layer_alignment    A  S5 best-matching layer map (pruned / depth up-scaled / reordered)
  gram_layers        B  B1 row-Gram correlation of q/k/v/gate/up per layer (invariant to
                         residual-stream rotation and paired scaling); null: non-corresponding
                         layers + analytic
  gram_embedding     B  B2 Gram correlation of embedding rows of the same token ids (invariant
                         to rotation); null: shuffled token ids + analytic
  sigma_curve        C  S7 HonestAGI per-layer std curves of q/k/v/o, Pearson r vs a
                         random-walk null band (context only, never sufficient)
  tokenizer          C  S8 tokenizer digest identity (view.tokenizer_digest or
                         config["_tokenizer_sha256"], if the view provides one)
  config_similarity  C  S9 architecture fields equal (gate/context only)

``SignalResult.fires`` = decisive per lineage.md §5.3 for tier A; for tier B it counts
towards a derivation with a second tier-B signal or a partial tier-A one; for tier C it only
means "above its null band" and never decides a verdict.
"""

from __future__ import annotations

from collections.abc import Callable

from compliance.weights.signals import (
    aligned_cosine,
    config_similarity,
    gram_embedding,
    gram_layers,
    identical_tensors,
    layer_alignment,
    moe_upcycling,
    neuron_matching,
    sigma_curve,
    tokenizer,
)
from compliance.weights.signals.base import (
    CachedView,
    Null,
    SamplePlan,
    SignalResult,
    cached,
)
from compliance.weights.view import TensorView

Compute = Callable[[TensorView, TensorView, SamplePlan], SignalResult]

# registry order = report order; names and tiers come from the modules (one source)
_MODULES = (
    identical_tensors,
    aligned_cosine,
    neuron_matching,
    moe_upcycling,
    layer_alignment,
    gram_layers,
    gram_embedding,
    sigma_curve,
    tokenizer,
    config_similarity,
)
SIGNALS: dict[str, Compute] = {m.NAME: m.compute for m in _MODULES}
TIER: dict[str, str] = {m.NAME: m.TIER for m in _MODULES}


def run_all(
    suspect: TensorView,
    candidate: TensorView,
    plan: SamplePlan | None = None,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[SignalResult]:
    """Run every registered signal (or those named in `only`) in registry order;
    `progress(name)` is called after each one."""
    plan = plan or SamplePlan()
    a, b = cached(suspect, plan), cached(candidate, plan)
    out = []
    for name, fn in SIGNALS.items():
        if only is None or name in only:
            out.append(fn(a, b, plan))
            if progress is not None:
                progress(name)
    return out


__all__ = [
    "SIGNALS",
    "TIER",
    "CachedView",
    "Null",
    "SamplePlan",
    "SignalResult",
    "cached",
    "run_all",
]
