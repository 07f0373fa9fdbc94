"""facts-problems: the repo's metadata could not be read as written.

What: Reports each problem met while reading the repo (invalid YAML front matter, malformed
config.json, a truncated or oversized file…); one finding per problem.
Why: Metadata that does not parse is metadata the Hub and users cannot rely on, and every
check that depends on it is weaker.
Example: README.md front matter that is not valid YAML.
Problems about pickle weight files are left to `core/pickle-weights` (one finding, not two).

Options:
  include (list[str]): only problems of these categories.
  exclude (list[str]): every problem except these categories.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult, Hit

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "facts-problems"
OPTIONS: dict[str, Any] = {"include": list[str], "exclude": list[str]}


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    include = rule.check.options.get("include")
    exclude = set(rule.check.options.get("exclude") or [])
    pickles = {w.path for w in ctx.facts.weights if w.format == "pickle"}
    hits = [
        Hit(evidence=(p.evidence,), message=p.message)
        for p in ctx.facts.problems
        if (include is None or p.category in include)
        and p.category not in exclude
        and p.evidence.file not in pickles
    ]
    return CheckResult.from_hits(hits)
