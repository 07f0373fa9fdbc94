"""`code_cache.code_for` gives the code `compile` gives, from its file or not; a damaged
or foreign file only costs the compilation it would have saved."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from compliance import cache_dir, code_cache, local_cache

SOURCES = [
    "def __init__(self, a, b=__dflt_b):\n    self.a = a\n    self.b = b",
    "def __init__(self, x):\n    __object_setattr(self, 'x', x)",
]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(cache_dir, "CACHE_DIR", tmp_path)
    _new_process(monkeypatch)
    return tmp_path


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(code_cache, "_entries", None)
    monkeypatch.setattr(code_cache, "_dirty", False)
    monkeypatch.setattr(code_cache, "_saved", False)


def _run(source: str) -> dict[str, object]:
    namespace: dict[str, object] = {"__dflt_b": 2, "__object_setattr": object.__setattr__}
    exec(code_cache.code_for(source), namespace)
    return namespace


def test_cached_code_is_the_compiled_code(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = [code_cache.code_for(s) for s in SOURCES]
    code_cache.save()
    assert len(list(fresh.glob("code-*.marshal"))) == 1
    _new_process(monkeypatch)
    monkeypatch.setattr("builtins.compile", lambda *_: pytest.fail("compiled again"))
    again = [code_cache.code_for(s) for s in SOURCES]
    monkeypatch.undo()
    assert again == first == [compile(s, "<string>", "exec") for s in SOURCES]

    class Obj:
        pass

    obj = Obj()
    _run(SOURCES[0])["__init__"](obj, 1)  # type: ignore[operator]
    assert (obj.a, obj.b) == (1, 2)  # type: ignore[attr-defined]


def test_a_damaged_or_foreign_file_is_compiled_around(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code_cache.code_for(SOURCES[0])
    code_cache.save()
    (path,) = fresh.glob("code-*.marshal")
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF  # the CRC no longer matches: never unmarshalled
    path.write_bytes(bytes(data))
    _new_process(monkeypatch)
    assert code_cache.code_for(SOURCES[0]) == compile(SOURCES[0], "<string>", "exec")
    # another interpreter's entries, or an entry filed under other source, are not used
    wrong = compile("x = 1", "<string>", "exec")
    local_cache.write_marshal(path, {"interpreter": ("other",),
                                     "entries": {SOURCES[1]: marshal.dumps(wrong)}})
    _new_process(monkeypatch)
    assert code_cache.code_for(SOURCES[1]) == compile(SOURCES[1], "<string>", "exec")
    local_cache.write_marshal(path, {"interpreter": code_cache._INTERPRETER,
                                     "entries": {SOURCES[1]: "not code"}})
    _new_process(monkeypatch)
    assert code_cache.code_for(SOURCES[1]) == compile(SOURCES[1], "<string>", "exec")
    for stored in (marshal.dumps("a string, not code"), b"\xff not marshal"):
        local_cache.write_marshal(path, {"interpreter": code_cache._INTERPRETER,
                                         "entries": {SOURCES[1]: stored}})
        _new_process(monkeypatch)
        assert code_cache.code_for(SOURCES[1]) == compile(SOURCES[1], "<string>", "exec")


def test_without_a_cache_folder_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_dir, "CACHE_DIR", None)
    _new_process(monkeypatch)
    assert code_cache.code_for(SOURCES[0]) == compile(SOURCES[0], "<string>", "exec")
    code_cache.save()
    assert list(tmp_path.iterdir()) == []
