"""`Catalog.load()` keeps the parsed catalog as JSON, never stale and never trusted blindly."""

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
    return sorted((shipped.parents[1] / "cache" / "modelcheck").glob("catalog-*.json"))


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
    ["[" * 100_000 + "]" * 100_000, "{not json", "[]", '{"key": 1, "data": {}}'],
    ids=["deep", "broken", "list", "wrong-key"],
)
def test_a_damaged_cache_is_ignored(shipped, junk):
    expected = _entries(Catalog.load())
    (cache_file,) = _cache_files(shipped)
    cache_file.write_text(junk)
    assert _entries(Catalog.load()) == expected


def test_a_cache_entry_that_does_not_validate_is_ignored(shipped):
    import json

    expected = _entries(Catalog.load())
    (cache_file,) = _cache_files(shipped)
    stored = json.loads(cache_file.read_text())
    stored["data"]["families"] = "not a list"
    cache_file.write_text(json.dumps(stored))
    assert _entries(Catalog.load()) == expected


def test_no_cache_writes_nothing(shipped, monkeypatch):
    monkeypatch.setenv(local_cache.NO_CACHE_ENV, "1")
    assert len(Catalog.load()) >= 60
    assert _cache_files(shipped) == []
