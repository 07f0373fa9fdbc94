"""The command line's entry point: parse, run one command, map the outcome to an exit code.

Every outcome is mapped in one place, `main()` (pre-commit's error_handler):

    0 nothing at or above --fail-on    1 findings at or above it
    2 bad usage or unreadable input    3 internal error    130 interrupted

Every error is one line on stderr; stdout carries only the report.

Two parsers, one behaviour. Typer (`compliance.cli_app`) declares the whole CLI, but
importing it costs more than a whole cached local audit, and the pre-commit hook runs
`modelcheck audit ...` on every commit. So `main()` first tries `parse_audit`, which
accepts only a well-formed `audit` invocation whose every option is in `AUDIT_OPTIONS`
and hands the same arguments to the same `run_audit_command`; anything else (help, a
typo, a bad choice, another command) goes to Typer, so every usage error and help text
comes from Typer alone. `tests/cli/test_cli_fast_path.py` holds the two to the same
results. To add an audit option: declare it in `cli_app.audit` and add one line to
`AUDIT_OPTIONS` (the test fails until both agree); an option missing from the table
still works, through Typer. To add a report format: one line in
`compliance.reporters.REPORTERS` (both paths read it).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any, NamedTuple, NoReturn

from compliance import __version__
from compliance.errors import ExitCode, ModelcheckError
from compliance.vocabulary import FAIL_ON, RESOLVE_MODES

PROG = "modelcheck"
DEBUG_ENV = "MODELCHECK_DEBUG"
# The cycle collector runs after every 700 new container objects by default: some 30
# times in one hook run, 5-8 ms of CPU, for the ~100 objects in reference cycles that
# a whole audit leaves. A run collects after every GC_THRESHOLD new objects instead, so
# garbage in cycles stays bounded while a short run pays for (almost) no collection.
GC_THRESHOLD = 100_000

FORMATS: tuple[str, ...] = ("markdown", "json")  # rules list, explain, lineage
FAIL_ON_CHOICES: tuple[str, ...] = FAIL_ON
RESOLVE_CHOICES: tuple[str, ...] = RESOLVE_MODES


def audit_formats() -> tuple[str, ...]:
    """Every registered reporter (imported here, not at start-up: `--version` stays bare)."""
    from compliance.reporters import REPORTERS

    return tuple(REPORTERS)


class Opt(NamedTuple):
    """One `audit` option as the fast path reads it."""

    flags: tuple[str, ...]
    dest: str  # keyword of run_audit_command; "" for --debug, which main() reads itself
    kind: str  # "flag", "str", "path", "paths"/"strs" (repeatable), "choice" or "format"
    default: Any = None
    choices: tuple[str, ...] = ()  # for "choice"; a "format" is any audit_formats()


# One line per option of `cli_app.audit` (tests/cli/test_cli_fast_path.py checks both agree).
AUDIT_OPTIONS: tuple[Opt, ...] = (
    Opt(("--format", "-f"), "fmt", "format", "markdown"),
    Opt(("--output", "-o"), "output", "path"),
    Opt(("--fail-on",), "fail_on", "choice", None, FAIL_ON_CHOICES),
    Opt(("--rules",), "rules_dirs", "paths", ()),
    Opt(("--config",), "config_file", "path"),
    Opt(("--name",), "name", "str"),
    Opt(("--resolve",), "resolve", "choice", "auto", RESOLVE_CHOICES),
    Opt(("--weights",), "weights", "flag", False),
    Opt(("--fingerprints",), "fingerprint_dirs", "paths", ()),
    Opt(("--select",), "select", "strs", ()),
    Opt(("--ignore",), "ignore", "strs", ()),
    Opt(("--baseline",), "baseline", "path"),
    Opt(("--write-baseline",), "write_baseline", "path"),
    Opt(("--debug",), "", "flag", False),
)
AUDIT_FLAGS: dict[str, Opt] = {flag: opt for opt in AUDIT_OPTIONS for flag in opt.flags}


def audit_defaults() -> dict[str, Any]:
    """The keyword arguments of an audit given no options (fresh lists each call)."""
    return {
        o.dest: list(o.default) if o.kind in ("paths", "strs") else o.default
        for o in AUDIT_OPTIONS
        if o.dest
    }


def run_audit_command(path: str, **options: Any) -> int:
    """`modelcheck audit PATH`, whichever parser read the arguments."""
    from compliance.commands import audit as command

    return command.run(path, **options)


def parse_audit(args: list[str]) -> tuple[str, dict[str, Any]] | None:
    """(PATH, keyword arguments) for a plain, valid `audit` invocation; None for anything
    this parser does not take on (Typer then parses it, errors and help included)."""
    if len(args) < 2 or args[0] != "audit":
        return None
    from pathlib import Path
    options = audit_defaults()
    paths: list[str] = []
    rest = iter(args[1:])
    for arg in rest:
        if not arg.startswith("-"):
            paths.append(arg)
            continue
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        opt = AUDIT_FLAGS.get(name)
        if opt is None:  # --help, --, -fjson, a typo: Typer's to answer
            return None
        if opt.kind == "flag":
            if eq:
                return None
            if opt.dest:
                options[opt.dest] = True
            continue
        value = inline if eq else next(rest, None)
        if value is None or value == "" or value.startswith("-"):
            return None
        if opt.kind == "choice" and value not in opt.choices:
            return None
        if opt.kind == "format" and value not in audit_formats():
            return None
        if opt.kind == "paths":
            options[opt.dest].append(Path(value))
        elif opt.kind == "strs":
            options[opt.dest].append(value)
        else:
            options[opt.dest] = Path(value) if opt.kind == "path" else value
    if len(paths) > 1:
        return None
    return (paths[0] if paths else "."), options


def _guard() -> None:
    from compliance.env_check import check_environment
    from compliance.signals import guard_process

    guard_process()
    check_environment()


def _say(message: str) -> None:
    """One line on stderr, however many lines the message had (echoed input is cut)."""
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    one_line = one_line if len(one_line) <= 1000 else one_line[:999] + "…"
    print(f"{PROG}: {one_line}", file=sys.stderr)


def _is_cli_usage_error(exc: BaseException) -> bool:
    # Click/Typer usage errors (missing argument, bad choice, unknown option…)
    # carry `exit_code` and `format_message`; Typer may vendor its own Click.
    return hasattr(exc, "format_message") and hasattr(exc, "exit_code")


def _is_click(exc: BaseException, name: str) -> bool:
    """Click's Exit/Abort, recognised without importing Click (the fast path never does)."""
    return type(exc).__name__ == name and "click" in type(exc).__module__


