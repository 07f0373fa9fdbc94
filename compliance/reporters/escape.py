"""Make untrusted text (model cards, file names, metadata) inert in Markdown.

A report is pasted into GitHub / Hub PR comments, so text read from an audited
repo must not be able to add headings, links, HTML, table cells, mentions or
Mermaid directives. Everything here returns a single line.
"""

from __future__ import annotations

import re

# C0/C1 controls plus the Unicode bidi overrides ("Trojan Source") and zero-width
# joiners an attacker could use to make text read differently from what it is.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
_WHITESPACE_RUN = re.compile(r"[\t\r\n]+")
# Inline markup that can appear anywhere in a line: code, emphasis, links,
# strikethrough, table cells, math. `<`, `>` and `&` become entities (HTML).
# Intraword "_" (base_model) is left alone: GFM never treats it as emphasis.
_MD_SPECIAL = re.compile(r"([\\`*\[\]|~$])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# Block markup only matters at the start of a line: ATX headings ("# " to "###### "),
# list items ("- ", "+ ", "1. ", "1) "), thematic breaks and setext underlines ("---",
# "==="). Escaping the marker's last character defuses each.
_BLOCK_START = re.compile(r"^(#+|-+|=+|\+|\d+[.)])(?=\s|$)")
_ZWSP = "\u200b"


def clean(text: object, limit: int | None = None) -> str:
    """One line of printable text: controls stripped, newlines and tabs as spaces,
    cut to `limit` characters with an ellipsis."""
    s = "" if text is None else str(text)
    s = _WHITESPACE_RUN.sub(" ", s)
    s = INVISIBLE.sub("", s).strip()
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)].rstrip() + "…"
    return s


def _inline(s: str) -> str:
    """Escape inline markup in already-clean text (no stripping, no block check)."""
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), s)
    # "@user" would notify someone on GitHub; a zero-width space breaks the mention.
    return s.replace("@", "@" + _ZWSP)


def _block_safe(s: str) -> str:
    return _BLOCK_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], s)


def md(text: object, limit: int | None = None) -> str:
    """Escape `text` for use anywhere in Markdown prose, headings, lists and table
    cells (`|` is escaped too)."""
    return _block_safe(_inline(clean(text, limit)))


def code(text: object, limit: int | None = 200, table: bool = False) -> str:
    """`text` as an inline code span that cannot be closed early. Pass `table=True`
    inside a table cell: GFM splits cells on `|` even inside code spans."""
    s = clean(text, limit)
    if table:
        s = s.replace("|", "\\|")
    if not s:
        return "` `"
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or longest else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def mermaid(text: object, limit: int | None = 80) -> str:
    """Text for a quoted Mermaid label: anything but plain word characters becomes
    a `#NNN;` entity, so no quote, bracket, HTML or directive gets through."""
    out = []
    for ch in clean(text, limit):
        if ch.isascii() and (ch.isalnum() or ch in " .-_/:+,"):
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


def prose(text: object, limit: int | None = None, table: bool = False) -> str:
    """Like `md`, but balanced `backtick` pairs stay code spans, as rule messages
    write culprits ("The card declares `apache-2.0`"). The text between is still
    untrusted: each span goes through `code` and the rest is escaped like `md`."""
    s = clean(text, limit)
    parts = s.split("`")
    if len(parts) % 2 == 0 or len(parts) == 1:  # no or unbalanced backticks
        return md(s)
    out = "".join(
        code(p, None, table) if i % 2 else _inline(p) for i, p in enumerate(parts)
    )
    return _block_safe(out)
