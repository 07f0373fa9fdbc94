"""undeclared-base-model: the repo shows a base model its card does not declare.

What: Checks every base model seen as evidence (config.json `_name_or_path`, an adapter's
`base_model_name_or_path`, a merge config, card prose such as "fine-tuned from X") against
the card's `base_model`; one finding per base seen but not declared.
Why: Derivation disclosure (OBLIGATIONS.md §15 #10): `base_model` is how the Hub and users
learn which licence terms flow into a model. The undeclared base's obligations still apply.
Example: an adapter whose adapter_config.json names `meta-llama/Llama-3.1-8B` while the card
has no `base_model`.

Options: none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, per_ancestor
from compliance.checks.publisher import same_publisher

if TYPE_CHECKING:
    from compliance.lineage.model import Ancestor
    from compliance.rule_model import Rule

KIND = "undeclared-base-model"
OPTIONS: dict[str, Any] = {}


def _undeclared(a: Ancestor) -> str | None:
    if a.declared:
        return None
    where = ", ".join(sorted({e.key or e.file or "?" for e in a.evidence})) or "the repo"
    shown = a.as_written or a.repo_id
    return (
        f"`{shown}` appears as a base model ({where}) but the card's `base_model` does not list it."
    )


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    # A publisher's own earlier checkpoint brings no third-party terms to disclose.
    others = [a for a in ctx.lineage.direct() if not same_publisher(ctx.model_name, a.repo_id)]
    return per_ancestor(others, _undeclared)
