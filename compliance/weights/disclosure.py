"""How a publisher discloses a weight derivation the Hub has no `base_model_relation` for.

The Hub accepts only adapter / merge / quantized / finetune, so upcycling, depth pruning,
depth up-scaling and distillation are declared as `base_model_relation: finetune` (or
left to the Hub's inference) plus one of these, any of which the audit recognises:

* card prose naming the base: "upcycled from X", "sparse upcycling of X", "initialised
  (initialized) from X", "pruned from X", "depth up-scaled from X", "distilled from X";
* `.modelcheck.yaml`: `lineage: {upcycled_from: X, pruned_from: X, upscaled_from: X,
  distilled_from: X, initialised_from: X}` (a string or a list of repo ids);
* card tags: `upcycled` / `sparse-upcycling`, `pruned`, `depth-up-scaling`, `distillation`
  (for every declared base).

"initialised from X" discloses any weight derivation from X (it says the weights started
as X's). An invalid `base_model_relation: upcycled` still counts as a disclosure: the
intent is plain, and the card validator reports the invalid value on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ANY = "*"  # a disclosure that names no base (a tag): it covers every declared base
DERIVED = "derived"  # "initialised from X": any kind of weight derivation

# subtype of a verdict -> the disclosure kind that covers it
KIND_OF_SUBTYPE = {"upcycled-moe": "upcycled", "pruned": "pruned", "up-scaled": "up-scaled"}
CONFIG_FIELDS = {
    "upcycled_from": "upcycled",
    "pruned_from": "pruned",
    "upscaled_from": "up-scaled",
    "distilled_from": "distilled",
    "initialised_from": DERIVED,
    "initialized_from": DERIVED,
}
TAGS = {
    "upcycled": "upcycled",
    "upcycling": "upcycled",
    "sparse-upcycling": "upcycled",
    "moe-upcycling": "upcycled",
    "pruned": "pruned",
    "depth-pruning": "pruned",
    "depth-up-scaling": "up-scaled",
    "up-scaled": "up-scaled",
    "distillation": "distilled",
    "distilled": "distilled",
}
_ID = r"[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}"
_DECOR = r"\s{1,3}(?:the\s+)?(?:model\s+)?[\[`*_\"']{0,3}(?:https?://(?:www\.)?huggingface\.co/)?"
# "upcycled from X" or "upcycled from [X](https://huggingface.co/org/x)" (a link later on
# the same line, at most 120 characters on)
_TARGET = "(?:" + _DECOR + "(" + _ID + r")|[^\n]{0,120}?huggingface\.co/(" + _ID + "))"
_PROSE = tuple(
    (re.compile(p + _TARGET, re.I), kind)
    for p, kind in (
        (r"\b(?:sparse(?:ly)?[- ])?upcycl(?:ed|ing)\s+(?:from|of)", "upcycled"),
        (r"\binitiali[sz](?:ed|ation)\s+(?:from|with)", DERIVED),
        (r"\bpruned\s+from", "pruned"),
        (r"\bdepth[- ]up[- ]?scal(?:ed|ing)\s+(?:from|of)", "up-scaled"),
        (r"\bdistill(?:ed|ation)\s+(?:from|of)", "distilled"),
    )
)
_MAX_LINE = 2000  # prose lines are searched up to this length (regexes stay linear anyway)


@dataclass
class Disclosures:
    """kind ("upcycled", "pruned", "up-scaled", "distilled", DERIVED) -> repo ids (lower
    case) or ANY, and where each was seen."""

    by_kind: dict[str, set[str]] = field(default_factory=dict)
    where: list[str] = field(default_factory=list)

    def add(self, kind: str, repo_id: str, where: str) -> None:
        key = repo_id if repo_id == ANY else repo_id.strip().rstrip(".,;:)]`*'\"").lower()
        self.by_kind.setdefault(kind, set()).add(key)
        self.where.append(where)

    def covers(self, subtype: str | None, candidate: str) -> bool:
        """Whether the derivation `subtype` from `candidate` was disclosed."""
        kind = KIND_OF_SUBTYPE.get(subtype or "")
        if kind is None:
            return False
        cand = candidate.lower()
        for k in (kind, DERIVED):
            ids = self.by_kind.get(k, set())
            if cand in ids or ANY in ids:
                return True
        return False


def from_prose(body: str, first_line: int = 1) -> Iterable[tuple[str, str, int]]:
    """(kind, repo id, line) for every disclosure sentence in card prose."""
    for i, line in enumerate(body.splitlines()):
        text = line[:_MAX_LINE]
        for pattern, kind in _PROSE:
            for m in pattern.finditer(text):
                yield kind, m.group(1) or m.group(2), first_line + i


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def collect(facts: Any, relation: str | None = None) -> Disclosures:
    """Every disclosure in the audited repo's card, tags and `.modelcheck.yaml`."""
    out = Disclosures()
    card = getattr(facts, "card", None)
    if relation in ("upcycled", "distilled"):
        out.add(relation, ANY, f"card base_model_relation: {relation}")
    if card is not None and getattr(card, "present", False):
        body = getattr(card, "body", "") or ""
        start = int(getattr(card, "body_start_line", 1) or 1)
        for kind, repo_id, line in from_prose(body, start):
            out.add(kind, repo_id, f"{getattr(card, 'path', 'README.md')} line {line}")
        for tag in getattr(card, "tags", []) or []:
            kind = TAGS.get(str(tag).strip().lower())
            if kind is not None:
                out.add(kind, ANY, f"card tag {tag}")
    config = getattr(facts, "modelcheck_config", None) or {}
    section = config.get("lineage") if isinstance(config, Mapping) else None
    if isinstance(section, Mapping):
        for key, kind in CONFIG_FIELDS.items():
            for repo_id in _strings(section.get(key)):
                out.add(kind, repo_id, f".modelcheck.yaml lineage.{key}")
    return out


def fix_text(candidate: str, subtype: str) -> str:
    """The fix an `undisclosed-upcycling` finding suggests; following it makes the
    finding go away (`collect` recognises each of these)."""
    field_ = {
        "upcycled-moe": "upcycled_from", "pruned": "pruned_from", "up-scaled": "upscaled_from"
    }
    phrase = {"upcycled-moe": "upcycled from", "pruned": "pruned from",
              "up-scaled": "depth up-scaled from"}
    return (
        f"Declare `base_model: {candidate}` with `base_model_relation: finetune` (the Hub "
        "accepts only adapter, merge, quantized and finetune) and disclose the kind of "
        f"derivation: say \"{phrase[subtype]} {candidate}\" in the model card, or add "
        f"`lineage: {{{field_[subtype]}: {candidate}}}` to .modelcheck.yaml."
    )
