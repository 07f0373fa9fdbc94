"""The compiled-template cache changes speed only, never output."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance import cache_dir
from compliance.reporters import to_markdown


def test_bytecode_cache_gives_identical_output(
    report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_dir, "CACHE_DIR", None)
    plain = to_markdown.render(report)

    monkeypatch.setattr(cache_dir, "CACHE_DIR", tmp_path / "modelcheck")
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
    monkeypatch.setattr(cache_dir, "CACHE_DIR", blocker)
    assert to_markdown._bytecode_cache() is None
    assert to_markdown.render(report).startswith("# modelcheck")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"XDG_CACHE_HOME": "/xdg"}, Path("/xdg/modelcheck")),
        ({"XDG_CACHE_HOME": "/xdg", "MODELCHECK_NO_CACHE": "1"}, None),
        ({"XDG_CACHE_HOME": "/xdg", "MODELCHECK_NO_CACHE": "0"}, Path("/xdg/modelcheck")),
    ],
)
def test_cache_dir_follows_the_environment(env: dict[str, str], expected: Path | None) -> None:
    assert cache_dir.cache_dir(env) == expected
