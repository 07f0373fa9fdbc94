"""Bounded parsing of untrusted YAML, JSON and text.

This is the only module that parses YAML/JSON/text taken from an audited
repo. Every loader returns a `Loaded` (value + structured error) and never
raises for bad content: the caller turns `Loaded.error` into a facts Problem.

Bounds, and why:
- input size: callers read with a cap, and the loaders refuse anything larger,
  so a hostile file cannot make us hold or scan gigabytes;
- nesting depth: PyYAML's constructor and `json` recurse per level, so a
  10k-deep document would hit RecursionError (or worse, the C stack);
- expanded node count (YAML): aliases let a few hundred bytes describe
  billions of nodes ("billion laughs"); anything that walks the result
  (reporters, JSON output) would expand them. Recursive aliases are refused
  for the same reason (they construct self-referencing lists).

Depth and size are measured on the parser's event stream, before anything is
composed or constructed; libyaml's (and PyYAML's) parser is iterative, so
the measuring pass is itself bounded.

A YAML document that parsed cleanly is remembered by `compliance.parse_cache`
(keyed by a digest of its text and the limits), so an unchanged model card is
not parsed again on the next run.
"""

from __future__ import annotations

import functools
import gc
import json
from typing import Any

from compliance import parse_cache
from compliance.records import field, record

MAX_YAML_BYTES = 1 << 20  # 1 MiB: front matter, mergekit and .modelcheck.yaml are tiny
MAX_JSON_BYTES = 16 << 20  # 16 MiB: big enough for a safetensors index of a huge model
MAX_DEPTH = 64  # real metadata nests < 10 levels
MAX_YAML_NODES = 100_000  # after alias expansion


@functools.lru_cache(maxsize=1)
def _yaml() -> tuple[Any, type]:
    """PyYAML and our loader class, imported on first use: a warm audit whose YAML is
    answered by `parse_cache` never pays for the import."""
    import yaml

    base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        """Safe loader whose values stay JSON-compatible (str, not date/bytes)."""

    def scalar_as_text(loader: Any, node: Any) -> str:
        return str(loader.construct_scalar(node))

    # Why: dates and !!binary would reach JSON reporters as non-serialisable objects.
    Loader.add_constructor("tag:yaml.org,2002:timestamp", scalar_as_text)
    Loader.add_constructor("tag:yaml.org,2002:binary", scalar_as_text)
    return yaml, Loader


@record(frozen=True)
class LoadError:
    """Why a file (or part of one) could not be loaded."""

    file: str  # repo-relative path
    line: int | None  # 1-based line in `file`, when known
    message: str  # one line, without the file:line prefix

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@record
class Loaded:
    """The result of a bounded parse: a value, or the error that stopped it."""
    value: Any = None
    error: LoadError | None = None
    # YAML only: top-level mapping key -> 1-based line in the file
    key_lines: dict[str, int] = field(default_factory=dict)


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# ---------------------------------------------------------------- text


