"""unidentified-base: the repo is a derivative, but none of its bases could be identified.

What: Fires when the repo shows signs of derivation (an adapter or merge config, quantization
files, `merge`/`moe`/`lora` tags, "a merge of …" in the card) and the lineage found no base
model at all, or when it is a merge and only one parent was identified, or when a
"merge of A, B, C and D" sentence names more parents than were identified (it says how many).
Why: Derivation disclosure (OBLIGATIONS.md §15 #10): the bases' licences flow into the
derivative; with none identified, every ancestor licence is unknown and nothing about them
was checked.
Example: a card tagged `merge` saying "A merge of Alpha, Beta and Gamma", no `base_model`.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult
from compliance.report import Evidence

if TYPE_CHECKING:
    from compliance.lineage.model import Ancestor
    from compliance.rule_model import Rule

KIND = "unidentified-base"
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    signals = getattr(ctx.lineage, "derivation_signals", [])
    direct = ctx.lineage.direct()
    named = getattr(ctx.lineage, "merge_names", [])
    if len(named) > len(direct) and ctx.lineage.relation in (None, "merge"):
        return _partly_named(ctx, named, direct)
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


def _partly_named(ctx: CheckContext, named: list[str], direct: list[Ancestor]) -> CheckResult:
    """A "merge of A, B, C and D" sentence names more parents than were identified."""
    card = ctx.facts.card
    listed = ", ".join(named)
    found = ", ".join(f"`{a.repo_id}`" for a in direct)
    identified = f"{len(direct)} identified ({found})" if direct else "none identified"
    return CheckResult.not_met(
        Evidence(file=card.path, seen=f"a merge of {listed}"[:200]),
        message=f"The card names {len(named)} models as the merge's parents ({listed}); "
        f"{identified}; the others could not be, so their licences are unknown and their "
        "obligations were not checked. Declare every parent in the card's `base_model`.",
    )
