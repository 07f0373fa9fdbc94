"""`regex_cache.compiled` returns what `re.compile` returns, from a cache or not, and a
damaged cache file only costs the compilation it would have saved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compliance import cache_dir, local_cache, regex_cache

PATTERNS = [
    (r"\bfine[- ]?tun(?:ed|e|ing)\s+(?:of|from)\b", re.I),
    (r"(?P<key>base[ _-]?models?|基础模型)[ \t]*[:：]", re.I),
    (r"^ {0,3}(`{3,}|~{3,})", re.M),
    (r"[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}", re.ASCII),
    (r"微调|微調|训练", 0),
]
needs_internals = pytest.mark.skipif(
    regex_cache._INTERPRETER is None, reason="no re internals on this interpreter"
)


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder, and the module as a new process finds it."""
    monkeypatch.setattr(cache_dir, "CACHE_DIR", tmp_path)
    monkeypatch.setattr(regex_cache, "_entries", None)
    monkeypatch.setattr(regex_cache, "_dirty", False)
    monkeypatch.setattr(regex_cache, "_saved", False)
    return tmp_path


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regex_cache, "_entries", None)
    monkeypatch.setattr(regex_cache, "_dirty", False)
    monkeypatch.setattr(regex_cache, "_saved", False)


def _same(a: re.Pattern[str], b: re.Pattern[str]) -> None:
    assert a == b  # same pattern text, flags and opcodes
    assert (a.flags, a.groups, a.groupindex) == (b.flags, b.groups, b.groupindex)


@needs_internals
def test_cached_patterns_are_the_ones_re_compiles(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for pattern, flags in PATTERNS:
        _same(regex_cache.compiled(pattern, flags), re.compile(pattern, flags))
    regex_cache.save()
    assert len(list(fresh.glob("regex-*.marshal"))) == 1
    _new_process(monkeypatch)

    def no_compiling(*_: object) -> None:
        raise AssertionError("a cached pattern was compiled again")

    monkeypatch.setattr(re._compiler, "compile", no_compiling)  # type: ignore[attr-defined]
    for pattern, flags in PATTERNS:
        built = regex_cache.compiled(pattern, flags)
        monkeypatch.undo()  # re.compile back, for the reference
        _same(built, re.compile(pattern, flags))
        monkeypatch.setattr(cache_dir, "CACHE_DIR", fresh)
        monkeypatch.setattr(re._compiler, "compile", no_compiling)  # type: ignore[attr-defined]
    assert regex_cache.compiled(PATTERNS[1][0], PATTERNS[1][1]).search("Base model: x")


@needs_internals
def test_a_damaged_cache_file_is_compiled_around(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for pattern, flags in PATTERNS:
        regex_cache.compiled(pattern, flags)
    regex_cache.save()
    (path,) = fresh.glob("regex-*.marshal")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))  # the CRC no longer matches: the file is never unmarshalled
    _new_process(monkeypatch)
    for pattern, flags in PATTERNS:
        _same(regex_cache.compiled(pattern, flags), re.compile(pattern, flags))


@needs_internals
def test_entries_that_are_not_valid_code_are_compiled_around(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pattern, flags = PATTERNS[0]
    path = regex_cache._cache_path()
    bad = {
        (pattern, int(flags)): (int(flags), [999, 1, 2], 0, {}, ()),  # not opcodes
        (PATTERNS[1][0], int(PATTERNS[1][1])): "not an entry",
        (PATTERNS[2][0], int(PATTERNS[2][1])): (0, ["x"], 0, {}, ()),
    }
    assert local_cache.write_marshal(path, {"interpreter": regex_cache._INTERPRETER,
                                            "entries": bad})
    _new_process(monkeypatch)
    for p, f in PATTERNS[:3]:
        _same(regex_cache.compiled(p, f), re.compile(p, f))


@needs_internals
def test_another_interpreters_file_is_ignored(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pattern, flags = PATTERNS[0]
    wrong = re.compile(r"something else")
    entry = regex_cache._entry(r"something else", 0, wrong)
    assert entry is not None
    local_cache.write_marshal(regex_cache._cache_path(), {
        "interpreter": ("another", "interpreter"), "entries": {(pattern, int(flags)): entry},
    })
    _new_process(monkeypatch)
    _same(regex_cache.compiled(pattern, flags), re.compile(pattern, flags))


def test_without_a_cache_folder_it_is_re_compile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cache_dir, "CACHE_DIR", None)
    _new_process(monkeypatch)
    for pattern, flags in PATTERNS:
        _same(regex_cache.compiled(pattern, flags), re.compile(pattern, flags))
    regex_cache.save()  # nothing to write, nowhere to write it
    assert regex_cache._dirty is False or regex_cache._cache_path() is None
