"""The command line: the only module that knows Typer.

It parses arguments, calls one `compliance.commands.<verb>.run(...)` (imported
lazily, so `modelcheck --version` and a local audit stay fast), and maps every
outcome to an exit code in one place, `main()` (pre-commit's error_handler):

    0 nothing at or above --fail-on    1 findings at or above it
    2 bad usage or unreadable input    3 internal error    130 interrupted

Every error is one line on stderr; stdout carries only the report.
"""

from __future__ import annotations

import os
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from compliance import __version__
from compliance.errors import ExitCode, ModelcheckError

PROG = "modelcheck"
DEBUG_ENV = "MODELCHECK_DEBUG"


class Format(str, Enum):
    markdown = "markdown"
    json = "json"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class Resolve(str, Enum):
    auto = "auto"
    hub = "hub"
    catalog = "catalog"


app = typer.Typer(
    name=PROG,
    help="Check open-weight model repos for licence and attribution compliance.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
rules_app = typer.Typer(
    help="List and validate rule packs.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(rules_app, name="rules")

OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write the report to FILE, not stdout."),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Report format.")]
RulesOpt = Annotated[
    list[Path] | None,
    typer.Option("--rules", metavar="DIR", help="Extra rule-pack directory (repeatable)."),
]
DebugOpt = Annotated[
    bool, typer.Option("--debug", help=f"Show tracebacks (or set {DEBUG_ENV}=1).")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    debug: DebugOpt = False,  # read by main() before parsing, so parse errors honour it
) -> None:
    """Check open-weight model repos for licence and attribution compliance."""


@app.command()
def audit(
    path: Annotated[
        str, typer.Argument(metavar="PATH", help="A local model repo directory or a Hub id.")
    ],
    fmt: FormatOpt = Format.markdown,
    output: OutputOpt = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Lowest severity that makes the exit status 1 "
            "[default: error, or fail_on from .modelcheck.yaml].",
            show_default=False,
        ),
    ] = None,
    rules: RulesOpt = None,
    config: Annotated[
        Path | None, typer.Option("--config", metavar="FILE", help="A .modelcheck.yaml to use.")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="ORG/NAME", help="The name the model is published as."),
    ] = None,
    resolve: Annotated[
        Resolve,
        typer.Option("--resolve", help="Where ancestor licences come from (hub needs network)."),
    ] = Resolve.auto,
    weights: Annotated[
        bool, typer.Option("--weights", help="Also compare weights with the declared bases.")
    ] = False,
    fingerprints: Annotated[
        list[Path] | None,
        typer.Option("--fingerprints", metavar="DIR", help="Fingerprint files of bases."),
    ] = None,
    debug: DebugOpt = False,
) -> int:
    """Audit one model repo and print a report."""
    from compliance.commands import audit as command

    return command.run(
        path,
        fmt=fmt.value,
        output=output,
        fail_on=fail_on.value if fail_on else None,
        rules_dirs=list(rules or []),
        config_file=config,
        name=name,
        resolve=resolve.value,
        weights=weights,
        fingerprint_dirs=list(fingerprints or []),
    )


@rules_app.command("list")
def rules_list(rules: RulesOpt = None, fmt: FormatOpt = Format.markdown) -> int:
    """List every rule of the built-in packs (and --rules DIR packs)."""
    from compliance.commands import rules as command

    return command.run_list(rules_dirs=list(rules or []), fmt=fmt.value)


@rules_app.command("validate")
def rules_validate(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="A rule-pack directory.")],
) -> int:
    """Validate the rule packs in DIR; exit 2 with one line per problem."""
    from compliance.commands import rules as command

    return command.run_validate(directory)


@app.command()
def explain(
    rule_id: Annotated[str, typer.Argument(metavar="RULE_ID", help="e.g. llama3.1/built-with")],
    rules: RulesOpt = None,
    fmt: FormatOpt = Format.markdown,
) -> int:
    """Explain one rule: what, why, the licence clause, an example, the fix."""
    from compliance.commands import explain as command

    return command.run(rule_id, rules_dirs=list(rules or []), fmt=fmt.value)


@app.command()
def lineage(
    suspect: Annotated[str, typer.Argument(metavar="SUSPECT", help="Model repo (dir or Hub id).")],
    against: Annotated[
        list[str],
        typer.Option("--against", metavar="X", help="Candidate base: repo, dir or fingerprint."),
    ],
    fmt: FormatOpt = Format.markdown,
    output: OutputOpt = None,
) -> int:
    """Compare a model's weights with candidate bases (weight lineage)."""
    from compliance.commands import lineage as command

    return command.run(suspect, against=list(against), fmt=fmt.value, output=output)


@app.command()
def fingerprint(
    repo: Annotated[str, typer.Argument(metavar="REPO", help="Model repo (dir or Hub id).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Fingerprint file to write.")],
) -> int:
    """Sample a model's weights once into a small fingerprint file."""
    from compliance.commands import fingerprint as command

    return command.run(repo, output=output)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def scan(ctx: typer.Context) -> int:
    """Audit a model family into a resumable store; `scan report` renders it (scan --help)."""
    from compliance.commands import scan as command

    return command.main(list(ctx.args))


def _say(message: str) -> None:
    """One line on stderr, however many lines the message had."""
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    print(f"{PROG}: {one_line}", file=sys.stderr)


def _is_cli_usage_error(exc: BaseException) -> bool:
    # Click/Typer usage errors (missing argument, bad choice, unknown option…)
    # carry `exit_code` and `format_message`; Typer may vendor its own Click.
    return hasattr(exc, "format_message") and hasattr(exc, "exit_code")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; the console script exits with it."""
    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args or os.environ.get(DEBUG_ENV, "") not in ("", "0")
    command = typer.main.get_command(app)
    try:
        rv = command.main(args=args, prog_name=PROG, standalone_mode=False)
        if rv == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into a bare exit code
            _say("interrupted")
        return int(rv) if isinstance(rv, int) else ExitCode.OK
    except ModelcheckError as e:
        if debug:
            traceback.print_exc()
        _say(f"error: {e}")
        return int(e.exit_code)
    except typer.Exit as e:
        return int(e.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _say("interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # `modelcheck audit . | head`: the reader left. Point stdout at devnull so the
        # interpreter's final flush does not fail again (Python's documented recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as e:
        if _is_cli_usage_error(e):
            if type(e).__name__ == "NoArgsIsHelpError":
                print(e.format_message(), file=sys.stderr)
            else:
                ctx = getattr(e, "ctx", None)
                where = ctx.command_path if ctx is not None else PROG
                _say(f"usage error: {e.format_message()} (see '{where} --help')")
            return ExitCode.USAGE
        if debug:
            traceback.print_exc()
        hint = "" if debug else f"; rerun with --debug or {DEBUG_ENV}=1 for the traceback"
        first_line = (str(e).strip().splitlines() or [""])[0]
        _say(f"internal error: {type(e).__name__}: {first_line}{hint}. Please report it.")
        return ExitCode.INTERNAL


if __name__ == "__main__":
    sys.exit(main())
