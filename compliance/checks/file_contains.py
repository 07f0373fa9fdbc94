"""file-contains: a licence, NOTICE or use-policy file is present and carries a phrase.

What: Checks that some file of the given `kind` (or matching `files`) exists and contains
at least one of `any` and all of `all`; or, with `identified: true`, that one was identified
as this rule's licence by the pack's signatures.
Why: Most model licences require a copy of the agreement (Llama §1.b.i, Gemma §3.1,
Apache §4(a)) and some a NOTICE file with a fixed sentence (Llama §1.b.iii).
Example::

    check:
      kind: file-contains
      options: {kind: notice, any: ["Llama 3.1 is licensed under the Llama 3.1 Community License"]}

PASS: a NOTICE file with that sentence. FAIL: no NOTICE file, or one without the sentence.

Options:
  kind (license | notice | use-policy): which licence-bearing files to look in.
  files (list[str]): glob patterns on the file path (case-insensitive), e.g. ["NOTICE*"].
  any / all (list[str]): phrases, matched as in card-contains.
  identified (bool): met when a candidate file was identified as this pack's licence.
  case_sensitive (bool, default false).
  base_notice (bool): only ask for the file when an ancestor bringing the licence ships a
    NOTICE (Apache-2.0 §4(d)): met when every such ancestor is known to ship none; when it
    is not known, the finding is `info` and says so.
With neither phrases nor `identified`, the check only asks that such a file exists.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any

from compliance.checks.base import MET, NOT_MET, CheckContext, CheckResult, Hit
from compliance.checks.card_contains import match_phrases
from compliance.report import Evidence, Severity
from compliance.text import indexed

if TYPE_CHECKING:
    from compliance.rule_model import Rule

KIND = "file-contains"
FILE_KINDS = ("license", "notice", "use-policy")
OPTIONS: dict[str, Any] = {
    "kind": str,
    "files": list[str],
    "any": list[str],
    "all": list[str],
    "identified": bool,
    "case_sensitive": bool,
    "base_notice": bool,
}


def validate(options: dict[str, Any]) -> list[str]:
    problems = []
    if "kind" in options and options["kind"] not in FILE_KINDS:
        problems.append(f"option 'kind' must be one of {', '.join(FILE_KINDS)}")
    if "kind" not in options and "files" not in options:
        problems.append("give 'kind' or 'files' to say which files to look in")
    return problems


def _wanted(path: str, options: Any, kind: str) -> bool:
    if "kind" in options and kind != options["kind"]:
        return False
    globs = options.get("files")
    if not globs:
        return True
    low = path.lower()
    name = low.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name, g.lower()) or fnmatch.fnmatch(low, g.lower()) for g in globs)


def check(ctx: CheckContext, rule: Rule) -> CheckResult:
    options = rule.check.options
    candidates = [f for f in ctx.facts.license_files if _wanted(f.path, options, f.kind)]
    looked_for = ", ".join(options.get("files") or [f"a {options.get('kind')} file"])
    if not candidates:
        if options.get("base_notice"):
            return _without_own_notice(ctx, looked_for)
        return CheckResult.not_met(Evidence(missing=looked_for))
    if options.get("identified"):
        for f in candidates:
            if ctx.pack.id in ctx.identified.get(f.path, ()):
                return CheckResult.met(Evidence(file=f.path, seen=f"identified as {ctx.pack.id}"))
        if not options.get("any") and not options.get("all"):
            return CheckResult.not_met(
                *(
                    Evidence(
                        file=f.path,
                        seen=", ".join(ctx.identified.get(f.path, ())) or "not identified",
                        missing=f"the {ctx.pack.title} text",
                    )
                    for f in candidates
                )
            )
    if not options.get("any") and not options.get("all"):
        return CheckResult.met(*(Evidence(file=f.path) for f in candidates))
    cs = bool(options.get("case_sensitive", False))
    failures: list[Evidence] = []
    for f in candidates:
        result = match_phrases(indexed(f.text, 1, cs), f.path, options, cs)
        if result.state is MET:
            return result
        failures.extend(result.evidence)
    return CheckResult.not_met(*failures)


def _without_own_notice(ctx: CheckContext, looked_for: str) -> CheckResult:
    """No NOTICE here: a problem only if a base ships one; unknown is worth an info finding."""
    shipping = [a for a in ctx.ancestors if a.notice]
    if shipping:
        names = ", ".join(f"`{a.repo_id}`" for a in shipping)
        return CheckResult.not_met(
            Evidence(missing=looked_for),
            message=f"The repository has no NOTICE file, but {names} ships one; its attribution "
            "notices must be carried over.",
        )
    unknown = [a for a in ctx.ancestors if a.notice is None]
    if not unknown:
        return CheckResult.met(Evidence(seen="no base ships a NOTICE file"))
    names = ", ".join(f"`{a.repo_id}`" for a in unknown)
    hit = Hit(
        evidence=(Evidence(missing=looked_for),),
        severity=Severity.INFO,
        message=f"The repository has no NOTICE file; whether {names} ships one is not known "
        "(audit with --resolve hub). If it does, its attribution notices must be carried over.",
    )
    return CheckResult(NOT_MET, hits=(hit,))
