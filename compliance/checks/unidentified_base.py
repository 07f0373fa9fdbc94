"""unidentified-base: the repo is a derivative, but none of its bases could be identified.

What: Fires when the repo shows signs of derivation (an adapter or merge config, quantization
files, `merge`/`moe`/`lora` tags, "a merge of …" in the card) and the lineage found no base
model at all, or when it is a merge and only one parent was identified.
Why: Derivation disclosure (OBLIGATIONS.md §15 #10): the bases' licences flow into the
derivative; with none identified, every ancestor licence is unknown and nothing about them
was checked.
Example: a card tagged `merge` saying "A merge of Alpha, Beta and Gamma", no `base_model`.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "unidentified-base"
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    signals = getattr(ctx.lineage, "derivation_signals", [])
    direct = ctx.lineage.direct()
    if not signals or len(direct) > 1:
        return CheckResult.met()
    relation = ctx.lineage.relation or signals[0].relation
    seen = ", ".join(dict.fromkeys(s.source for s in signals[:4]))
    if direct:  # a merge with one parent identified
        return CheckResult.not_met(
            *[s.evidence for s in signals[:4]],
            message=f"The repo is a merge ({seen}) but only `{direct[0].repo_id}` could be "
            "identified as a parent; the other parents are not named in a form that can be "
            "resolved, so their licences are unknown and their obligations were not checked.",
        )
    return CheckResult.not_met(
        *[s.evidence for s in signals[:4]],
        message=f"The repo is a {relation} ({seen}) but no base model is identified: "
        "the card's `base_model` is missing and nothing else names a resolvable base, "
        "so the ancestor licences are unknown and their obligations were not checked.",
    )
