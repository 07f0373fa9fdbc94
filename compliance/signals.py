"""How the process ends when the outside world ends it: SIGTERM, or a closed stdout.

- SIGTERM ends the run like Ctrl-C: the command unwinds (the report is written only
  once the audit is done, so an audit stopped midway leaves no report file), one line
  on stderr, exit 130.
- A reader that leaves early (`modelcheck audit . | head -1`) closes our stdout; the
  report is then simply not delivered, and the exit code stays the audit's (0 or 1),
  not a failure of its own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Any, TextIO


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the main thread is, and handled like Ctrl-C."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def install_sigterm() -> None:
    """Turn SIGTERM into `Terminated` (main thread only; elsewhere Python refuses)."""
    # not the main thread, or no SIGTERM on this platform: nothing to install
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGTERM, _on_sigterm)


class _PipeSafe:
    """A text stream whose writes stop quietly once the reader has gone."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.closed_by_reader = False

    def _gone(self) -> None:
        self.closed_by_reader = True
        # Python's documented recipe: point the fd at devnull so the interpreter's
        # final flush does not fail again.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)

    def write(self, text: str) -> int:
        if self.closed_by_reader:
            return len(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        if self.closed_by_reader:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_process() -> None:
    """Install both guards; the CLI calls this once, before running a command."""
    install_sigterm()
    if not isinstance(sys.stdout, _PipeSafe) and sys.stdout is not None:
        sys.stdout = _PipeSafe(sys.stdout)
