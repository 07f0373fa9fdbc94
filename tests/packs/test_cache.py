"""The rule-document cache: one file per install, and any damage to it is ignored."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from compliance import local_cache, packs
from compliance.packs import cache as cache_mod

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "examples" / "llama31-finetune-apache"


@pytest.fixture
def forget_packs():
    packs.clear_memo()
    yield
    packs.clear_memo()


def _load_as_install(monkeypatch, env: dict[str, str], install_dir: str) -> Path:
    """Load the built-in packs as the install at `install_dir` would; its cache file."""
    monkeypatch.setattr(local_cache, "INSTALL_DIR", install_dir)
    path = cache_mod.default_cache_path(env)
    monkeypatch.setattr(cache_mod, "CACHE_PATH", path)
    packs.clear_memo()
    assert packs.load_all()
    return path


def test_two_installs_keep_a_cache_file_each(tmp_path, monkeypatch, forget_packs):
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    first = _load_as_install(monkeypatch, env, "/venv-a/site-packages/compliance")
    stored = first.read_bytes()
    second = _load_as_install(monkeypatch, env, "/venv-b/site-packages/compliance")
    assert first != second and first.parent == second.parent
    assert first.read_bytes() == stored  # the second install did not rewrite the first's
    assert local_cache.read_marshal(second)["install"] == "/venv-b/site-packages/compliance"


def test_a_file_written_by_another_install_is_not_trusted(tmp_path, monkeypatch, forget_packs):
    path = tmp_path / "docs.marshal"
    cache = cache_mod.DocCache(path)
    cache.put(tmp_path / "x.yaml", cache_mod.FileStamp(1, 2, 3), {"a": 1})
    cache.save()
    monkeypatch.setattr(local_cache, "INSTALL_DIR", "/elsewhere/compliance")
    assert cache_mod.DocCache(path).docs == {}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _marshal_file(payload: bytes) -> bytes:
    """A cache file in `local_cache.write_marshal`'s layout around `payload`."""
    return b"MCm1" + zlib.crc32(payload).to_bytes(4, "little") + payload


@pytest.mark.parametrize(
    "junk",
    [
        _nested(100_000).encode(),
        ('{"schema": ' + _nested(100_000) + "}").encode(),
        b"\x00\xff garbage",
        b"",
        # a list claiming 1,532,713,819 items: read unchecked, marshal would allocate them
        b"MCm1\x00\x00\x00\x00" + b"[" * 64,
        # marshal's own nesting, 100,000 lists deep, with a matching checksum
        _marshal_file(b"[\x01\x00\x00\x00" * 100_000 + b"[\x00\x00\x00\x00"),
        _marshal_file(marshal.dumps({"schema": "x", "docs": {}}))[:-3],  # cut short
    ],
    ids=["deep-list", "deep-value", "binary", "empty", "huge-list", "deep-marshal",
         "truncated"],
)
def test_corrupt_cache_files_are_ignored(tmp_path, junk):
    path = tmp_path / "docs.marshal"
    path.write_bytes(junk)
    assert cache_mod.DocCache(path).docs == {}


def test_an_entry_that_is_not_a_mapping_is_a_miss(tmp_path):
    path = tmp_path / "docs.marshal"
    stamp = cache_mod.FileStamp(1, 2, 3)
    document = {
        "schema": cache_mod.schema_stamp(),
        "install": local_cache.INSTALL_DIR,
        "docs": {
            str(tmp_path / "x.yaml"): [*stamp, 10**19, marshal.dumps(["not", "a", "mapping"])],
            str(tmp_path / "y.yaml"): [*stamp, 10**19, {"a mapping": "not in its stored form"}],
        },
    }
    assert local_cache.write_marshal(path, document)
    assert cache_mod.DocCache(path).get(tmp_path / "x.yaml", stamp) == (False, None)
    assert cache_mod.DocCache(path).get(tmp_path / "y.yaml", stamp) == (False, None)
    assert cache_mod.DocCache(path).get_stored(tmp_path / "x.yaml", stamp) is None


def test_audit_with_a_deeply_nested_cache_exits_as_usual(tmp_path):
    """A corrupt cache is promised to be ignored: the audit's result, not exit 3."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("MODELCHECK_NO_CACHE", None)
    probe = "from compliance.packs.cache import CACHE_PATH; print(CACHE_PATH)"
    cache_file = Path(
        subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    cache_file.parent.mkdir(parents=True)
    cache_file.write_text(_nested(100_000))
    proc = subprocess.run(
        [sys.executable, "-m", "compliance.cli", "audit", str(EXAMPLE), "--format", "json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["findings"] and proc.stderr == ""
    assert local_cache.read_marshal(cache_file)["docs"]  # and a good cache replaced it
