"""Bases named by training configs shown in the card.

Axolotl and LLaMA-Factory write their config into the model card they generate
("```yaml\\nbase_model: mistralai/Mistral-7B-v0.1 …"); the config's `base_model` /
`model_name_or_path` is the model that was trained, often as a local path.
"""

from __future__ import annotations

from compliance.records import record
from compliance.regex_cache import compiled

_FENCE = compiled(r" {0,3}(`{3,}|~{3,})")
_KEY = compiled(r"(base_model|model_name_or_path)[ \t]*:[ \t]*['\"]?([^\s'\"#]{1,300})")
_BLOCK_LINES = 2000


@record(frozen=True)
class ConfigBase:
    """A base model named by a training configuration quoted in the card."""

    value: str  # as written: a Hub id or a local path
    key: str  # "base_model" | "model_name_or_path"
    line: int  # 1-based line of the card


def config_bases(body: str, first_line: int = 1) -> list[ConfigBase]:
    """`base_model` / `model_name_or_path` at the top level of fenced YAML blocks."""
    out: list[ConfigBase] = []
    fence: str | None = None
    in_block = 0
    for i, line in enumerate(body.splitlines()):
        m = _FENCE.match(line[:40])
        if m:
            fence = None if fence else m.group(1)[0]
            in_block = 0
            continue
        if fence is None:
            continue
        in_block += 1
        if in_block > _BLOCK_LINES:
            continue
        key = _KEY.match(line[:400])  # top level only: no indentation
        if key and not key.group(2).startswith(("$", "{")):
            out.append(ConfigBase(key.group(2), key.group(1), first_line + i))
    return out
