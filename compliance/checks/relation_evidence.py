"""relation-evidence: `base_model_relation` disagrees with what the repo contains.

What: Checks the card's `base_model_relation` against the files: an invalid value; a relation
other than `adapter` while an adapter config is present; `merge` with fewer than two bases.
Why: The Hub and modelcheck decide which obligations apply from the relation; a wrong value
misdescribes the model (hub-docs `model-cards.md`).
Example: `base_model_relation: finetune` in a repo with `adapter_config.json`.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, Hit
from compliance.lineage.model import RELATIONS
from compliance.report import Evidence

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "relation-evidence"
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    stated = ctx.card.base_model_relation  # a value that is not text is a facts problem
    if stated is None:
        return CheckResult.met()
    ev = ctx.meta_evidence("base_model_relation", stated)
    if stated.lower() not in RELATIONS:
        return CheckResult.from_hits(
            [
                Hit(
                    evidence=(ev,),
                    message=f"`base_model_relation: {stated}` is not one of "
                    f"{', '.join(RELATIONS)}.",
                )
            ]
        )
    stated = stated.lower()
    hits: list[Hit] = []
    if stated != "adapter" and ctx.facts.adapters:
        a = ctx.facts.adapters[0]
        hits.append(
            Hit(
                evidence=(ev, Evidence(file=a.file, seen=a.peft_type or "adapter config")),
                message=f"The card says `base_model_relation: {stated}` but the repo holds an "
                f"adapter config (`{a.file}`).",
            )
        )
    bases = ctx.card.base_model_entries
    if stated == "merge" and len(bases) < 2 and not ctx.facts.merges:
        hits.append(
            Hit(
                evidence=(ev, ctx.meta_evidence("base_model", ", ".join(bases) or None)),
                message="The card says `base_model_relation: merge` but lists fewer than two base "
                "models and has no merge config.",
            )
        )
    return CheckResult.from_hits(hits)
