"""Text matching shared by the check kinds, licence identification and rule loading.

Licence phrases are matched on normalised text (OBLIGATIONS.md conventions):
whitespace collapsed, curly quotes treated as straight quotes, Markdown
emphasis markers dropped, and (unless asked otherwise) case folded. Line
numbers are kept so evidence can point at the line where a phrase was seen.
"""

from __future__ import annotations

import bisect
import functools
import re

from compliance.records import record

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": None, "*": None})
_WS = re.compile(r"\s+")


def normalise(text: str, case_sensitive: bool = False) -> str:
    """Collapse whitespace, unify quotes, drop `*` and backticks; casefold unless asked not to."""
    out = _WS.sub(" ", text.translate(_QUOTES)).strip()
    return out if case_sensitive else out.casefold()


@record(frozen=True)
class IndexedText:
    """Normalised text with a map back to 1-based source lines."""

    text: str
    starts: tuple[int, ...]  # offset in `text` where each kept line starts
    lines: tuple[int, ...]  # source line number of each kept line
    raw: tuple[str, ...]  # the kept source lines, unnormalised

    @classmethod
    def build(cls, text: str, first_line: int = 1, case_sensitive: bool = False) -> IndexedText:
        parts: list[str] = []
        starts: list[int] = []
        lines: list[int] = []
        raw: list[str] = []
        pos = 0
        for i, line in enumerate(text.splitlines()):
            norm = normalise(line, case_sensitive)
            if not norm:
                continue
            starts.append(pos)
            lines.append(first_line + i)
            raw.append(line.strip())
            parts.append(norm)
            pos += len(norm) + 1  # the joining space
        return cls(" ".join(parts), tuple(starts), tuple(lines), tuple(raw))

    def find(self, phrase: str, case_sensitive: bool = False) -> tuple[int, str] | None:
        """(line, source line text) of the first occurrence of `phrase`, or None."""
        needle = normalise(phrase, case_sensitive)
        if not needle:
            return None
        at = self.text.find(needle)
        if at < 0:
            return None
        idx = max(bisect.bisect_right(self.starts, at) - 1, 0)
        return self.lines[idx], self.raw[idx]


@functools.lru_cache(maxsize=32)
def indexed(text: str, first_line: int = 1, case_sensitive: bool = False) -> IndexedText:
    """`IndexedText.build`, once per text: every card-contains / file-contains rule of an
    audit reads the same README and licence files."""
    return IndexedText.build(text, first_line, case_sensitive)


def clip(text: str, limit: int = 200) -> str:
    """Shorten quoted evidence so one long line cannot swamp a report."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
