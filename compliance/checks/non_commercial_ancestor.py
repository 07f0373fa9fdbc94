"""non-commercial-ancestor: a non-commercial licence flows into this model.

What: Reports each non-commercial or research-only licence (pack `commercial: false`) among
the ancestors, naming the nearest ancestor under it.
Why: The most restrictive commercial term wins (OBLIGATIONS.md §14 "Merges"): one
research-only ancestor makes the whole model non-commercial, however it is declared.
Example: a merge with `Qwen/Qwen2.5-3B-Instruct` (Qwen RESEARCH LICENSE) as one parent.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, Hit, nearest

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "non-commercial-ancestor"
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    hits: list[Hit] = []
    for lic in ctx.lineage.licenses():
        pack = ctx.packs.get(lic)
        if pack is None or pack.commercial is not False:
            continue
        first = nearest(ctx.lineage.ancestors, lic)
        hits.append(
            Hit(
                evidence=tuple(first.evidence[:1]),
                ancestor=first.repo_id,
                message=f"`{first.repo_id}` is under {pack.title} ({lic}), which does not permit "
                "commercial use; this model inherits that restriction.",
            )
        )
    return CheckResult.from_hits(hits)
