"""engine: a rule whose findings the engine itself produces.

What: Documents findings that come from the audit machinery rather than from the repo, such
as a waiver without a reason (`core/waiver-without-reason`) or one that matched nothing
(`core/waiver-unused`). The check itself always passes.
Why: Every finding needs a rule id that `modelcheck explain` can describe.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "engine"
OPTIONS: dict[str, Any] = {}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    return CheckResult.met()
