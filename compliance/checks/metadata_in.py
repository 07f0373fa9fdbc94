"""metadata-in: a model-card metadata key has one of several values.

What: Checks that card metadata `key` is one of `values` (strings case-insensitive;
for a list-valued key, every item must be allowed).
Why: A derivative's `license:` may be any of a few acceptable ids (OBLIGATIONS.md §14).
Example::

    check:
      kind: metadata-in
      options: {key: license, values: [cc-by-nc-4.0, cc-by-nc-sa-4.0]}

PASS: `license: cc-by-nc-4.0`. FAIL: `license: mit`.

Options:
  key (str, required), values (list, required).
  missing_ok (bool, default false): a missing key counts as met.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult
from compliance.checks.metadata_equals import same

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "metadata-in"
OPTIONS: dict[str, Any] = {"key": str, "values": list[Any], "missing_ok": bool}
REQUIRED = ("key", "values")


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    options = rule.check.options
    key, values = options["key"], options["values"]
    seen = ctx.card_meta.get(key)
    if seen is None and options.get("missing_ok"):
        return CheckResult.met(ctx.meta_evidence(key))
    items = seen if isinstance(seen, list) else [seen]
    if seen is not None and items and all(any(same(i, v) for v in values) for i in items):
        return CheckResult.met(ctx.meta_evidence(key, seen))
    allowed = " | ".join(str(v) for v in values)
    return CheckResult.not_met(ctx.meta_evidence(key, seen, missing=f"{key}: {allowed}"))
