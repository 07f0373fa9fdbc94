"""Documentation of the rule ids the weight evidence emits (`weights/*`), for
`modelcheck explain`. These findings come from `weights/audit.py`, not from a rule pack
(they need the optional weights extra), so their documentation lives beside the code."""

from __future__ import annotations

from typing import Any

_REFS = ["docs/lineage.md", "shared reference: lineage.md (weight-lineage methods and nulls)"]

RULES: dict[str, dict[str, Any]] = {
    "weights/undeclared-base-model": {
        "title": "Weights consistent with derivation from a base that is not declared",
        "category": "undeclared-base-model",
        "severity": "warning",
        "what": "With `audit --weights`, compares the model's weights with every candidate "
        "(bases inferred from metadata, every fingerprint in --fingerprints DIR) and reports "
        "a candidate whose comparison is `identical-tensors` or `consistent-with-derivation` "
        "but which the card does not declare. Known relatives of a declared base (same "
        "catalog family, its ancestor, descendant or sibling) are noted instead. A derivation "
        "hidden by a rotation of the residual stream counts when both rotation-invariant "
        "Gram signals (layer matrices and embedding rows) agree; one alone is only "
        "`suggestive` and does not raise this finding.",
        "why": "A derived model carries its base's licence obligations; a base visible only "
        "in the weights is still a base.",
        "example": "A model card declaring no base_model whose aligned cosine with a library "
        "fingerprint is 0.98 against a null of 0.01.",
        "known_problems": "Weight similarity is symmetric: it cannot tell a parent from a "
        "sibling or say which model came first. It cannot detect distillation.",
        "message": "The weights are consistent with derivation from X, which is not declared "
        "as a base model.",
        "fix": "If the model derives from X, declare it in the model card's base_model and "
        "meet its licence's obligations; otherwise explain why the weights match.",
    },
    "weights/undisclosed-upcycling": {
        "title": "Upcycling, depth pruning or up-scaling not disclosed",
        "category": "undisclosed-upcycling",
        "severity": "warning",
        "what": "Reports a positive comparison whose pattern is an MoE upcycled from a dense "
        "model, depth pruning or depth up-scaling, when neither the card (prose such as "
        "\"upcycled from X\", tags such as `upcycled`) nor `.modelcheck.yaml` "
        "(`lineage: {upcycled_from: X}`) discloses it.",
        "why": "The Hub's base_model_relation has no value for these derivations, so they "
        "must be disclosed another way for readers to know what the model is.",
        "example": "An MoE whose expert neurons match a dense model's MLP neurons, with a card "
        "that declares `base_model_relation: finetune` and says nothing more.",
        "known_problems": None,
        "message": "The weights are consistent with an MoE whose experts were derived from a "
        "dense model's MLP (upcycling) of X, but neither the model card nor "
        ".modelcheck.yaml discloses that derivation.",
        "fix": "Declare base_model: X with base_model_relation: finetune and say \"upcycled "
        "from X\" in the card, or add `lineage: {upcycled_from: X}` to .modelcheck.yaml.",
    },
}


def explain_data(rule_id: str) -> dict[str, Any] | None:
    """The same fields `modelcheck explain` shows for a pack rule, or None."""
    doc = RULES.get(rule_id)
    if doc is None:
        return None
    return {
        "id": rule_id,
        "title": doc["title"],
        "pack": {"id": "weights", "title": "Weight evidence (modelcheck audit --weights)"},
        "severity": doc["severity"],
        "category": doc["category"],
        "applies_to": None,
        "what": doc["what"],
        "why": doc["why"],
        "clause": None,
        "example": doc["example"],
        "known_problems": doc["known_problems"],
        "message": doc["message"],
        "fix": doc["fix"],
        "references": list(_REFS),
        "path": None,
    }
