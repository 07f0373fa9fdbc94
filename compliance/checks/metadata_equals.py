"""metadata-equals: a model-card metadata key has an exact value.

What: Checks that card metadata `key` equals `value` (strings compared case-insensitively).
Why: Some licences fix the `license:` tag a derivative must carry (OBLIGATIONS.md §14).
Example::

    check:
      kind: metadata-equals
      options: {key: license, value: llama3.1}

PASS: `license: llama3.1`. FAIL: `license: apache-2.0`, or no `license:` key.

Options:
  key (str, required): top-level card metadata key.
  value (any scalar, required): the expected value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "metadata-equals"
OPTIONS: dict[str, Any] = {"key": str, "value": str | int | float | bool}
REQUIRED = ("key", "value")


def same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return bool(a == b)


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    key, value = rule.check.options["key"], rule.check.options["value"]
    seen = ctx.card_meta.get(key)
    if seen is not None and same(seen, value):
        return CheckResult.met(ctx.meta_evidence(key, seen))
    return CheckResult.not_met(ctx.meta_evidence(key, seen, missing=f"{key}: {value}"))
