"""undeclared-base-model: the repo shows a base model its card does not declare.

What: Checks every base model seen as evidence (config.json `_name_or_path`, an adapter's
`base_model_name_or_path`, a merge config, card prose such as "fine-tuned from X") against
the card's `base_model`; one finding per base seen but not declared.
Why: Derivation disclosure (OBLIGATIONS.md §15 #10): `base_model` is how the Hub and users
learn which licence terms flow into a model. The undeclared base's obligations still apply.
A plain copy of one model (compliance/lineage/copies.py) is not reported: it is not a derivative;
nor is a teacher named by `datasets:` (distillation: `base_model` lists weights, not data).
Example: an adapter whose adapter_config.json names `meta-llama/Llama-3.1-8B` while the card
has no `base_model`.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, per_ancestor
from compliance.checks.publisher import same_publisher
from compliance.lineage.copies import copied_model

if TYPE_CHECKING:
    from compliance.lineage.model import Ancestor
    from compliance.rule_model import Rule

KIND = "undeclared-base-model"
OPTIONS: dict[str, Any] = {}


def _undeclared(a: Ancestor) -> str | None:
    if a.declared:
        return None
    where = ", ".join(sorted({e.key or e.file or "?" for e in a.evidence})) or "the repo"
    shown = a.as_written or a.repo_id
    return (
        f"`{shown}` appears as a base model ({where}) but the card's `base_model` does not list it."
    )


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    copy = copied_model(ctx.facts, ctx.lineage, ctx.model_name)
    others = [
        a for a in ctx.lineage.direct()
        if not _own_original(ctx, a) and a is not copy and not _teacher(a)
    ]
    return per_ancestor(others, _undeclared)


def _teacher(a: Ancestor) -> bool:
    """A model whose outputs a `datasets:` entry holds: `base_model` is for weights, not data."""
    return a.relation == "distilled" and any(e.key == "card datasets" for e in a.evidence)


def _own_original(ctx: CheckContext, a: Ancestor) -> bool:
    """The publisher's own checkpoint, with no known parent and no known licence (TinyLlama's
    chat model on its intermediate step): no third party's terms are seen flowing in through
    it, so there is nothing to disclose; unresolved-ancestor still names it. One that carries
    a licence (a Llama fine-tune of the same org) is reported: Meta's terms flow through it."""
    if a.license or not same_publisher(ctx.model_name, a.repo_id):
        return False
    return not any(p.child == a.repo_id for p in ctx.lineage.ancestors)
