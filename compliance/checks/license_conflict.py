"""license-conflict: two sources disagree on a licence, and the stricter was applied.

What: Reports each place where the lineage kept the stricter of two licence answers: an
ancestor whose Hub repo says a permissive licence the built-in catalog has corrected, or an
audited catalog model whose card declares a permissive licence the catalog has corrected.
Why: A Hub answer must not silently override a correction (OBLIGATIONS.md §4: the DeepSeek
R1 Llama distills say `mit` but are "derived from" Llama and "originally licensed under" its
licence).
Example: `deepseek-ai/DeepSeek-R1-Distill-Llama-8B` whose card says `license: mit`.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult
from compliance.report import Evidence

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "license-conflict"
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    conflicts = getattr(ctx.lineage, "license_conflicts", [])
    if not conflicts:
        return CheckResult.met()
    evidence = [Evidence(key="licence sources", seen=c) for c in conflicts[:4]]
    return CheckResult.not_met(*evidence, message="; ".join(conflicts[:4]) + ".")
