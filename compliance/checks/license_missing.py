"""license-missing: the model card declares no licence.

What: Checks that README.md exists and its metadata has a `license:` other than `unknown`.
Why: Without a declared licence nobody can tell what terms the weights are under; the Hub
model-card spec asks for `license:` (hub-docs `modelcard.md`).
Example: a README with front matter `tags: [llama]` and no `license:`.
A card that is in the repo but could not be read (permissions, not cached offline) gives
an `unverifiable` finding instead of "no model card".

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, Hit
from compliance.report import Evidence

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "license-missing"
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    if not ctx.facts.card.present:
        if ctx.facts.card.path in ctx.facts.files:  # listed, not read (unreadable, not cached)
            return CheckResult.from_hits([Hit(
                evidence=(Evidence(file=ctx.facts.card.path),),
                message=f"The model card ({ctx.facts.card.path}) could not be read, "
                "so its licence cannot be checked.",
                category="unverifiable",
            )])
        return CheckResult.not_met(
            Evidence(file="README.md", missing="README.md with `license:` metadata"),
            message="There is no model card (README.md), so no licence is declared.",
        )
    listed = [v for v in ctx.card.strings("license") if v.strip()]
    if len(listed) > 1:
        return CheckResult.met(ctx.meta_evidence("license", ", ".join(listed)))
    declared = ctx.card.license_id
    if declared is None:
        return CheckResult.not_met(ctx.meta_evidence("license", missing="license"))
    if declared == "unknown":
        return CheckResult.not_met(
            ctx.meta_evidence("license", declared),
            message="The card declares `license: unknown`, which names no licence.",
        )
    return CheckResult.met(ctx.meta_evidence("license", declared))
