"""license-file-mismatch: the card's licence and the LICENSE file's text disagree.

What: Checks that when a LICENSE file's text is identified (pack signatures), the card's
declared licence is the same one.
Why: A card saying `apache-2.0` over a LICENSE holding the Llama 3.1 agreement tells users
two different things; the text usually wins, the tag is what tools read.
Example: `license: mit` with a LICENSE file starting "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT".
Known problems: a repo may legitimately carry several licences (code vs weights); the finding
quotes both so a human can decide.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult
from compliance.report import Evidence

if TYPE_CHECKING:
    from compliance.rule_model import Pack, Rule

KIND = "license-file-mismatch"
OPTIONS: dict[str, Any] = {}


def _claims(pack: Pack, declared: str, name: str | None) -> bool:
    """The identified text's pack answers to the declared value (e.g. both Gemma terms
    versions use `license: gemma`)."""
    if declared == "other":
        return name is not None and name.lower() in (n.lower() for n in pack.identity.license_names)
    return declared in (i.lower() for i in pack.identity.hub_ids)


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    declared = ctx.card.license_id
    files = [
        f for f in ctx.facts.license_files if f.kind == "license" and ctx.identified.get(f.path)
    ]
    if declared is None or declared == "unknown" or not files:
        return CheckResult.met()
    declared_pack = ctx.declared_pack
    identified = sorted({p for f in files for p in ctx.identified[f.path]})
    name = ctx.card.license_name
    if declared_pack in identified or any(
        _claims(ctx.packs[p], declared, name) for p in identified if p in ctx.packs
    ):
        return CheckResult.met(Evidence(file=files[0].path, seen=", ".join(identified)))
    if declared_pack is None and declared == "other":
        return CheckResult.met()  # an unnamed custom licence: nothing to compare against
    shown = f"other / {name}" if declared == "other" and name else declared
    evidence = [ctx.meta_evidence("license", shown)]
    evidence += [
        Evidence(file=f.path, seen="identified as " + ", ".join(ctx.identified[f.path]))
        for f in files
    ]
    return CheckResult.not_met(
        *evidence,
        message=f"The card declares `{shown}` but the licence file text was identified as "
        + ", ".join(f"`{p}`" for p in identified)
        + ".",
    )
