"""The bounded loaders: depth limits that agree with the parsed value, and memory that
stays proportional to the input however a string inside it is shaped."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest
from facts.builders import safetensors_bytes, write_repo
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance import safeload
from compliance.facts.read import read_facts
from compliance.sources.local import LocalSource

# Characters that a depth scan must not mistake for structure inside a string.
TRICKY = st.text(alphabet='[]{}"\\ab\u00e9\u2028', max_size=8)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY, inner, max_size=3),
    max_leaves=30,
)


def depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.integers(min_value=0, max_value=6), st.booleans())
def test_json_depth_limit_matches_the_parsed_depth(value, limit, as_bytes):
    text = json.dumps(value, ensure_ascii=False)
    loaded = safeload.load_json(text.encode() if as_bytes else text, "x.json", max_depth=limit)
    if depth(value) > limit:
        assert loaded.error is not None and "nesting deeper than" in loaded.error.message
    else:
        assert loaded.error is None and loaded.value == value


@pytest.mark.parametrize(
    "text, deepest",
    [
        ('["[[[[[[", 1]', 1),  # brackets inside a string
        ('["\\\\", [[1]]]', 3),  # an escaped backslash ends right before the quote
        ('["\\"[[[[", 1]', 1),  # an escaped quote does not close the string
        ('["\\\\\\"[[[[", 1]', 1),  # backslash, then escaped quote
        ("[" * 200 + "]" * 200, 200),
    ],
)
def test_json_depth_edge_cases(text, deepest):
    assert safeload.load_json(text, "x.json", max_depth=deepest).error is None
    refused = safeload.load_json(text, "x.json", max_depth=deepest - 1).error
    assert refused is not None and "nesting deeper than" in refused.message


def test_json_100k_deep_is_refused_not_a_recursion_error():
    loaded = safeload.load_json("[" * 100_000 + "]" * 100_000, "x.json")
    assert loaded.error is not None and "nesting deeper than 64" in loaded.error.message


def test_depth_scan_spans_scan_chunks(monkeypatch):
    # A string that starts in one chunk and ends in the next keeps its brackets hidden.
    monkeypatch.setattr(safeload, "_SCAN_CHUNK", 7)
    text = '[["' + "[" * 40 + '\\"' + "]" * 3 + '"], {"k": [[]]}]'
    assert safeload.load_json(text, "x.json", max_depth=4).error is None
    assert safeload.load_json(text, "x.json", max_depth=3).error is not None


def _peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


STRING_BYTES = 4 << 20
# Input, its decoded text, the parsed string and the scan's copies: a few times the input.
# A per-character regex needed about 150 bytes per character (600 MB here).
PEAK_PER_INPUT_BYTE = 8


@pytest.mark.parametrize("body", ["a" * STRING_BYTES, "\n" * (STRING_BYTES // 2)])
def test_safetensors_header_with_a_huge_metadata_string_stays_small(tmp_path, body):
    # "\n" is written as the two-byte JSON escape: a string made only of escapes
    blob = safetensors_bytes({"w": ("F16", [2])}, metadata={"x": body})
    root = write_repo(tmp_path / "repo", {"model.safetensors": blob})
    facts_box: list = []
    peak = _peak_bytes(lambda: facts_box.append(read_facts(LocalSource(root))))
    (weight,) = facts_box[0].weights
    assert weight.header_ok, [p.message for p in facts_box[0].problems]
    assert weight.metadata["x"] == body
    assert peak < PEAK_PER_INPUT_BYTE * len(blob)


def test_index_with_a_huge_string_stays_small(tmp_path):
    index = {"metadata": {"note": "b" * STRING_BYTES}, "weight_map": {"w": "model.safetensors"}}
    raw = json.dumps(index)
    root = write_repo(
        tmp_path / "repo",
        {
            "model.safetensors.index.json": raw,
            "model.safetensors": safetensors_bytes({"w": ("F16", [2])}),
        },
    )
    peak = _peak_bytes(lambda: read_facts(LocalSource(root)))
    assert peak < PEAK_PER_INPUT_BYTE * len(raw)


YAML_PROBE = textwrap.dedent(
    """
    import resource, sys
    from compliance import safeload
    doc = sys.argv[1]
    size = (1 << 20) - 64
    body = {"plain": "a" * size, "quoted": '"' + "\\\\n" * (size // 2) + '"',
            "block": "|\\n  " + "a " * (size // 2)}[doc]
    text = "x: " + body + "\\n"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    loaded = safeload.load_yaml(text, "card.yaml")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert loaded.error is None, loaded.error
    print((after - before) * 1024)
    """
)


@pytest.mark.parametrize("doc", ["plain", "quoted", "block"])
def test_yaml_with_a_megabyte_string_stays_small(doc):
    # libyaml allocates outside tracemalloc's view, so the peak RSS of a child is measured.
    proc = subprocess.run(
        [sys.executable, "-c", YAML_PROBE, doc],
        capture_output=True, text=True, timeout=120, check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) < 40 * (1 << 20)