def _trim_incomplete_utf8(data: bytes) -> bytes:
    """Drop a multi-byte sequence cut in half by a capped read."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # a lead byte (or ASCII)
            need = (
                1 if byte < 0x80 else 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4
            )
            return data[:-back] if need > back else data
    return data


def decode_text(data: bytes, file: str, *, truncated: bool = False) -> tuple[str, LoadError | None]:
    """UTF-8 text; invalid bytes are replaced and reported. A leading BOM is
    dropped (the Hub's front-matter regex runs in JavaScript, where \\s matches it)."""
    if truncated:
        data = _trim_incomplete_utf8(data)
    error: LoadError | None = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        text = data.decode("utf-8", errors="replace")
        line = data[: e.start].count(b"\n") + 1
        error = LoadError(
            file, line, f"not valid UTF-8 (byte {e.start}); read with replacement characters"
        )
    return text.removeprefix("\ufeff"), error


def _bounded_text(data: str | bytes, file: str, max_bytes: int, what: str) -> str | LoadError:
    """`data` as text, or why it is not parsed: larger than `max_bytes` (counted in UTF-8
    bytes either way) or not valid UTF-8 (a parser must not see replacement characters)."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8"))
    if size > max_bytes:
        return LoadError(file, None, f"{what} larger than {max_bytes} bytes; not parsed")
    if isinstance(data, str):
        return data
    text, err = decode_text(data, file)
    return text if err is None else err


# ---------------------------------------------------------------- YAML


def _measure_yaml(loader: Any, max_depth: int, max_nodes: int) -> str | None:
    """Walk the event stream; return why the document is too big, or None.

    Tracks, per anchor, the expanded size and height of its node so an alias
    counts as everything it stands for.
    """
    yaml, _ = _yaml()
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (expanded nodes, height)
    open_anchors: set[str] = set()
    stack: list[list[Any]] = []  # [anchor, nodes at start, max child height]
    total = 0

    def add_leaf(nodes: int, height: int) -> None:
        nonlocal total
        total += nodes
        if stack:
            stack[-1][2] = max(stack[-1][2], height)

    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                return f"recursive alias *{event.anchor}"
            nodes, height = sizes.get(event.anchor, (1, 1))
            if len(stack) + height > max_depth:
                return f"nesting deeper than {max_depth} levels (through alias *{event.anchor})"
            add_leaf(nodes, height)
        elif isinstance(event, yaml.ScalarEvent):
            add_leaf(1, 1)
            if event.anchor:
                sizes[event.anchor] = (1, 1)
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= max_depth:
                return f"nesting deeper than {max_depth} levels"
            total += 1
            stack.append([event.anchor, total - 1, 0])
            if event.anchor:
                open_anchors.add(event.anchor)
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start, child_height = stack.pop()
            height = child_height + 1
            if anchor:
                open_anchors.discard(anchor)
                sizes[anchor] = (total - start, height)
            if stack:
                stack[-1][2] = max(stack[-1][2], height)
        if total > max_nodes:
            return f"more than {max_nodes} nodes once aliases are expanded"
    return None


def _yaml_error(e: Exception, file: str, first_line: int) -> LoadError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    line = first_line + mark.line if mark is not None else None
    problem = getattr(e, "problem", None)
    context = getattr(e, "context", None)
    message = str(e)
    if problem:
        message = f"{context}: {problem}" if context else problem
    return LoadError(file, line, _one_line(message))


def load_yaml(
    data: str | bytes,
    file: str,
    *,
    first_line: int = 1,
    max_bytes: int = MAX_YAML_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_YAML_NODES,
    remember: bool = True,
) -> Loaded:
    """Parse one YAML document safely and within bounds.

    `first_line` is the line of `file` where `data` starts (front matter sits
    below the opening `---`), so error lines and `key_lines` cite the file.
    An empty document loads as None. `remember=False` keeps the result out of
    `parse_cache` (for callers with a cache of their own).
    """
    text = _bounded_text(data, file, max_bytes, "YAML")
    if isinstance(text, LoadError):
        return Loaded(error=text)
    cache_key = parse_cache.key(text, first_line, max_depth, max_nodes) if remember else None
    hit = parse_cache.get(cache_key) if cache_key else None
    if hit is not None:
        return Loaded(value=hit[0], key_lines=hit[1])
    yaml, loader_class = _yaml()
    try:
        measurer = loader_class(text)
        try:
            too_big = _measure_yaml(measurer, max_depth, max_nodes)
        finally:
            measurer.dispose()
        if too_big:
            return Loaded(error=LoadError(file, None, f"YAML refused: {too_big}"))
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            if node is None:
                if cache_key:
                    parse_cache.put(cache_key, None, {})
                return Loaded()
            value = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        return Loaded(error=_yaml_error(e, file, first_line))
    except (RecursionError, ValueError, TypeError) as e:  # belt and braces: never a traceback
        return Loaded(error=LoadError(file, None, _one_line(f"YAML not loadable: {e}")))
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_lines.setdefault(str(key_node.value), first_line + key_node.start_mark.line)
    if cache_key:
        parse_cache.put(cache_key, value, key_lines)
    return Loaded(value=value, key_lines=key_lines)


# ---------------------------------------------------------------- JSON

_SCAN_CHUNK = 1 << 20  # bytes split at a time: bounds the pieces `split` holds at once
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_OPENS = frozenset(b"[{")


def _json_depth_exceeds(data: bytes, max_depth: int) -> bool:
    """True if brackets outside strings nest deeper than `max_depth`.

    Why a pre-scan: the json module recurses per level, so a 100k-deep array would
    otherwise end in RecursionError. Each step is a linear C-level bytes operation
    (replace, translate, split, join) plus one Python step per bracket; no regex, so
    no per-character matcher state over a megabyte string. Working on bytes is exact
    for UTF-8, whose multi-byte sequences never contain an ASCII byte.
    """
    if data.count(b"[") + data.count(b"{") <= max_depth:
        return False
    if b"\\" in data:
        # Escapes pair left to right (what `replace` does), so once every escaped
        # backslash and then every escaped quote is dropped, each quote left opens or
        # closes a string.
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    depth = 0
    in_string = False
    for start in range(0, len(data), _SCAN_CHUNK):
        # only quotes and brackets are kept, so most pieces are empty or one byte
        pieces = data[start : start + _SCAN_CHUNK].translate(None, _NOT_STRUCTURE).split(b'"')
        outside = b"".join(pieces[1::2] if in_string else pieces[0::2])
        if len(pieces) % 2 == 0:  # an odd number of quotes: the chunk ends in the other state
            in_string = not in_string
        del pieces
        for byte in outside:
            if byte in _OPENS:
                depth += 1
                if depth > max_depth:
                    return True
            else:
                depth -= 1
    return False


def _json_loads_without_gc(text: str) -> Any:
    """json.loads with the cycle collector paused: parsed JSON holds no cycles, so the
    collections that tens of thousands of new containers would trigger find nothing
    (and would otherwise double the time for a 50,000-tensor header)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return json.loads(text)
    finally:
        if was_enabled:
            gc.enable()


def load_json(
    data: str | bytes,
    file: str,
    *,
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Loaded:
    """Parse JSON safely and within bounds."""
    text = _bounded_text(data, file, max_bytes, "JSON")
    if isinstance(text, LoadError):
        return Loaded(error=text)
    raw = data if isinstance(data, bytes) else text.encode("utf-8")
    if _json_depth_exceeds(raw, max_depth):
        return Loaded(
            error=LoadError(file, None, f"JSON refused: nesting deeper than {max_depth} levels")
        )
    try:
        return Loaded(value=_json_loads_without_gc(text))
    except json.JSONDecodeError as e:
        return Loaded(error=LoadError(file, e.lineno, _one_line(f"not valid JSON: {e.msg}")))
    except (RecursionError, ValueError) as e:  # e.g. int too long to convert
        return Loaded(error=LoadError(file, None, _one_line(f"not valid JSON: {e}")))
