"""A plain copy: a repo that re-uploads or mirrors one model without changing it.

A copy carries its original's licence like any redistribution (licence text, Notice),
but it is not a derivative: naming and "Built with" duties, and the undeclared-base
warning, are for models that were changed. A repo counts as a copy when its only
parent was inferred (not declared), nothing shows a change (the relation is the
default guess, not an adapter, merge, quantization or a relation stated in prose), the
card (there must be one) says nothing of training, and the repo's name, card title or config
`_name_or_path` is that parent's name.
"""

from __future__ import annotations

from compliance.facts.model import Facts
from compliance.lineage.model import Ancestor, Lineage
from compliance.regex_cache import compiled

_DEFAULT_RELATION = "default (no adapter, merge or quantization evidence)"
# any of these on the card describes a change, so the repo is not a plain copy
_CHANGE_WORDS = (
    "fine-tun", "finetun", "fine tun", "trained", "training", "merge", "lora", "distill",
    "quantiz", "quantis", "adapter", "instruct-tuned", "continued pre", "微调", "微調",
    "训练", "訓練", "renamed", "convert", "modif", "changes",
)
_SEP = compiled(r"[\s_]+")
_CARD_CAP = 200_000


def _norm(name: str | None) -> str:
    """Last path component, lower case, `_` and spaces as `-`, without a `Meta-` prefix."""
    if not name:
        return ""
    last = name.strip().rstrip("/").rsplit("/", 1)[-1][:200]
    low = _SEP.sub("-", last.strip()).lower()
    return low.removeprefix("meta-")


def copied_model(facts: Facts, lineage: Lineage, model_name: str) -> Ancestor | None:
    """The one ancestor this repo is a plain copy of, or None (module docstring)."""
    direct = lineage.direct()
    if len(direct) != 1 or direct[0].declared or lineage.relation_source != _DEFAULT_RELATION:
        return None
    # without a card nothing says the weights are unchanged (a training output's config
    # keeps its base's `_name_or_path`)
    body = facts.card.body[:_CARD_CAP].lower()
    if not facts.card.present or any(w in body for w in _CHANGE_WORDS):
        return None
    parent = direct[0]
    theirs = {_norm(parent.repo_id), _norm(parent.as_written)}
    theirs |= {_norm(e.seen) for e in parent.evidence if e.seen}
    theirs.discard("")
    ours = {_norm(model_name), _norm(facts.card.first_heading), _norm(facts.config.name_or_path)}
    return parent if theirs & ours else None
