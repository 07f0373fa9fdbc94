"""Add a sentence to the end of a text file (the card body, a NOTICE file), in its own
paragraph and in the file's own line-ending style; everything before it stays as it was."""

from __future__ import annotations

import re

_NEWLINE = re.compile(r"\r\n|\r|\n")


def newline_of(text: str) -> str:
    m = _NEWLINE.search(text)
    return m.group(0) if m else "\n"


def append_paragraphs(text: str, sentences: list[str]) -> str:
    """`text` followed by each sentence as its own paragraph (one blank line before it)."""
    if not sentences:
        return text
    nl = newline_of(text)
    out = text
    if out and not out.endswith(("\n", "\r")):
        out += nl
    for sentence in sentences:
        if out.strip():
            out += nl
        out += sentence + nl
    return out


def append_lines(text: str, lines: list[str]) -> str:
    """`text` followed by each line (a NOTICE file: one notice per line)."""
    if not lines:
        return text
    nl = newline_of(text)
    out = text
    if out and not out.endswith(("\n", "\r")):
        out += nl
    return out + "".join(line + nl for line in lines)
