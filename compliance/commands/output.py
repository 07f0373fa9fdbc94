"""Every `-o FILE` of every command goes through here.

The rules: an existing target must be a regular file (never a device, FIFO or
directory: writing "to /dev/null" as root would otherwise replace the device node);
the parent directory must exist; bytes go to a fresh temp file in the target's own
directory (unique per writer, so concurrent runs never share one) that is renamed over
the target only once complete, so a reader never sees half a report and an error leaves
no partial file. Every failure is a `ModelcheckError` (exit 2) naming the path.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from compliance.errors import ModelcheckError


class OutputError(ModelcheckError):
    """The output file cannot be written where the user asked."""


def _reason(e: OSError) -> str:
    return e.strerror or str(e)


def check_target(path: Path, what: str = "report") -> None:
    """Refuse an output path that is not (or would not become) a regular file."""
    try:
        st = os.stat(path)  # follows a symlink: its target is what would be replaced
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputError(f"{path}: cannot write the {what}: {_reason(e)}") from e
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise OutputError(f"{path}: cannot write the {what}: it is {kind}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{path}: cannot write the {what}: no directory {parent}")


def _mode() -> int:
    # what open() would have given a new file: 0o666 less the umask
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_output(path: Path, what: str = "report") -> Iterator[tuple[int, str]]:
    """Yield (fd, temp name) of a new file beside `path`; on a clean exit it replaces
    `path`, on any error it is removed. The caller writes through the fd (or the name)."""
    path = Path(path)
    check_target(path, what)
    parent = path.parent if str(path.parent) else Path(".")
    import tempfile  # with shutil, bz2, lzma and random: only for --output

    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".part", dir=parent)
    except OSError as e:
        raise OutputError(f"{path}: cannot write the {what}: {_reason(e)}") from e
    done = False
    try:
        yield fd, tmp
        with contextlib.suppress(OSError):
            os.chmod(tmp, _mode())  # the caller may have replaced the temp file by name
        check_target(path, what)  # it may have become a device or directory meanwhile
        try:
            os.replace(tmp, path)
        except OSError as e:
            raise OutputError(f"{path}: cannot write the {what}: {_reason(e)}") from e
        done = True
    except OSError as e:
        if isinstance(e, ModelcheckError):
            raise
        raise OutputError(f"{path}: cannot write the {what}: {_reason(e)}") from e
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_output(path: Path, data: str | bytes, what: str = "report") -> None:
    """Write `data` (text as UTF-8) to `path` by the rules above."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_output(path, what) as (fd, _tmp):
        view = memoryview(payload)
        while view:
            n = os.write(fd, view)
            view = view[n:]


def emit(text: str, output: Path | None) -> None:
    """Print `text` to stdout, or write it to `output`."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_output(output, text)
