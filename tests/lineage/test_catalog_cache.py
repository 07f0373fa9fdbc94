"""`Catalog.load()` keeps the validated catalog, never stale and never trusted blindly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from compliance import local_cache
from compliance.lineage import catalog as catalog_mod
from compliance.lineage.catalog import Catalog

RULES = Path(__file__).resolve().parents[2] / "rules"


@pytest.fixture
def shipped(tmp_path, monkeypatch) -> Path:
    """A copy of the shipped catalog as 'the' catalog, and a private cache folder."""
    rules = tmp_path / "rules"
    rules.mkdir()
    path = rules / "catalog.yaml"
    shutil.copy(RULES / "catalog.yaml", path)
    st = path.stat()  # dated back, so its cache entry is trusted (catalog.RACY_NS)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 60 * 10**9))
    monkeypatch.setattr(catalog_mod, "data_dir", lambda name: tmp_path / name)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(local_cache.NO_CACHE_ENV, raising=False)
    return path


def _entries(catalog: Catalog) -> list:
    return list(catalog)


def _no_yaml(monkeypatch) -> None:
    def refuse(path: Path) -> object:
        raise AssertionError("the catalog YAML was parsed")

    monkeypatch.setattr(catalog_mod, "_parse", refuse)


def _cache_files(shipped: Path) -> list[Path]:
    return sorted((shipped.parents[1] / "cache" / "modelcheck").glob("catalog-*.marshal"))


def test_unchanged_catalog_is_answered_from_the_cache(shipped, monkeypatch):
    first = Catalog.load()
    assert len(_cache_files(shipped)) == 1
    _no_yaml(monkeypatch)
    assert _entries(Catalog.load()) == _entries(first)


def test_an_edited_catalog_is_parsed_again(shipped):
    Catalog.load()
    text = shipped.read_text(encoding="utf-8")
    edited = text.replace("family: llama", "family: llamb", 1)
    assert edited != text and len(edited) == len(text)
    st = shipped.stat()
    shipped.write_text(edited, encoding="utf-8")
    os.utime(shipped, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    families = {e.family for e in Catalog.load()}
    assert "llamb" in families


def test_a_fresh_catalog_is_not_trusted_from_the_cache(shipped, monkeypatch):
    os.utime(shipped)  # modified just now: could change again within one timestamp tick
    Catalog.load()
    parsed: list[Path] = []
    real = catalog_mod._parse
    monkeypatch.setattr(catalog_mod, "_parse", lambda p: parsed.append(p) or real(p))
    Catalog.load()
    assert parsed == [shipped]


@pytest.mark.parametrize(
    "junk",
    [b"[" * 100_000 + b"]" * 100_000, b"{not marshal", b"", b"MCm1\0\0\0\0\xff\xff"],
    ids=["deep", "broken", "empty", "bad-checksum"],
)
def test_a_damaged_cache_is_ignored(shipped, junk):
    expected = _entries(Catalog.load())
    (cache_file,) = _cache_files(shipped)
    cache_file.write_bytes(junk)
    assert _entries(Catalog.load()) == expected


@pytest.mark.parametrize(
    "damage",
    [
        lambda built: built.update(entries=[("only", "three", "fields")]),
        lambda built: built.update(entries="not a list"),
        lambda built: built.update(aliases={1: 2}),
        lambda built: built.pop("patterns"),
    ],
    ids=["short-entry", "entries", "aliases", "no-patterns"],
)
def test_a_cache_entry_of_the_wrong_shape_is_ignored(shipped, monkeypatch, damage):
    expected = _entries(Catalog.load())
    (cache_file,) = _cache_files(shipped)
    stored = local_cache.read_marshal(cache_file)
    damage(stored["built"])
    assert local_cache.write_marshal(cache_file, stored)  # a valid file, a wrong value
    parsed: list[Path] = []
    real = catalog_mod._parse
    monkeypatch.setattr(catalog_mod, "_parse", lambda p: parsed.append(p) or real(p))
    assert _entries(Catalog.load()) == expected
    assert parsed == [shipped]


def test_the_cached_catalog_answers_as_the_parsed_one(shipped, monkeypatch):
    parsed = Catalog.load()
    _no_yaml(monkeypatch)
    cached = Catalog.load()
    assert _entries(cached) == _entries(parsed)
    assert cached._aliases == parsed._aliases and cached.patterns == parsed.patterns
    assert cached._by_name == parsed._by_name
    for asked in ("unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit", "meta-llama/Llama-2-7b-hf",
                  "TheBloke/Llama-2-7B-GGUF", "nobody/nothing"):
        assert cached.lookup(asked) == parsed.lookup(asked)


def test_no_cache_writes_nothing(shipped, monkeypatch):
    monkeypatch.setenv(local_cache.NO_CACHE_ENV, "1")
    assert len(Catalog.load()) >= 60
    assert _cache_files(shipped) == []
