"""Card metadata that is not where the Hub looks for it.

The Hub reads front matter only from the very start of README.md. Real cards also put the
block after the first heading, or paste it inside a ```yaml code fence. The Hub ignores
those, so the model shows no licence there; the block still says what the author meant, so
modelcheck reads it and reports that it is misplaced.
"""

from __future__ import annotations

import re
from typing import Any

from compliance import safeload
from compliance.records import record

_SCAN_LINES = 120  # a misplaced block sits near the top of the card
_BLOCK_LINES = 400
_DASHES = re.compile(r"---[ \t]*")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*(yaml|yml)?[ \t]*")
# keys that make a YAML block card metadata rather than an example config
CARD_KEYS = frozenset({
    "license", "license_name", "license_link", "base_model", "base_model_relation",
    "tags", "datasets", "language", "pipeline_tag", "library_name", "model-index",
})  # fmt: skip


@record
class Recovered:
    """Card metadata found outside the front matter, and where."""

    metadata: dict[str, Any]
    key_lines: dict[str, int]
    line: int  # 1-based line of the card where the block starts
    where: str  # "after the first heading", "inside a code fence"


def _parse(
    lines: list[str], start: int, path: str, need_license: bool = False
) -> tuple[dict[str, Any], dict[str, int]] | None:
    text = "\n".join(lines)
    loaded = safeload.load_yaml(text, path, first_line=start)
    value = loaded.value if loaded.error is None else None
    if not isinstance(value, dict) or not CARD_KEYS & {str(k) for k in value}:
        return None
    if need_license and "license" not in value:
        return None  # a training config shown in the card (axolotl), not its metadata
    return value, loaded.key_lines


def _block_end(lines: list[str], start: int, closing: re.Pattern[str]) -> int | None:
    for j in range(start, min(len(lines), start + _BLOCK_LINES)):
        if len(lines[j]) <= 40 and closing.fullmatch(lines[j]):
            return j
    return None


def recover(lines: list[str], path: str, first_line: int = 1) -> Recovered | None:
    """The first card-metadata block in the first lines of the card, if any."""
    seen_text = False
    for i, line in enumerate(lines[:_SCAN_LINES]):
        fence = _FENCE_OPEN.fullmatch(line) if len(line) <= 40 else None
        if fence:
            closing = re.compile(
                rf" {{0,3}}{re.escape(fence.group(1)[0])}{{{len(fence.group(1))},}}[ \t]*"
            )
            end = _block_end(lines, i + 1, closing)
            if end is None:
                return None
            body = [x for x in lines[i + 1 : end] if not (len(x) <= 40 and _DASHES.fullmatch(x))]
            parsed = _parse(body, first_line + i + 1, path, need_license=True)
            if parsed:
                return Recovered(*parsed, first_line + i, "inside a code fence")
            seen_text = True
            continue
        if len(line) <= 40 and _DASHES.fullmatch(line) and seen_text:
            end = _block_end(lines, i + 1, _DASHES)
            if end is not None:
                parsed = _parse(lines[i + 1 : end], first_line + i + 1, path)
                if parsed:
                    return Recovered(*parsed, first_line + i, "after other text")
        if line.strip():
            seen_text = True
    return None
