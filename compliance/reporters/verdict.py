"""The report's headline: what was checked, never a legal conclusion.

"2 obligations not met · 1 not checkable from the files · 5 met". A green headline
needs every obligation checked and met, and no finding left: anything not checkable
(an obligation the files cannot show, an ancestor whose licence is unknown) keeps it amber.
"""

from __future__ import annotations

from typing import Any

STATES = ("not-met", "not-checkable", "met", "not-applicable")
# findings that mean something could not be checked, besides the `unverifiable` category:
# a derivative with no identified base has ancestor licences nobody could check
_UNCHECKED_RULES = {"core/unidentified-base-model": "Ancestor licences (no base model identified)"}


def obligation_tally(obligations: list[dict[str, Any]]) -> dict[str, int]:
    return {s.replace("-", "_"): sum(o["state"] == s for o in obligations) for s in STATES}


def not_checkable(
    obligations: list[dict[str, Any]], findings: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Obligations the files cannot show, then `unverifiable` findings (each rule once,
    titled by its message)."""
    out = [
        {"rule_id": o["rule_id"], "license": o["license"], "title": o["title"]}
        for o in obligations
        if o["state"] == "not-checkable"
    ]
    listed = {o["rule_id"] for o in out}
    for f in findings:
        unchecked = f["category"] == "unverifiable" or f["rule_id"] in _UNCHECKED_RULES
        if unchecked and not f["waived"] and f["rule_id"] not in listed:
            listed.add(f["rule_id"])
            title = _UNCHECKED_RULES.get(f["rule_id"], f["message"][:200])
            out.append({"rule_id": f["rule_id"], "license": None, "title": title})
    return out


def status(tally: dict[str, int], counts: dict[str, int], unchecked: int) -> str:
    """"not-met" | "review" | "met": the headline's state (JSON `summary.status`)."""
    if tally["not_met"] or counts["error"]:
        return "not-met"
    if unchecked or counts["warning"] or counts["info"]:
        return "review"
    return "met"


def headline(tally: dict[str, int], unchecked: int) -> str:
    """The plain-text headline (JSON `summary.verdict`)."""
    n = tally["not_met"]
    return (
        f"{n} obligation{'' if n == 1 else 's'} not met"
        f" · {unchecked} not checkable from the files · {tally['met']} met"
    )


ICONS = {"not-met": "❌", "review": "⚠️", "met": "✅"}
