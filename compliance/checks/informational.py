"""informational: an obligation that cannot be checked from the repository.

What: Always "not checkable"; the engine still reports it (at the rule's severity) so the
reader knows the obligation exists.
Why: Terms such as Llama's 700M monthly-active-user threshold (§2) or the EU multimodal
carve-out depend on facts outside the repo.
Example::

    check:
      kind: informational

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "informational"
OPTIONS: dict[str, Any] = {}
FINDING_WHEN_NOT_CHECKABLE = True  # the whole point of the kind is to be shown


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    return CheckResult.not_checkable()
