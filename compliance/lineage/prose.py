"""Base models named in model-card prose ("fine-tuned from X", "a merge of X and Y").

Conservative on purpose: only Hub ids (`org/name`, or huggingface.co links) right after
a trigger phrase count, fenced code blocks are skipped, and every match keeps its line
so a finding can quote where it was seen. Prose is evidence, never a declaration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from compliance.records import record
from compliance.regex_cache import compiled

_ID = r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*"
_URL = compiled(r"https?://(?:www\.)?huggingface\.co/(" + _ID + r")")
# An id right after the trigger: optional article, then link / code / bold decoration.
_LEAD = compiled(r"\s*(?:the\s+|an?\s+)?(?:model\s+)?[\[`*_\"']*(" + _ID + r")")
# "[org/repo](https://github.com/org/repo)": a link to somewhere other than the Hub is a
# code repository or a paper, not a base model
_OTHER_LINK = compiled(r"[`*_\"']*\]\((?!https?://(?:www\.)?huggingface\.co/)")
_NOT_REPOS = {"datasets", "spaces", "docs", "blog", "papers", "collections", "organizations"}

# (pattern, relation, takes several ids)
TRIGGERS: tuple[tuple[re.Pattern[str], str | None, bool], ...] = (
    (
        compiled(r"\bfine[- ]?tun(?:ed|e|ing)\s+(?:version\s+)?(?:of|from)\b", re.I),
        "finetune",
        False,
    ),
    (compiled(r"\bfine[- ]?tuned\s+version\s+of\b", re.I), "finetune", False),
    (compiled(r"\bquanti[sz](?:ed|ation)s?\s+(?:version\s+)?of\b", re.I), "quantized", False),
    (compiled(r"\bmodel\s+files\s+for\b", re.I), "quantized", False),
    (compiled(r"\bdistill(?:ed|ation)\s+(?:version\s+)?(?:from|of)\b", re.I), "distilled", False),
    (compiled(r"\b(?:lora|adapter)\s+(?:for|of|on\s+top\s+of)\b", re.I), "adapter", False),
    (compiled(r"\bmerge[ds]?\s+of\b", re.I), "merge", True),
    (compiled(r"\bmerged\s+(?:from|with)\b", re.I), "merge", True),
    (compiled(r"\bbased\s+on\b", re.I), None, False),
    (compiled(r"\b(?:iteration|variant|modification)\s+(?:of|from)\b", re.I), None, False),
    (
        compiled(r"\bcontinu(?:ed|al(?:ly)?)\s+pre-?train(?:ing|ed)\s+(?:of|from|on)\b", re.I),
        "finetune",
        False,
    ),
)
_MERGE_LIST = compiled(r"models\s+were\s+included\s+in\s+the\s+merge", re.I)
# "using [org/x](url) as a base": the id, the rest of its token, then the phrase. Matched
# in a bounded window after each "using" so no pattern backtracks over a long token.
_USING = compiled(r"\busing\s+", re.I)
_AS_BASE_ID = compiled(r"[\[`*]*(" + _ID + r")")
_AS_BASE_TAIL = compiled(r"\s+as\s+(?:a|the)\s+base\b", re.I)
_NON_SPACE = compiled(r"\S*")
_SENTENCE_END = compiled(r"[.!?]\s")
# how far after a trigger an id is looked for: a sentence, not the rest of a long line
WINDOW = 500
_BULLET = compiled(r"^\s*[*\-+]\s+")


@record(frozen=True)
class ProseBase:
    """A base model the card's prose names, with the line that names it."""
    repo_id: str
    relation: str | None  # the relation the phrase implies, if any
    line: int  # 1-based line of README.md
    text: str  # the line, stripped


def _clean(repo_id: str) -> str:
    return repo_id.rstrip(".,;:)]`*'\"")


def _plausible(repo_id: str) -> bool:
    org, _, name = repo_id.partition("/")
    if org.lower() in _NOT_REPOS or not name:
        return False
    # "and/or", "w/o": short all-letter pairs are words, not repos
    return not ((org + name).isalpha() and len(org) + len(name) < 8)


def _ids_in(line: str, start: int, several: bool) -> list[str]:
    """Ids right after a trigger ending at `start`; for merges, every id in the sentence."""
    text = line[start : start + WINDOW]
    found: list[str] = []
    lead = _LEAD.match(text)
    if lead and not _OTHER_LINK.match(text, lead.end()):
        found.append(_clean(lead.group(1)))
    if several:
        sentence = text
    else:
        end = _SENTENCE_END.search(text)
        sentence = text[: end.start() + 1 if end else 300][:300]
    found += [_clean(m.group(1)) for m in _URL.finditer(sentence)]
    if several:
        found += [_clean(m.group(1)) for m in re.finditer(r"[\[`]+(" + _ID + r")[\]`]+", sentence)]
    out = []
    for repo_id in found:
        if _plausible(repo_id) and repo_id not in out:
            out.append(repo_id)
    return out if several else out[:1]


def _as_base(line: str) -> list[str]:
    out = []
    for m in _USING.finditer(line):
        window = line[m.end() : m.end() + WINDOW]
        ident = _AS_BASE_ID.match(window)
        if ident is None:
            continue
        rest = _NON_SPACE.match(window, ident.end())
        if rest is not None and _AS_BASE_TAIL.match(window, rest.end()):
            out.append(_clean(ident.group(1)))
    return out


def unfenced_lines(body: str) -> Iterable[tuple[int, str]]:
    """(index, line) of the body's lines outside fenced code blocks."""
    fenced = False
    for i, line in enumerate(body.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            yield i, line


def find_bases(body: str, first_line: int = 1, exclude: Iterable[str] = ()) -> list[ProseBase]:
    """Base-model ids named in card prose, in order of appearance."""
    skip = {e.lower() for e in exclude}
    out: list[ProseBase] = []
    seen: set[str] = set()
    in_merge_list = False

    def add(repo_id: str, relation: str | None, i: int, line: str) -> None:
        if repo_id.lower() in skip or repo_id.lower() in seen:
            return
        seen.add(repo_id.lower())
        out.append(ProseBase(repo_id, relation, first_line + i, line.strip()))

    for i, line in unfenced_lines(body):
        if in_merge_list:
            if bullet := _BULLET.match(line):
                for repo_id in _ids_in(line, bullet.end(), several=True):
                    add(repo_id, "merge", i, line)
                continue
            if line.strip():
                in_merge_list = False
        if _MERGE_LIST.search(line):
            in_merge_list = True
        for repo_id in _as_base(line):
            add(repo_id, "merge", i, line)
        for pattern, relation, several in TRIGGERS:
            for m in pattern.finditer(line):
                for repo_id in _ids_in(line, m.end(), several):
                    add(repo_id, relation, i, line)
    return out
