"""derivative-forbidden: the licence does not allow sharing this kind of derivative at all.

What: Not met whenever it runs: the rule's `applies_to` names the relations the licence
forbids to share (e.g. a fine-tune of a CC BY-ND base), so being audited as one of them is
the problem. One hit per ancestor that brings the licence.
Why: CC BY-ND 4.0 and CC BY-NC-ND 4.0 §2(a)(1)(B) allow producing Adapted Material but not
sharing it; a published fine-tune, adapter or merge of such a model is not licensed.
Example::

    check:
      kind: derivative-forbidden

PASS: a quantization (a technical modification, §2(a)(4)) of a CC BY-ND model.
FAIL: a fine-tune of the same model.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, per_ancestor

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "derivative-forbidden"
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    relation = ctx.lineage.relation
    title = ctx.pack.title

    def message(a: Any) -> str:
        return (
            f"`{a.repo_id}` is under {title}, which does not allow sharing a {relation} "
            "(adapted material) of it."
        )

    return per_ancestor(ctx.ancestors, message, evidence=1)
