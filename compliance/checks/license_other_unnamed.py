"""license-other-unnamed: `license: other` without `license_name` / `license_link`.

What: Checks that a card declaring `license: other` also sets `license_name` and `license_link`.
Why: The Hub shows `license_name` as the licence tag and needs `license_link` to find the text
(hub-docs `repositories-licenses.md`, `modelcard.md`); without them the licence is anonymous.
Example: `license: other` with no `license_name:`.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "license-other-unnamed"
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    card = ctx.card
    if card.license_id != "other":
        return CheckResult.met()
    given = {"license_name": card.license_name, "license_link": card.license_link}
    missing = [k for k, v in given.items() if not v]
    if not missing:
        return CheckResult.met(ctx.meta_evidence("license_name", card.license_name))
    return CheckResult.not_met(
        ctx.meta_evidence("license", "other"),
        *(ctx.meta_evidence(k, missing=k) for k in missing),
        message="The card declares `license: other` without "
        + " and ".join(f"`{k}`" for k in missing)
        + ".",
    )
