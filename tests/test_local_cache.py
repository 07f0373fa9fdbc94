"""The cache folder, per-install file names, robust reads and pruned writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compliance import local_cache


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"XDG_CACHE_HOME": "/xdg"}, Path("/xdg/modelcheck")),
        ({"XDG_CACHE_HOME": "/xdg", "MODELCHECK_NO_CACHE": "1"}, None),
        ({"XDG_CACHE_HOME": "/xdg", "MODELCHECK_NO_CACHE": "0"}, Path("/xdg/modelcheck")),
    ],
)
def test_cache_dir_from_environment(env, expected):
    assert local_cache.cache_dir(env) == expected


def test_each_install_has_its_own_name(monkeypatch):
    names = set()
    for where in ("/venv-a/lib/compliance", "/venv-b/lib/compliance", "/venv-a/lib/compliance"):
        monkeypatch.setattr(local_cache, "INSTALL_DIR", where)
        names.add(local_cache.tagged_name("kind-v1"))
    assert len(names) == 2 and all(n.startswith("kind-v1-") for n in names)


@pytest.mark.parametrize(
    "content",
    [b"[" * 100_000 + b"]" * 100_000, b"{", b"\xff\xfe\x00", b""],
    ids=["deep", "broken", "binary", "empty"],
)
def test_unreadable_documents_read_as_none(tmp_path, content):
    path = tmp_path / "c.json"
    path.write_bytes(content)
    assert local_cache.read_json(path) is None
    assert local_cache.read_json(tmp_path / "missing.json") is None


def test_a_write_keeps_only_the_newest_installs(tmp_path, monkeypatch):
    others = []
    for i in range(local_cache.KEEP_INSTALLS + 3):
        other = tmp_path / f"kind-v1-{i:08x}.json"
        other.write_text("{}")
        os.utime(other, ns=(10**18 + i, 10**18 + i))
        others.append(other)
    unrelated = tmp_path / "other-v1-00000000.json"
    unrelated.write_text("{}")
    os.utime(unrelated, ns=(1, 1))
    newest = others[-(local_cache.KEEP_INSTALLS - 1) :]  # dated in order of creation
    mine = tmp_path / local_cache.tagged_name("kind-v1")
    assert local_cache.write_json(mine, {"a": 1})
    kept = {p.name for p in tmp_path.glob("kind-v1-*.json")}
    assert kept == {mine.name, *(p.name for p in newest)}
    assert unrelated.exists()


def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    def refuse(src: str, dst: object) -> None:
        raise PermissionError(13, "read-only", src)

    monkeypatch.setattr(local_cache.os, "replace", refuse)
    assert not local_cache.write_json(tmp_path / "c" / "x.json", {"a": 1})
    assert list((tmp_path / "c").iterdir()) == []
    assert not local_cache.write_json(tmp_path / "y.json", {"not json": {1, 2}})


def test_marshal_documents_round_trip(tmp_path):
    document = {"schema": "s", "docs": {"/a.yaml": [1, 2, 3, 4, {"id": "x", "n": None}]}}
    path = tmp_path / "c.marshal"
    assert local_cache.write_marshal(path, document)
    assert local_cache.read_marshal(path) == document
    assert local_cache.tagged_name("kind-v1", ".marshal").endswith(".marshal")


def test_damaged_marshal_documents_read_as_none(tmp_path):
    """A size inside marshal data is trusted by marshal; only a payload whose checksum
    matches is read, so damage never turns into a huge allocation."""
    path = tmp_path / "c.marshal"
    assert local_cache.write_marshal(path, {"docs": {"a": "b" * 100}})
    good = path.read_bytes()
    for damaged in (
        good[:-1],  # cut short
        good[:20] + bytes([good[20] ^ 1]) + good[21:],  # one bit flipped
        good[:8] + b"[\xff\xff\xff\x7f",  # a list of 2**31 - 1 items, checksum unchanged
        b"{}",  # not this format at all
    ):
        path.write_bytes(damaged)
        assert local_cache.read_marshal(path) is None
    assert local_cache.read_marshal(tmp_path / "missing.marshal") is None


def test_values_marshal_cannot_store_are_not_written(tmp_path):
    path = tmp_path / "c.marshal"
    assert not local_cache.write_marshal(path, {"x": object()})
    assert not path.exists()
