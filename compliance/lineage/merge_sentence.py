"""The models a merge card lists in one sentence: "A merge of A, B, C and D made with mergekit".

Informal merge cards name their parents in prose, often without orgs. Counting the names
lets the audit say how many parents were named and how many of them it could identify,
instead of reporting the identified ones as if they were all. Text only: which names the
catalog knows is decided by the caller.
"""

from __future__ import annotations

import re

from compliance.regex_cache import compiled

_INTRO = compiled(
    r"\b(?:a\s+)?(?:merge[ds]?|mix|blend)\s+(?:of|from|between)\s+(?:the\s+following\s+)?"
    r"(?:models?\s*:?\s*)?",
    re.I,
)
# where the list ends: the end of the sentence or the tool / method that follows it
_END = compiled(
    r"(?:\.\s|\.$|;|\n|\s(?:made|created|produced|merged|done)\s+(?:with|using|by)\b"
    r"|\s(?:using|via|with)\s)",
    re.I,
)
_SPLIT = compiled(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*", re.I)
_LINK = compiled(r"\[([^\]\n]{1,200})\]\([^)\s]{0,500}\)")
_DECORATION = " \t*_`\"'“”‘’()"
_SPAN = 600
_MAX_NAMES = 12


def _looks_like_name(text: str) -> bool:
    """A model name: at most four words, with a digit, an org or a capital first letter."""
    return 0 < len(text.split()) <= 4 and (
        any(c.isdigit() for c in text) or "/" in text or text[0].isupper()
    )


def merge_sentence_names(body: str) -> list[str]:
    """Names (as written, link text kept) in the first "merge of …" sentence listing at
    least two; [] when there is none."""
    for m in _INTRO.finditer(body):
        window = body[m.end() : m.end() + _SPAN]
        end = _END.search(window)
        listed = _LINK.sub(r"\1", window[: end.start() if end else len(window)])
        names = [n.strip(_DECORATION) for n in _SPLIT.split(listed)]
        names = [n for n in names if _looks_like_name(n)]
        if len(names) >= 2:
            return names[:_MAX_NAMES]
    return []
