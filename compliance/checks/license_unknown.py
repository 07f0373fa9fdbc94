"""license-unknown: the declared `license:` is neither a Hub id nor a known licence.

What: Checks the card's `license:` value against the Hub's licence identifiers (option
`hub_ids`) and every loaded pack's `identity.hub_ids` / `license_names`.
Why: The Hub only recognises its own identifiers; anything else (a typo, a retired id such as
`tii-falcon-llm`) leaves the model without a machine-readable licence.
Example: `license: apache2`.

Options:
  hub_ids (list[str], required): the Hub's `license:` identifiers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "license-unknown"
OPTIONS: dict[str, Any] = {"hub_ids": list[str]}
REQUIRED = ("hub_ids",)


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    declared = ctx.card.license_id
    if declared is None:
        return CheckResult.met()
    known = {i.lower() for i in rule.check.options["hub_ids"]}
    for pack in ctx.packs.values():
        known.update(i.lower() for i in pack.identity.hub_ids)
        known.update(n.lower() for n in pack.identity.license_names)
    if declared in known:
        return CheckResult.met(ctx.meta_evidence("license", declared))
    return CheckResult.not_met(
        ctx.meta_evidence("license", declared),
        message=f"The card declares `license: {declared}`, which is not a Hub licence identifier "
        "and not a licence modelcheck knows.",
    )
