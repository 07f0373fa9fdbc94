"""The model card: README.md front matter, body, first heading, merge recipe.

`Card.metadata` is the front matter exactly as parsed. Values of the
keys checked here that have the wrong type (or a `base_model` that is not a
repo id) are reported as `metadata-invalid` problems and left in place; the
typed accessors on `Card` return only well-typed values.
"""

from __future__ import annotations

import re
from typing import Any

from compliance import safeload
from compliance.facts.context import RepoContext, clip
from compliance.facts.legacy_ids import canonical_legacy_id
from compliance.facts.local_path import looks_local
from compliance.facts.mergekit import merges_from_card
from compliance.facts.model import Card, MergeFacts
from compliance.regex_cache import compiled
from compliance.repo_id import is_valid_repo_id

CARD_CAP = 1 << 20  # 1 MiB; real cards are < 100 KiB

# Same pattern as huggingface_hub.repocard.REGEX_YAML_BLOCK ("exact same regex
# as in the Hub server"); copied because importing repocard pulls in hf_api.
REGEX_YAML_BLOCK = compiled(
    r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))"
)
_OPENING = compiled(r"^\s*---(?:\r\n|\r|\n)")  # group 1 of the regex above
_LINE_BREAK = compiled(r"\r\n|\r|\n")
# the closing `#` sequence is removed in code: a lazy group before optional trailing
# blanks backtracks quadratically on a long run of spaces
_ATX_H1 = compiled(r" {0,3}#[ \t]")
_SETEXT_H1 = compiled(r"^ {0,3}=+[ \t]*$")
_FENCE = compiled(r"^ {0,3}(`{3,}|~{3,})")

STRING_KEYS = (
    "license_name",
    "license_link",
    "model_name",
    "base_model_relation",
    "pipeline_tag",
    "library_name",
)
STRING_OR_LIST_KEYS = ("license", "tags", "datasets", "base_model")
BASE_MODEL_RELATIONS = ("adapter", "merge", "quantized", "finetune")


def card_path(paths: list[str]) -> str | None:
    """README.md, else a root file named readme.md in any case."""
    if "README.md" in paths:
        return "README.md"
    return next((p for p in sorted(paths) if p.lower() == "readme.md"), None)


def line_at(text: str, index: int) -> int:
    """1-based line of `text[index]`."""
    return len(_LINE_BREAK.findall(text, 0, index)) + 1


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


# First headings that name a section or a template placeholder, not the model
GENERIC_HEADINGS = frozenset({
    "model overview", "overview", "introduction", "model card", "model card for model id",
    "model id", "uploaded model", "model description", "model details", "model information",
    "model summary", "summary", "description", "about", "readme", "usage", "quickstart",
    "quick start", "table of contents", "license", "model", "abstract", "news", "updates",
})  # fmt: skip
_IMAGE = compiled(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)")
_LINK = compiled(r"\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)")
_TAG = compiled(r"<[^<>\n]{0,500}>")
_MODEL_CARD_FOR = compiled(r"model\s+card\s+(?:for|of)\s+", re.I)


def heading_name(raw: str) -> str | None:
    """The model's name in a first heading: Markdown decoration removed, "Model Card
    for X" reduced to X; None for a generic or placeholder heading."""
    text = _TAG.sub("", _LINK.sub(r"\1", _IMAGE.sub("", raw[:2000])))
    text = text.replace("**", "").replace("__", "").replace("`", "").strip()
    text = " ".join(text.split()).strip("*_ \t:")
    m = _MODEL_CARD_FOR.match(text)
    if m:
        text = text[m.end() :].strip("*_ \t:")
    if not text or text.lower() in GENERIC_HEADINGS or not any(c.isalnum() for c in text):
        return None
    return text


def _atx_text(rest: str) -> str:
    """An ATX heading's text without its optional closing `#` sequence."""
    text = rest.strip(" \t\r\n")
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare.rstrip(" \t")
    return text.strip()


def first_heading(lines: list[str]) -> str | None:
    """The first level-1 heading (`# Title`, or `Title` underlined with `===`) outside
    fenced code blocks that names a model (generic headings are skipped)."""
    fence: str | None = None
    previous = ""
    for line in lines:
        m = _FENCE.match(line)
        if m and (fence is None or m.group(1).startswith(fence)):
            fence = None if fence else m.group(1)[0] * 3
            previous = ""
            continue
        if fence:
            continue
        atx = _ATX_H1.match(line)
        if atx and (text := heading_name(_atx_text(line[atx.end() :]))):
            return text
        if _SETEXT_H1.match(line) and (text := heading_name(previous.strip())):
            return text
        previous = line
    return None


