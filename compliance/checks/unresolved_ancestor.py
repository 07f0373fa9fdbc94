"""unresolved-ancestor: an ancestor's licence could not be established.

What: Checks that every ancestor's licence is known (built-in catalog or the Hub); one
finding per ancestor that is unknown, gated, or failed to load.
Why: Obligations flow from every ancestor; an ancestor whose licence is unknown means the
audit cannot say which terms apply. modelcheck never guesses a licence.
Example: `base_model: someone/private-model` audited offline.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, Hit, per_ancestor
from compliance.checks.publisher import same_publisher
from compliance.records import replace
from compliance.report import Severity

if TYPE_CHECKING:
    from compliance.lineage.model import Ancestor
    from compliance.rule_model import Rule

KIND = "unresolved-ancestor"
OPTIONS: dict[str, Any] = {}
HINT = "set HF_TOKEN or accept the licence on the Hub"


def _unknown_licence(a: Ancestor) -> str | None:
    if a.license:
        return None
    if a.resolution == "gated":
        why = "the Hub refused access (gated or private)"
        if HINT not in (a.resolution_note or ""):  # the resolver's note may carry it already
            why += f"; {HINT}"
    elif a.resolution == "error":
        why = "looking it up failed"
    else:
        why = "it is not in the built-in catalog and was not resolved"
    note = f" ({a.resolution_note})" if a.resolution_note else ""
    return f"The licence of ancestor `{a.repo_id}` is unknown: {why}{note}."


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    result = per_ancestor(ctx.lineage.ancestors, _unknown_licence, evidence=2)
    # The publisher's own ancestor: its licence binds others, not this release (info).
    return CheckResult.from_hits([_own(h) if _is_own(ctx, h) else h for h in result.hits])


def _is_own(ctx: CheckContext, hit: Hit) -> bool:
    return same_publisher(ctx.model_name, hit.ancestor)


def _own(hit: Hit) -> Hit:
    message = (
        f"{hit.message} It is published by the same organisation as the audited model, so "
        "its terms bind others rather than this release."
    )
    return replace(hit, message=message, severity=Severity.INFO)
