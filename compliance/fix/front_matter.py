"""Set keys in a model card's YAML front matter by editing lines, never re-dumping YAML.

Every byte outside the lines of the keys being set stays as it was: comments, key
order, quoting, line endings, the body. The edited front matter is parsed again and
must equal the old mapping with exactly the new values, or the edit is refused.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from compliance import safeload
from compliance.facts.card import REGEX_YAML_BLOCK
from compliance.fix.errors import FixRefused

Value = str | list[str]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_NEWLINE = re.compile(r"\r\n|\r|\n")
# keys that belong together: a new one goes after the last present member of its group
_GROUPS = (("license", "license_name", "license_link"), ("base_model", "base_model_relation"))


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


def _terminator(line: str) -> str:
    m = _NEWLINE.search(line)
    return m.group(0) if m else ""


def _key_line(key: str) -> re.Pattern[str]:
    quoted = "|".join(re.escape(k) for k in (key, f'"{key}"', f"'{key}'"))
    return re.compile(rf"^(?:{quoted})[ \t]*:(?:[ \t]|\r|\n|$)")


def _continues(line: str) -> bool:
    """A line that belongs to the value of the key above it (indented, or a list item)."""
    return line[:1] in (" ", "\t") or (line.startswith("-") and not line.startswith("---"))


def _block(lines: list[str], start: int) -> int:
    """End (exclusive) of the key's lines starting at `start`."""
    end = start + 1
    while end < len(lines):
        if _continues(lines[end]):
            end += 1
            continue
        if not lines[end].strip():  # blank lines inside a value, if the value goes on
            nxt = end
            while nxt < len(lines) and not lines[nxt].strip():
                nxt += 1
            if nxt < len(lines) and _continues(lines[nxt]):
                end = nxt
                continue
        break
    return end


def render_scalar(value: str) -> str:
    """`value` as a YAML scalar: plain when it reads back unchanged, else double-quoted."""
    try:
        plain_ok = yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok and value.strip() == value and value else json.dumps(value)


def _render(key: str, value: Value, nl: str) -> list[str]:
    if isinstance(value, str):
        return [f"{key}: {render_scalar(value)}{nl}"]
    return [f"{key}:{nl}"] + [f"- {render_scalar(v)}{nl}" for v in value]


def _keep_comment(old_line: str, new: list[str], value: Value) -> list[str]:
    """Keep an end-of-line comment of a one-line plain scalar (`license: mit  # why`)."""
    m = re.match(r"^[^'\"#]*?:[^'\"#]*?([ \t]+#[^\r\n]*)", old_line)
    if m and isinstance(value, str) and len(new) == 1:
        nl = _terminator(new[0])
        return [new[0][: len(new[0]) - len(nl)] + m.group(1) + nl]
    return new


def _parse(text: str, path: str, first_line: int) -> dict[str, Any]:
    loaded = safeload.load_yaml(text, path, first_line=first_line)
    if loaded.error is not None:
        where = f"{path}:{loaded.error.line}" if loaded.error.line else path
        raise FixRefused(
            f"{where}: the front matter is not valid YAML ({loaded.error.message}); "
            "fix it by hand first"
        )
    value = loaded.value if loaded.value is not None else {}
    if not isinstance(value, dict):
        raise FixRefused(f"{path}: the front matter is not a mapping; fix it by hand first")
    return value


def current(text: str, path: str = "README.md") -> dict[str, Any] | None:
    """The parsed front matter, or None when the card has none (raises when it is broken)."""
    m = REGEX_YAML_BLOCK.search(text.removeprefix("\ufeff"))
    if m is None:
        return None
    return _parse(m.group(2), path, first_line=m.group(1).count("\n") + 1)


def set_keys(text: str, values: dict[str, Value], path: str = "README.md") -> str:
    """`text` with each key of `values` set in its front matter, everything else unchanged."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    m = REGEX_YAML_BLOCK.search(body)
    if m is None:
        raise FixRefused(
            f"{path}: no YAML front matter (a `---` block at the top) to set "
            f"{', '.join(values)} in; add one first"
        )
    yaml_text = m.group(2)
    first_line = len(_NEWLINE.findall(m.group(1))) + 1
    old = _parse(yaml_text, path, first_line)
    nl = _terminator(m.group(1)) or "\n"
    lines = _lines(yaml_text)
    for key, value in values.items():
        lines = _set_one(lines, key, value, nl)
    new_yaml = "".join(lines)
    try:
        new: dict[str, Any] | None = _parse(new_yaml, path, first_line)
    except FixRefused:
        new = None
    if new != {**old, **values}:
        raise FixRefused(f"{path}: could not set {', '.join(values)} by a line edit; edit by hand")
    return bom + body[: m.start(2)] + new_yaml + body[m.end(2) :]


def _set_one(lines: list[str], key: str, value: Value, nl: str) -> list[str]:
    pattern = _key_line(key)
    at = next((i for i, line in enumerate(lines) if pattern.match(line)), None)
    if at is not None:
        end = _block(lines, at)
        new = _render(key, value, nl)
        if end - at == 1:
            new = _keep_comment(lines[at], new, value)
        if not _terminator(lines[end - 1]):  # the last line before the closing `---`
            new[-1] = new[-1][: len(new[-1]) - len(_terminator(new[-1]))]
        return lines[:at] + new + lines[end:]
    insert = len(lines)
    group = next((g for g in _GROUPS if key in g), ())
    for other in group:
        found = next((i for i, line in enumerate(lines) if _key_line(other).match(line)), None)
        if found is not None:
            insert = _block(lines, found)
    new = _render(key, value, nl)
    if insert == len(lines):
        if lines and not _terminator(lines[-1]):
            # the block's last line has no line break of its own: put one before ours
            lines = lines[:-1] + [lines[-1] + nl]
            new[-1] = new[-1][: len(new[-1]) - len(nl)]
        return lines + new
    return lines[:insert] + new + lines[insert:]
