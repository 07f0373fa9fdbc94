"""license-own-terms: `license: other` with the derivative's own terms instead of the base's.

What: Met unless the card declares `license: other` and neither `license_name` nor
`license_link` identifies the ancestor's licence (a name the pack knows, a link to one of
its URLs, or a link into the base model's repository). Then the finding asks to confirm
that the own terms carry the licence's use restrictions.
Why: Gemma §3.1 (last paragraph) and Qwen §3.d allow additional or different terms for a
derivative, provided they do not conflict and keep the restrictions; own terms are allowed,
so this is a request to confirm, not a breach.
Example::

    check:
      kind: license-own-terms

PASS: `license: other`, `license_name: gemma`, or `license_link:
https://ai.google.dev/gemma/terms`. FAIL: `license: other`, `license_name: acme-model-terms`.
Other declared ids are left to `license-compatible`; no `license:` is not checkable here.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "license-own-terms"
OPTIONS: dict[str, Any] = {}


def link_identifies(ctx: CheckContext, link: str | None) -> bool:
    """True when `license_link` points at the pack's licence or into a base model's repo."""
    if not link:
        return False
    low = link.strip().lower()
    if any(low.startswith(u.lower()) for u in ctx.pack.identity.urls):
        return True
    return any(f"huggingface.co/{a.repo_id.lower()}/" in low for a in ctx.ancestors)


def names_pack(ctx: CheckContext) -> bool:
    """True when the card's `license_name` / `license_link` identify the ancestor's licence."""
    name = ctx.card.license_name
    pack = ctx.pack
    known = {n.lower() for n in (*pack.identity.license_names, *pack.derivatives.acceptable_names)}
    if name and name in known:
        return True
    return link_identifies(ctx, ctx.card.license_link)


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    declared = ctx.card.license_id
    if declared is None:
        return CheckResult.not_checkable(ctx.meta_evidence("license", missing="license"))
    evidence = ctx.meta_evidence("license", declared)
    if declared != "other" or names_pack(ctx):
        return CheckResult.met(evidence)
    name = ctx.card.license_name
    shown = f"own terms `{name}`" if name else "own terms"
    base = ctx.ancestors[0].repo_id if ctx.ancestors else ctx.pack.id
    return CheckResult.not_met(
        evidence,
        ctx.meta_evidence("license_name", name),
        message=(
            f"The card declares `other` ({shown}) for a derivative of `{base}` ({ctx.pack.title}). "
            "Own terms are allowed if they do not conflict and carry its use restrictions; "
            "confirm they do."
        ),
    )
