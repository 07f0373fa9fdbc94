"""`compliance.bounded_read`: only regular files, never more than cap + 1 bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compliance.bounded_read import read_capped
from compliance.errors import FileReadError


def test_reads_a_small_file_whole(tmp_path: Path) -> None:
    f = tmp_path / "a.yaml"
    f.write_bytes(b"x: 1\n")
    read = read_capped(f, 100)
    assert read.data == b"x: 1\n" and not read.truncated


def test_cuts_at_cap_and_says_so(tmp_path: Path) -> None:
    f = tmp_path / "big"
    f.write_bytes(b"a" * 1000)
    read = read_capped(f, 10)
    assert read.data == b"a" * 10 and read.truncated
    assert not read_capped(f, 1000).truncated


def test_refuses_a_device() -> None:
    with pytest.raises(FileReadError, match="a device, not a regular file"):
        read_capped("/dev/zero", 10)


def test_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(FileReadError, match="a FIFO"):
        read_capped(fifo, 10)  # a blocking open would wait here for a writer forever


def test_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(FileReadError, match="a directory"):
        read_capped(tmp_path, 10)


def test_nofollow_refuses_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "t"
    target.write_text("secret")
    link = tmp_path / "l"
    link.symlink_to(target)
    assert read_capped(link, 10).data == b"secret"
    with pytest.raises(FileReadError, match="symbolic link"):
        read_capped(link, 10, follow_symlinks=False)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileReadError, match="nope.yaml: No such file"):
        read_capped(tmp_path / "nope.yaml", 10)
