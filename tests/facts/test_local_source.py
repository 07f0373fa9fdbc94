from __future__ import annotations

import os
from pathlib import Path

import pytest

from compliance.errors import PathNotFoundError, SourceError
from compliance.sources.base import Source
from compliance.sources.local import LocalSource, parse_git_config_remote, repo_id_from_remote_url

from .builders import write_repo


def test_listing_skips_git_and_reads(tmp_path):
    write_repo(
        tmp_path,
        {
            "README.md": "hello world",
            "sub/config.json": "{}",
            ".git/HEAD": "ref: refs/heads/main\n",
            ".cache/huggingface/download/README.md.metadata": "x",
        },
    )
    source = LocalSource(tmp_path)
    assert isinstance(source, Source)
    assert (source.kind, source.repo_id, source.commit) == ("local", None, None)
    assert [(f.path, f.size) for f in source.list_files()] == [
        ("README.md", 11),
        ("sub/config.json", 2),
    ]
    assert source.read_bytes("README.md", 5) == b"hello"
    assert source.read_range("README.md", 6, 100) == b"world"
    assert source.read_bytes("missing.txt", 10) is None
    assert source.read_bytes("../etc/passwd", 10) is None
    with pytest.raises(SourceError):
        source.read_range("missing.bin", 0, 8)


def test_symlink_inside_is_read_outside_is_not(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    root = write_repo(tmp_path / "repo", {"LICENSE": "MIT", "dir/x.txt": "x"})
    os.symlink(root / "LICENSE", root / "LICENSE.link")
    os.symlink(outside, root / "leak.txt")
    os.symlink(root / "dir", root / "dirlink")
    source = LocalSource(root)
    files = {f.path: f for f in source.list_files()}
    assert set(files) == {"LICENSE", "LICENSE.link", "dir/x.txt", "leak.txt"}
    assert files["leak.txt"].is_symlink_outside and files["leak.txt"].size is None
    assert not files["LICENSE.link"].is_symlink_outside
    assert source.read_bytes("LICENSE.link", 10) == b"MIT"
    assert source.read_bytes("leak.txt", 10) is None
    notes = " ".join(source.notes())
    assert "leak.txt: symbolic link to a path outside the repo; not followed." in notes
    assert "dirlink/: symbolic link to a directory; not descended into." in notes


def test_hf_cache_snapshot_symlinks_count_as_inside(tmp_path):
    repo = tmp_path / "models--org--name"
    blob = repo / "blobs" / "abc123"
    blob.parent.mkdir(parents=True)
    blob.write_text("# Card\n")
    snapshot = repo / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    os.symlink("../../blobs/abc123", snapshot / "README.md")
    source = LocalSource(snapshot)
    [readme] = source.list_files()
    assert not readme.is_symlink_outside
    assert source.read_bytes("README.md", 100) == b"# Card\n"


def test_fifo_is_skipped(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    source = LocalSource(tmp_path)
    assert source.list_files() == []
    assert source.read_bytes("pipe", 10) is None  # never opened (would block)
    assert "pipe: not a regular file; skipped." in source.notes()


def test_file_instead_of_directory(tmp_path):
    (tmp_path / "README.md").write_text("x")
    with pytest.raises(SourceError, match="is a file, not a directory"):
        LocalSource(tmp_path / "README.md")


def test_missing_path_message(tmp_path):
    with pytest.raises(PathNotFoundError) as info:
        LocalSource(tmp_path / "nope")
    assert str(info.value) == f"{tmp_path / 'nope'}: no such file or directory"


def test_git_remote(tmp_path):
    config = """[core]
\tbare = false
[remote "upstream"]
\turl = https://github.com/org/code
[remote "origin"]
\turl = https://user:hf_secret@huggingface.co/meta-llama/Llama-3.1-8B
\tfetch = +refs/heads/*:refs/remotes/origin/*
"""
    write_repo(tmp_path, {".git/config": config})
    assert LocalSource(tmp_path).git_remote_repo_id == "meta-llama/Llama-3.1-8B"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://huggingface.co/org/name", "org/name"),
        ("https://huggingface.co/org/name.git/", "org/name"),
        ("https://hf.co/org/name", "org/name"),
        ("git@hf.co:org/name", "org/name"),
        ("ssh://git@hf.co/org/name.git", "org/name"),
        ("https://hf-mirror.example/org/name", "org/name"),
        ("https://huggingface.co/datasets/org/name", None),
        ("https://huggingface.co/spaces/org/name", None),
        ("https://github.com/org/name", None),
        ("/srv/git/org/name", None),
        ("https://huggingface.co/org/../name", None),
    ],
)
def test_remote_url_forms(url, expected):
    assert repo_id_from_remote_url(url) == expected


def test_git_config_without_hub_remote():
    assert parse_git_config_remote('[remote "origin"]\n\turl = https://github.com/a/b\n') is None
    assert parse_git_config_remote("not [ a config") is None


def test_label_keeps_given_path(tmp_path):
    source = LocalSource(Path(tmp_path))
    assert source.label == str(tmp_path)


def test_symlink_loop_is_not_followed(tmp_path):
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    write_repo(tmp_path, {"README.md": "x"})
    source = LocalSource(tmp_path)
    paths = [f.path for f in source.list_files()]
    assert "README.md" in paths
    assert source.read_bytes("loop", 10) is None
