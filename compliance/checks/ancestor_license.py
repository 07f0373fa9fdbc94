"""ancestor-license: a policy forbids some licences anywhere in the lineage.

What: Checks every ancestor (declared or inferred, any depth) against a policy's forbidden
licence pack ids and licence categories; one finding per offending ancestor.
Why: Organisations often must not ship models built on non-commercial or use-restricted
weights; the licence of a base-of-a-base binds as much as a direct parent's.
Example::

    check:
      kind: ancestor-license
      options: {forbid_categories: [non-commercial]}

PASS: a fine-tune whose only ancestor is Apache-2.0. FAIL: a merge with a Qwen research parent.

Options:
  forbid_ids (list[str]): licence pack ids (e.g. `qwen-research`).
  forbid_categories (list[str]): pack categories (e.g. `non-commercial`, `use-restricted`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, per_ancestor

if TYPE_CHECKING:
    from compliance.lineage.model import Ancestor
    from compliance.rule_model import Rule

KIND = "ancestor-license"
OPTIONS: dict[str, Any] = {"forbid_ids": list[str], "forbid_categories": list[str]}


def validate(options: dict[str, Any]) -> list[str]:
    if not options.get("forbid_ids") and not options.get("forbid_categories"):
        return ["give 'forbid_ids' or 'forbid_categories'"]
    return []


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    options = rule.check.options
    ids = set(options.get("forbid_ids") or [])
    cats = set(options.get("forbid_categories") or [])

    def forbidden(a: Ancestor) -> str | None:
        if not a.license:
            return None
        pack = ctx.packs.get(a.license)
        category = pack.category if pack else None
        if a.license not in ids and not (category and category in cats):
            return None
        why = a.license if a.license in ids else f"{a.license}, category {category}"
        return f"Ancestor `{a.repo_id}` is under a licence this policy forbids ({why})."

    return per_ancestor(ctx.lineage.ancestors, forbidden, evidence=1)
