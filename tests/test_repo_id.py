"""Repo-id syntax and `org/name[@revision]` audit targets."""

from __future__ import annotations

from compliance.repo_id import is_valid_repo_id, split_target


def test_repo_ids() -> None:
    assert is_valid_repo_id("meta-llama/Llama-3.1-8B")
    for bad in ("llama", "org/", "/name", "org/na me", "org/../x", "a/b/c", 3, None):
        assert not is_valid_repo_id(bad)
    assert not is_valid_repo_id("org/" + "x" * 97)


def test_targets() -> None:
    assert split_target("org/name") == ("org/name", None)
    assert split_target("org/name@v1.0") == ("org/name", "v1.0")
    assert split_target("org/name@refs/pr/1") == ("org/name", "refs/pr/1")
    for bad in ("name", "org/name@", "org/../name", "./local/dir"):
        assert split_target(bad) is None
