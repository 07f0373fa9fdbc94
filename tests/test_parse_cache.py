"""Parsed YAML remembered between runs: exact, never stale, never trusted blindly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compliance import local_cache, parse_cache, safeload

REPO_ROOT = Path(__file__).resolve().parents[1]
CARD = "license: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\ntags: [a, b]\n"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(local_cache.NO_CACHE_ENV, raising=False)
    parse_cache.forget()
    yield tmp_path / "xdg" / "modelcheck"
    parse_cache.forget()


def _no_parser(monkeypatch) -> None:
    def refuse() -> object:
        raise AssertionError("PyYAML was asked to parse")

    monkeypatch.setattr(safeload, "_yaml", refuse)


def _saved_and_reread() -> None:
    parse_cache.save()
    parse_cache.forget()


def test_a_remembered_document_comes_back_without_the_parser(monkeypatch):
    first = safeload.load_yaml(CARD, "README.md", first_line=2)
    _saved_and_reread()
    _no_parser(monkeypatch)
    again = safeload.load_yaml(CARD, "README.md", first_line=2)
    assert again == first and again.key_lines == {"license": 2, "base_model": 3, "tags": 4}


@pytest.mark.parametrize(
    "change",
    [
        {"text": CARD.replace("apache-2.0", "apache-2.1")},
        {"first_line": 3},
        {"max_depth": 5},
        {"max_nodes": 10},
    ],
    ids=["text", "first-line", "depth", "nodes"],
)
def test_any_change_is_a_miss(monkeypatch, change):
    safeload.load_yaml(CARD, "README.md", first_line=2)
    _saved_and_reread()
    parsed: list[str] = []
    real = safeload._yaml
    monkeypatch.setattr(safeload, "_yaml", lambda: parsed.append("x") or real())
    args = {"first_line": 2, **change}
    text = args.pop("text", CARD)
    assert safeload.load_yaml(text, "README.md", **args).error is None
    assert parsed


@pytest.mark.parametrize(
    "text",
    ["1: integer key\n", "x: .nan\n", "x: !!set {a, b}\n", "x: [1, *y]\n"],
    ids=["int-key", "nan", "set", "error"],
)
def test_what_json_cannot_keep_exactly_is_not_remembered(text):
    safeload.load_yaml(text, "card.yaml")
    parse_cache.save()
    assert parse_cache._entries == {}


def test_a_caller_changing_its_value_does_not_change_the_next_hit():
    safeload.load_yaml(CARD, "README.md")
    got = safeload.load_yaml(CARD, "README.md")
    got.value["tags"].append("mutated")
    assert safeload.load_yaml(CARD, "README.md").value["tags"] == ["a", "b"]


def test_remember_false_keeps_it_out():
    safeload.load_yaml(CARD, "rule.yaml", remember=False)
    assert parse_cache._load() == {}


def test_only_the_newest_entries_are_kept(private_cache):
    for i in range(parse_cache.MAX_ENTRIES + 5):
        safeload.load_yaml(f"n: {i}\n", "x.yaml")
    _saved_and_reread()
    stored = json.loads(next(private_cache.glob("yaml-*.json")).read_text())["entries"]
    assert len(stored) == parse_cache.MAX_ENTRIES
    assert json.loads(list(stored.values())[-1])[0] == {"n": parse_cache.MAX_ENTRIES + 4}


@pytest.mark.parametrize(
    "junk",
    [
        "[" * 100_000 + "]" * 100_000,
        "{broken",
        '{"entries": []}',
        '{"entries": {"KEY": 5}}',
        '{"entries": {"KEY": "[1]"}}',
        '{"entries": {"KEY": "[{}, {\\"license\\": \\"two\\"}]"}}',
    ],
    ids=["deep", "broken", "list", "not-text", "short", "bad-lines"],
)
def test_a_damaged_file_is_ignored(private_cache, junk):
    expected = safeload.load_yaml(CARD, "README.md")
    key = parse_cache.key(CARD, 1, safeload.MAX_DEPTH, safeload.MAX_YAML_NODES)
    assert key is not None
    _saved_and_reread()
    (cache_file,) = private_cache.glob("yaml-*.json")
    cache_file.write_text(junk.replace("KEY", key))
    assert safeload.load_yaml(CARD, "README.md") == expected


def test_no_cache_means_no_file(private_cache, monkeypatch):
    monkeypatch.setenv(local_cache.NO_CACHE_ENV, "1")
    safeload.load_yaml(CARD, "README.md")
    parse_cache.save()
    assert not private_cache.exists()


def test_a_warm_local_audit_does_not_import_pyyaml(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "examples" / "llama31-finetune-apache", repo)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop(local_cache.NO_CACHE_ENV, None)
    probe = (
        "import contextlib, io, sys\n"
        "from compliance.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(sys.argv[1:])\n"
        "print(code, 'yaml' in sys.modules)\n"
    )
    argv = [sys.executable, "-c", probe, "audit", str(repo), "--format", "json"]
    runs = [
        subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
        for _ in range(2)
    ]
    # the first run parses (and caches) the card, the rule files and the catalog
    assert [r.stdout.split() for r in runs] == [["1", "True"], ["1", "False"]], runs[1].stderr