def _fast(args: list[str]) -> int | None:
    """The exit code of `--version` or a plain audit, run without Typer; None otherwise."""
    if args == ["--version"]:
        print(f"{PROG} {__version__}")
        return ExitCode.OK
    parsed = parse_audit(args)
    if parsed is None:
        return None
    path, options = parsed
    return run_audit_command(path, **options)


def _run(args: list[str]) -> int:
    code = _fast(args)
    if code is not None:
        return code
    import typer.main

    from compliance.cli_app import app

    command = typer.main.get_command(app)
    rv = command.main(args=args, prog_name=PROG, standalone_mode=False)
    if rv == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into a bare exit code
        _say("interrupted")
    return int(rv) if isinstance(rv, int) else ExitCode.OK


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; the console script exits with it."""
    args = sys.argv[1:] if argv is None else list(argv)
    from compliance import invocation  # reports state how to rerun them

    invocation.ARGS = args
    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    try:
        return _main(args)
    finally:
        gc.set_threshold(*before)
        for name in ("compliance.regex_cache", "compliance.code_cache"):
            compiled = sys.modules.get(name)
            if compiled is not None:  # imported only by the commands that compile
                compiled.save()


def _main(args: list[str]) -> int:
    debug = "--debug" in args or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    try:
        _guard()
        return _run(args)
    except ModelcheckError as e:
        if debug:
            import traceback

            traceback.print_exc()
        _say(f"error: {e}")
        return int(e.exit_code)
    except KeyboardInterrupt:
        _say("interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # `modelcheck audit . | head`: the reader left. Point stdout at devnull so the
        # interpreter's final flush does not fail again (Python's documented recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as e:
        if _is_click(e, "Exit"):
            return int(getattr(e, "exit_code", 0))
        if _is_click(e, "Abort"):
            _say("interrupted")
            return ExitCode.INTERRUPTED
        if _is_cli_usage_error(e):
            usage: Any = e  # a Click exception, typed without importing Click
            if type(e).__name__ == "NoArgsIsHelpError":
                print(usage.format_message(), file=sys.stderr)
            else:
                ctx = getattr(e, "ctx", None)
                where = ctx.command_path if ctx is not None else PROG
                _say(f"usage error: {usage.format_message()} (see '{where} --help')")
            return ExitCode.USAGE
        if debug:
            import traceback

            traceback.print_exc()
        hint = "" if debug else f"; rerun with --debug or {DEBUG_ENV}=1 for the traceback"
        first_line = (str(e).strip().splitlines() or [""])[0]
        _say(f"internal error: {type(e).__name__}: {first_line}{hint}. Please report it.")
        return ExitCode.INTERNAL


def _nothing_left_to_run() -> bool:
    """No exit handler registered and no other thread running: nothing but freeing
    memory happens between here and the end of the process."""
    import atexit

    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False
    registered = getattr(atexit, "_ncallbacks", None)  # CPython's count of exit handlers
    return registered is not None and registered() == 0


def entry_point() -> NoReturn:
    """The console script: `main()`, then exit without tearing the interpreter down.

    Freeing every module and object at exit costs about as much CPU as starting Python,
    and the operating system reclaims all of it anyway. Anything else still to run at exit
    (an exit handler, another thread) or output that cannot be flushed takes the ordinary
    exit instead, so it behaves exactly as before.
    """
    code = main()
    if _nothing_left_to_run():
        try:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()
        except (OSError, ValueError):
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry_point()