def _check_metadata(
    ctx: RepoContext, path: str, meta: dict[str, Any], lines: dict[str, int]
) -> None:
    def bad(key: str, message: str, seen: object) -> None:
        line = lines.get(key)
        where = f"{path}:{line}" if line else path
        ctx.problem(
            "metadata-invalid", path, f"{where}: {message}", line=line, key=f"card:{key}", seen=seen
        )

    for key in STRING_KEYS:
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            bad(key, f"`{key}` should be a string, found {_type_name(value)}", value)
    for key in STRING_OR_LIST_KEYS:
        value = meta.get(key)
        items = value if isinstance(value, list) else [value]
        if value is not None and not all(isinstance(v, str) for v in items):
            bad(key, f"`{key}` should be a string or a list of strings", value)
    base = meta.get("base_model")
    for item in base if isinstance(base, list) else [base]:
        if isinstance(item, str) and canonical_legacy_id(item):
            continue  # served by the Hub under its new org
        if isinstance(item, str) and (looks_local(item) or not is_valid_repo_id(item)):
            local = ": it is a local path, which the Hub will not link" if looks_local(item) else ""
            bad(
                "base_model",
                f"base_model {clip(item, 100)!r} is not a valid repo id (expected org/name)"
                + local,
                item,
            )
    relation = meta.get("base_model_relation")
    if isinstance(relation, str) and relation not in BASE_MODEL_RELATIONS:
        bad(
            "base_model_relation",
            f"base_model_relation {clip(relation, 60)!r} is not one of "
            + ", ".join(BASE_MODEL_RELATIONS),
            relation,
        )
    index = meta.get("model-index")
    if index is not None and not (
        isinstance(index, list)
        and all(isinstance(e, dict) and isinstance(e.get("name"), str) for e in index)
    ):
        bad(
            "model-index",
            "`model-index` should be a list of entries, each with a string `name`",
            index,
        )


def _misplaced(ctx: RepoContext, path: str, text: str, card: Card) -> None:
    """A metadata block the Hub will not read (after a heading, in a code fence): read it,
    and say that the Hub ignores it."""
    from compliance.facts.front_matter_recovery import recover  # a rare card needs it

    found = recover(_LINE_BREAK.split(text[: 64 * 1024]), path)
    if found is None:
        return
    ctx.problem(
        "metadata-invalid",
        path,
        f"{path}:{found.line}: the card's metadata block is {found.where}, not at the very "
        "start of the file: the Hub ignores it (no licence or base model shows there); "
        "modelcheck read it anyway. Move it to the first line, between `---` lines.",
        line=found.line,
    )
    card.metadata = found.metadata
    card.metadata_lines = found.key_lines
    _check_metadata(ctx, path, card.metadata, card.metadata_lines)


def _front_matter(ctx: RepoContext, path: str, text: str, card: Card) -> None:
    m = REGEX_YAML_BLOCK.search(text)
    if m is None:
        if _OPENING.match(text):
            ctx.problem(
                "metadata-invalid",
                path,
                f"{path}:1: front matter starts with `---` but is never closed"
                + (f" within the first {CARD_CAP} bytes" if card.truncated else ""),
                line=1,
            )
        card.body, card.body_start_line = text, 1
        _misplaced(ctx, path, text, card)
        return
    card.body = text[m.end() :]
    card.body_start_line = line_at(text, m.end())
    yaml_line = line_at(text, m.start(2))
    loaded = safeload.load_yaml(m.group(2), path, first_line=yaml_line)
    if loaded.error is not None:
        error = loaded.error
        where = f"{path}:{error.line}" if error.line else path
        ctx.problem(
            "metadata-invalid",
            path,
            f"{where}: front matter is not valid YAML: {error.message}",
            line=error.line,
        )
        return
    if loaded.value is None:
        return  # empty front matter
    if not isinstance(loaded.value, dict):
        ctx.problem(
            "metadata-invalid",
            path,
            f"{path}:{yaml_line}: front matter is not a mapping (found {_type_name(loaded.value)})",
            line=yaml_line,
        )
        return
    card.metadata = loaded.value
    card.metadata_lines = loaded.key_lines
    _check_metadata(ctx, path, card.metadata, card.metadata_lines)


def read_card(ctx: RepoContext) -> tuple[Card, list[MergeFacts]]:
    path = card_path(ctx.paths())
    if path is None:
        return Card(), []
    read = ctx.read_text(path, CARD_CAP)
    if read is None:
        return Card(path=path), []
    card = Card(present=True, path=path, truncated=read.truncated)
    if read.truncated:
        ctx.notes.append(f"{path} is larger than {CARD_CAP} bytes; only its start was read.")
    _front_matter(ctx, path, read.text, card)
    lines = _LINE_BREAK.split(card.body)
    card.first_heading = first_heading(lines)
    return card, merges_from_card(ctx, path, lines, card.body_start_line)
