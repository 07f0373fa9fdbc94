"""The arguments the running `modelcheck` was given, for reports that say how to rerun
them (`main(argv)` may be called with other arguments than the process's own)."""

from __future__ import annotations

ARGS: list[str] | None = None  # set by compliance.cli.main


def command_line() -> str:
    """The command as typed: `modelcheck ` and the arguments, shell-quoted."""
    import shlex
    import sys

    args = ARGS if ARGS is not None else (sys.argv[1:] if sys.argv and sys.argv[0] else [])
    return " ".join(["modelcheck", *(shlex.quote(a) for a in args)])
