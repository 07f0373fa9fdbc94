"""card-names-ancestor: the model card credits the base model it derives from.

What: Met when the README body names an ancestor that brings the licence: its repo id
(`org/name`), its model name, or its org (the creator). One hit per ancestor not named.
Why: CC BY 4.0 §3(a)(1)(A)(i) asks to retain the identification of the creator(s) of the
licensed material; the base's id or its creator on the card is the usual way to do it.
Example::

    check:
      kind: card-names-ancestor

PASS: a card saying "fine-tuned from facebook/musicgen-small". FAIL: a card that only
shows usage code. No model card: not met.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, Hit
from compliance.report import Evidence
from compliance.text import indexed

if TYPE_CHECKING:
    from compliance.lineage.model import Ancestor
    from compliance.rule_model import Rule

KIND = "card-names-ancestor"
OPTIONS: dict[str, Any] = {}


def _names(a: Ancestor) -> list[str]:
    """What counts as naming the ancestor: its id, its model name, its org (the creator)."""
    out = [a.repo_id]
    if "/" in a.repo_id:
        org, name = a.repo_id.split("/", 1)
        out += [name, org]
    return [n for n in out if len(n) >= 3]


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    card = ctx.facts.card
    if not card.present:
        return CheckResult.not_met(
            Evidence(file="README.md", missing="a model card (README.md)"),
            message="There is no model card (README.md) to credit the base model's creator.",
        )
    body = indexed(card.body, card.body_start_line, False)
    hits = []
    for a in ctx.ancestors:
        names = _names(a)
        if not any(body.find(n, False) for n in names):
            hits.append(
                Hit(
                    evidence=(Evidence(file="README.md", missing=" | ".join(names)),),
                    ancestor=a.repo_id,
                    message=f"The model card never names `{a.repo_id}` or its creator.",
                )
            )
    return CheckResult.from_hits(hits)
