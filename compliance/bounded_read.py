"""Read a file from disk, bounded by type and size.

Every file modelcheck reads from an audited repo, a rule directory or `--config`
comes through `read_capped`: it opens without blocking (a FIFO would otherwise
wait for a writer forever), checks with `fstat` on the open descriptor that it is
a regular file (`/dev/zero` reports size 0 and never ends), and reads at most
`cap + 1` bytes, so the caller can tell "exactly cap" from "longer".
With `follow_symlinks=False` the last path component must not be a symlink.
"""

from __future__ import annotations

import errno
import os
import stat

from compliance.errors import FileReadError
from compliance.records import record

_CHUNK = 1 << 16


@record(frozen=True)
class CappedRead:
    """The bytes read from a file, and whether more were left unread."""

    data: bytes  # at most `cap` bytes
    truncated: bool  # the file is longer than `cap`


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: str | os.PathLike[str], *, follow_symlinks: bool = True) -> int:
    """A read-only descriptor on a regular file; raise `FileReadError` otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    where = os.fspath(path)
    try:
        fd = os.open(where, flags)
    except OSError as e:
        if not follow_symlinks and e.errno in (errno.ELOOP, errno.EMLINK):
            raise FileReadError(where, "is a symbolic link; not followed") from None
        raise FileReadError(where, str(e.strerror or e)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileReadError(where, f"is {_kind(st.st_mode)}, not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_capped(
    path: str | os.PathLike[str], cap: int, *, follow_symlinks: bool = True, start: int = 0
) -> CappedRead:
    """Up to `cap` bytes of a regular file from `start`, and whether there was more."""
    fd = open_regular(path, follow_symlinks=follow_symlinks)
    try:
        if start:
            os.lseek(fd, start, os.SEEK_SET)
        chunks: list[bytes] = []
        left = max(0, cap) + 1
        while left > 0:
            chunk = os.read(fd, min(_CHUNK, left))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as e:
        raise FileReadError(os.fspath(path), str(e.strerror or e)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return CappedRead(data[:cap], len(data) > cap)
