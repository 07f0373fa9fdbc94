"""license-compatible: the card's `license:` is one an ancestor's licence accepts.

What: Checks the card's declared licence against the ancestor pack's
`derivatives.acceptable_ids` (and, for `license: other`, `acceptable_names` via `license_name`).
Why: OBLIGATIONS.md §14: a Llama 3.1 fine-tune published as `apache-2.0`, or a Qwen
research derivative declared with a commercial licence, misstates the terms it is under.
Example::

    check:
      kind: license-compatible

PASS: a Llama 3.1 fine-tune with `license: llama3.1`. FAIL: the same with `license: apache-2.0`.
When the ancestor licence is non-commercial and the card declares a licence that permits
commercial use, the finding's category becomes `non-commercial`.
A card with no `license:` is not checkable here (core/license-missing reports it).

`license: other` with a `license_link` to one of the pack's URLs, or into the base model's
repository (its LICENSE), identifies the base's licence and is met.

Options:
  commercial_ids (list[str]): Hub ids treated as permitting commercial use, in addition to
    packs marked `commercial: true` (default: the permissive/copyleft/commercial Hub ids).
  accept_other (bool, default false): `license: other` with own terms is met here, for
    licences that allow own terms on a derivative (Gemma §3.1, Qwen §3.d); pair it with a
    `license-own-terms` rule, which asks to confirm that the terms carry the restrictions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import NOT_MET, CheckContext, CheckResult, Hit
from compliance.checks.own_terms import link_identifies
from compliance.report import Evidence

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "license-compatible"
OPTIONS: dict[str, Any] = {"commercial_ids": list[str], "accept_other": bool}

COMMERCIAL_IDS = (
    "apache-2.0", "mit", "bsd", "bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear", "isc",
    "cc0-1.0", "cc-by-2.0", "cc-by-2.5", "cc-by-3.0", "cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0",
    "openrail", "bigscience-openrail-m", "creativeml-openrail-m", "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m", "openrail++", "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3",
    "llama4", "gemma", "grok2-community", "unlicense", "zlib", "wtfpl", "afl-3.0", "artistic-2.0",
    "bsl-1.0", "ecl-2.0", "epl-1.0", "epl-2.0", "eupl-1.1", "eupl-1.2", "agpl-3.0", "gpl",
    "gpl-2.0", "gpl-3.0", "lgpl", "lgpl-2.1", "lgpl-3.0", "mpl-2.0", "postgresql", "ncsa",
    "osl-3.0", "ms-pl", "openmdw-1.0", "openmdw-1.1", "odc-by", "odbl", "pddl",
)  # fmt: skip


def is_commercial_claim(ctx: CheckContext, declared: str, commercial_ids: tuple[str, ...]) -> bool:
    """True when the declared licence permits commercial use (pack flag, else the id list)."""
    pid = ctx.declared_pack
    if pid and pid in ctx.packs and ctx.packs[pid].commercial is not None:
        return bool(ctx.packs[pid].commercial)
    return declared in commercial_ids


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    declared = ctx.card.license_id
    if declared is None:
        return CheckResult.not_checkable(ctx.meta_evidence("license", missing="license"))
    pack = ctx.pack
    ids = [i.lower() for i in pack.derivatives.acceptable_ids]
    names = [n.lower() for n in pack.derivatives.acceptable_names]
    name = (ctx.card.license_name or "").lower() or None
    evidence: list[Evidence] = [ctx.meta_evidence("license", declared)]
    if declared in ids:
        return CheckResult.met(*evidence)
    if declared == "other":
        if name and name in names:
            return CheckResult.met(*evidence, ctx.meta_evidence("license_name", name))
        link = ctx.card_meta.get("license_link")
        if link_identifies(ctx, link if isinstance(link, str) else None):
            return CheckResult.met(*evidence, ctx.meta_evidence("license_link", link))
        if rule.check.options.get("accept_other") and pack.commercial is not False:
            return CheckResult.met(*evidence)
        evidence.append(ctx.meta_evidence("license_name", name, missing=" | ".join(names) or None))
    shown = f"`other` / `{name}`" if declared == "other" and name else f"`{declared}`"
    accepted = ", ".join([f"`{i}`" for i in ids] + [f"`other` + license_name `{n}`" for n in names])
    nearest = ctx.ancestors[0].repo_id if ctx.ancestors else pack.id
    commercial_ids = tuple(rule.check.options.get("commercial_ids") or COMMERCIAL_IDS)
    # Checked before the pack's derivative lists: a non-commercial ancestor makes the model
    # non-commercial even when its pack names no acceptable licence for derivatives.
    if pack.commercial is False and is_commercial_claim(ctx, declared, commercial_ids):
        tail = f" Accepted on a derivative: {accepted}." if accepted else ""
        return CheckResult(
            NOT_MET,
            hits=(
                Hit(
                    evidence=tuple(evidence),
                    category="non-commercial",
                    message=(
                        f"The card declares {shown}, which permits commercial use, but "
                        f"`{nearest}` is under {pack.title} ({pack.id}), which does not.{tail}"
                    ),
                ),
            ),
        )
    if not accepted:
        return CheckResult.met(evidence[0])  # the pack names no licence for derivatives
    return CheckResult.not_met(
        *evidence,
        message=(
            f"The card declares {shown}; a derivative of `{nearest}` ({pack.title}) is expected "
            f"to declare {accepted}."
        ),
    )
