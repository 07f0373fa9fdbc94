"""name-starts-with: the published model name begins with a required prefix.

What: Checks that the model name (without the `org/` part) starts with `prefix`
(or one of `any`).
Why: Llama 3 (§1.b.i) requires derivative names to begin with "Llama 3", Llama 3.1–4 with
"Llama"; GLM-4 with "glm-4".
Example::

    check:
      kind: name-starts-with
      options: {prefix: "Llama"}

PASS: `acme/Llama-3.1-Acme-8B`. FAIL: `acme/Acme-8B`.
Spaces, hyphens and underscores count as the same separator ("Llama 3" matches "Llama-3-x").
The prefix must end at a token boundary: "Llama-30B-x" does not start with "Llama 3",
"Llamafied-7B" not with "Llama", "glm-45-x" not with "glm-4" (the next character may not
be a letter or digit).

Options:
  prefix (str) or any (list[str]): the accepted prefixes.
  case_sensitive (bool, default false).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from compliance.checks.base import CheckContext, CheckResult
from compliance.report import Evidence

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "name-starts-with"
OPTIONS: dict[str, Any] = {"prefix": str, "any": list[str], "case_sensitive": bool}
_SEP = re.compile(r"[\s_\-]+")


def validate(options: dict[str, Any]) -> list[str]:
    if not options.get("prefix") and not options.get("any"):
        return ["give 'prefix' or 'any'"]
    return []


def _norm(text: str, cs: bool) -> str:
    text = _SEP.sub(" ", text).strip()
    return text if cs else text.casefold()


def starts_with_token(name: str, prefix: str) -> bool:
    """True when `name` begins with `prefix` and the prefix ends a token there."""
    if not name.startswith(prefix):
        return False
    rest = name[len(prefix) :]
    return not rest or not prefix or not (rest[0].isalnum() and prefix[-1].isalnum())


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    options = rule.check.options
    prefixes = [options["prefix"]] if options.get("prefix") else []
    prefixes += list(options.get("any") or [])
    cs = bool(options.get("case_sensitive", False))
    short = ctx.model_name.rstrip("/").rsplit("/", 1)[-1]
    ev_key = "model name"
    for p in prefixes:
        if starts_with_token(_norm(short, cs), _norm(p, cs)):
            return CheckResult.met(Evidence(key=ev_key, seen=ctx.model_name))
    return CheckResult.not_met(
        Evidence(key=ev_key, seen=ctx.model_name, missing=" | ".join(prefixes))
    )
