"""card-contains: the model card (README.md body) contains a phrase.

What: Checks that the README body contains at least one of `any` and every one of `all`.
Why: Licences such as Llama 3.1 (§1.b.i) and Qwen (§5.b) require a display string
("Built with Llama", "Built with Qwen") on the model card.
Example::

    check:
      kind: card-contains
      options: {any: ["Built with Llama"]}

PASS: a README whose body says "Built with Llama". FAIL: a README that never says it.
Matching ignores case, runs of whitespace, curly-vs-straight quotes and Markdown `*`/backticks.
A card that is in the repo but could not be read gives an `unverifiable` finding.

Options:
  any (list[str]): at least one of these phrases must occur.
  all (list[str]): every one of these phrases must occur.
  case_sensitive (bool, default false): match case exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, Hit, need_phrases, phrases
from compliance.report import Evidence
from compliance.text import IndexedText, clip, indexed

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "card-contains"
OPTIONS: dict[str, Any] = {"any": list[str], "all": list[str], "case_sensitive": bool}


def validate(options: dict[str, Any]) -> list[str]:
    return need_phrases(options)


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    options = rule.check.options
    card = ctx.facts.card
    if not card.present:
        if card.path in ctx.facts.files:  # listed, not read (unreadable, not cached)
            return CheckResult.from_hits([Hit(
                evidence=(Evidence(file=card.path),),
                message=f"The model card ({card.path}) could not be read, so the "
                "required text cannot be checked.",
                category="unverifiable",
            )])
        return CheckResult.not_met(
            Evidence(file="README.md", missing="a model card (README.md)"),
            message="There is no model card (README.md) to carry the required text.",
        )
    cs = bool(options.get("case_sensitive", False))
    body = indexed(card.body, card.body_start_line, cs)
    return match_phrases(body, "README.md", options, cs)


def match_phrases(text: IndexedText, file: str, options: Any, cs: bool) -> CheckResult:
    """Shared by card-contains and file-contains: any-of / all-of over one text."""
    any_of, all_of = phrases(options)
    seen: list[Evidence] = []
    missing: list[Evidence] = []
    if any_of:
        hit = next((found for p in any_of if (found := text.find(p, cs))), None)
        if hit:
            seen.append(Evidence(file=file, line=hit[0], seen=clip(hit[1])))
        else:
            missing.append(Evidence(file=file, missing=" | ".join(any_of)))
    for phrase in all_of:
        found = text.find(phrase, cs)
        if found:
            seen.append(Evidence(file=file, line=found[0], seen=clip(found[1])))
        else:
            missing.append(Evidence(file=file, missing=phrase))
    if missing:
        return CheckResult.not_met(*missing)
    return CheckResult.met(*seen)
