"""The synthetic fixture catalogue used by test_synthetic.py and benchmarks/calibrate_lineage.py:
name -> (builder, expected verdict kind, expected subtype or None). One base; every positive
is derived from it; every hard negative shares its shapes (and, for some, its statistics)."""

from __future__ import annotations

from collections.abc import Callable

from compliance.weights.verdict import DERIVATION, IDENTICAL, NO_EVIDENCE
from tests.support import synth as S

Builder = Callable[[S.SynthModel], S.SynthModel]

POSITIVES: dict[str, tuple[Builder, str, str | None]] = {
    "exact-copy": (S.copy, IDENTICAL, None),
    "fine-tune-0.01": (lambda b: S.fine_tune(b, 0.01), DERIVATION, "fine-tune"),
    "fine-tune-0.1": (lambda b: S.fine_tune(b, 0.1), DERIVATION, "fine-tune"),
    "heavy-0.5": (lambda b: S.fine_tune(b, 0.5), DERIVATION, "heavy-training"),
    "heavy-1.0": (lambda b: S.fine_tune(b, 1.0), DERIVATION, "heavy-training"),
    "heavy-2.0": (lambda b: S.fine_tune(b, 2.0), DERIVATION, "heavy-training"),
    "neuron-permuted": (S.permute, DERIVATION, "permuted"),
    "neuron-permuted-noisy": (lambda b: S.permute(b, noise=0.5), DERIVATION, "permuted"),
    "pruned-every-2nd": (S.prune, DERIVATION, "pruned"),
    "pruned-first-4": (lambda b: S.prune(b, [0, 1, 2, 3]), DERIVATION, "pruned"),
    "depth-up-scaled": (S.upscale, DERIVATION, "up-scaled"),
    "moe-upcycled": (S.upcycle_moe, DERIVATION, "upcycled-moe"),
    "moe-upcycled-noisy": (lambda b: S.upcycle_moe(b, alpha=0.5), DERIVATION, "upcycled-moe"),
    "moe-drop-upcycled": (lambda b: S.upcycle_moe(b, mode="drop"), DERIVATION, "upcycled-moe"),
    "moe-fine-grained": (
        lambda b: S.upcycle_moe(b, mode="slice", n_experts=4),
        DERIVATION,
        "upcycled-moe",
    ),
    "lora-merge": (S.lora_merge, DERIVATION, "merge"),
    "heavy-3.0": (lambda b: S.fine_tune(b, 3.0), DERIVATION, "heavy-training"),
    "rotated": (S.rotate, DERIVATION, "rotated"),
    "rotated-noisy": (lambda b: S.rotate(b, noise=0.3), DERIVATION, "rotated"),
    "rotated-scaled": (lambda b: S.rotate(b, scale=True, noise=0.01), DERIVATION, "rotated"),
    "rotated-neuron-permuted": (
        lambda b: S.rotate(S.permute(b, permute_heads=False)),
        DERIVATION,
        "rotated",
    ),
    "rotated-pruned": (lambda b: S.rotate(S.prune(b)), DERIVATION, "rotated"),
    "rotated-moe-upcycled": (lambda b: S.rotate(S.upcycle_moe(b)), DERIVATION, "rotated"),
}

NEGATIVES: dict[str, Builder] = {
    "same-stats-redraw": S.same_stats,
    "different-seed": lambda b: S.base(101),
    "different-seed-same-profile": lambda b: S.base(102, profile_seed=0),
    "different-seed-same-profile-2": lambda b: S.base(103, profile_seed=0),
    "independent-moe": lambda b: S.independent_moe(S.upcycle_moe(b)),
    "independent-moe-2": lambda b: S.independent_moe(S.upcycle_moe(b), seed=9),
    "fine-tune-of-unrelated": lambda b: S.fine_tune(S.base(104, profile_seed=0), 0.1),
    "permuted-unrelated": lambda b: S.permute(S.base(105, profile_seed=0)),
    "pruned-unrelated": lambda b: S.prune(S.base(106, profile_seed=0)),
    "geometry-twin": S.geometry_twin,
    "geometry-twin-rotated": lambda b: S.rotate(S.geometry_twin(b)),
    "rotated-fine-tune-of-unrelated": lambda b: S.rotate(
        S.fine_tune(S.base(107, profile_seed=0), 0.1)
    ),
    "rotated-pruned-unrelated": lambda b: S.rotate(S.prune(S.base(108, profile_seed=0))),
    "rotated-independent-moe": lambda b: S.rotate(S.independent_moe(S.upcycle_moe(b))),
}

NEGATIVE_KIND = NO_EVIDENCE


def base_model() -> S.SynthModel:
    return S.base(0)
