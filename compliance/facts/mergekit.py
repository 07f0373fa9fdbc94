"""Merge recipes: `mergekit_config.yml` and the YAML block mergekit writes into cards.

`models` lists every model named by `models[].model`, `slices[].sources[].model`
and (mergekit-moe) `experts[].source_model`, as written (mergekit's
`org/name+lora` form is kept whole; lineage splits it). A mergekit-moe recipe
has no `merge_method`; it is recorded as "moe".
"""

from __future__ import annotations

import re
from typing import Any

from compliance import safeload
from compliance.facts.context import RepoContext
from compliance.facts.model import MergeFacts
from compliance.regex_cache import compiled

CONFIG_FILES = ("mergekit_config.yml", "mergekit_config.yaml")
_CAP = 256 << 10
MERGE_KEYS = ("models", "merge_method", "slices", "experts")

_OPEN_FENCE = compiled(r"^ {0,3}(`{3,}|~{3,})[ \t]*(\w*)")


def _model_name(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        for key in ("model", "source_model", "path"):
            value = entry.get(key)
            if isinstance(value, str):
                return value
            if isinstance(value, dict):
                return _model_name(value)
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def merge_from_mapping(data: dict[str, Any], file: str, line: int | None) -> MergeFacts:
    names: list[str | None] = [_model_name(e) for e in _list(data.get("models"))]
    for piece in _list(data.get("slices")):
        if isinstance(piece, dict):
            names += [_model_name(src) for src in _list(piece.get("sources"))]
    names += [_model_name(e) for e in _list(data.get("experts"))]
    models: list[str] = []
    for name in names:
        if name and name not in models:
            models.append(name)
    method = data.get("merge_method")
    if not isinstance(method, str):
        method = "moe" if "experts" in data else None
    base = data.get("base_model")
    return MergeFacts(
        file=file,
        line=line,
        merge_method=method,
        base_model=_model_name(base) if base is not None else None,
        models=models,
    )


def read_merge_config(ctx: RepoContext) -> list[MergeFacts]:
    out: list[MergeFacts] = []
    for path in CONFIG_FILES:
        loaded = ctx.read_yaml(path, _CAP)
        if loaded is None or loaded.error is not None:
            continue
        if not isinstance(loaded.value, dict):
            ctx.problem("metadata-invalid", path, f"{path}: not a YAML mapping; not read")
            continue
        out.append(merge_from_mapping(loaded.value, path, None))
    return out


def _yaml_blocks(lines: list[str]) -> list[tuple[int, str]]:
    """(index of the opening fence, block text) of each ```yaml / ```yml block."""
    blocks: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        m = _OPEN_FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(1), m.group(2).lower()
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = i + 1
        while end < len(lines) and not close.match(lines[end]):
            end += 1
        if lang in ("yaml", "yml"):
            blocks.append((i, "\n".join(lines[i + 1 : end])))
        i = end + 1
    return blocks


def merges_from_card(
    ctx: RepoContext, path: str, lines: list[str], first_line: int
) -> list[MergeFacts]:
    """Merge recipes in a card body; `lines[0]` is line `first_line` of `path`."""
    out: list[MergeFacts] = []
    key_line = re.compile(rf"^({'|'.join(MERGE_KEYS)})\s*:", re.M)
    for index, text in _yaml_blocks(lines):
        if not key_line.search(text):
            continue
        fence_line = first_line + index
        loaded = safeload.load_yaml(text, path, first_line=fence_line + 1)
        if loaded.error is not None:
            ctx.load_error(loaded.error, " (mergekit YAML block)")
            continue
        if isinstance(loaded.value, dict):
            out.append(merge_from_mapping(loaded.value, path, fence_line))
    return out
