"""The compiled-template cache changes speed only, never output."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.packs import cache
from compliance.reporters import to_markdown


def test_bytecode_cache_gives_identical_output(
    report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "CACHE_PATH", None)
    plain = to_markdown.render(report)

    monkeypatch.setattr(cache, "CACHE_PATH", tmp_path / "modelcheck" / "rule-docs.json")
    first = to_markdown.render(report)  # compiles and stores
    stored = list((tmp_path / "modelcheck" / "templates").iterdir())
    assert stored  # compiled templates were written
    second = to_markdown.render(report)  # loads them
    assert plain == first == second


def test_unusable_cache_dir_is_ignored(
    report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "modelcheck"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setattr(cache, "CACHE_PATH", blocker / "rule-docs.json")
    assert to_markdown._bytecode_cache() is None
    assert to_markdown.render(report).startswith("# modelcheck")
