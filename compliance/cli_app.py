"""The command line as Typer declares it: every command, option and help text.

`compliance.cli.main` imports this module for everything its fast path does not
take (help, bad usage, every command but a plain `audit`), so Typer's import is
paid only there. Choices come from `compliance.cli` (formats from the reporter
registry), so the two paths accept the same values.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from compliance import __version__
from compliance.cli import (
    DEBUG_ENV,
    FAIL_ON_CHOICES,
    FORMATS,
    PROG,
    RESOLVE_CHOICES,
    audit_formats,
    run_audit_command,
)

# Enums built from the shared tuples: Typer shows them as choices in --help.
AuditFormat = Enum("AuditFormat", {n: n for n in audit_formats()}, type=str)  # type: ignore[misc]
Format = Enum("Format", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]
FailOn = Enum("FailOn", {name: name for name in FAIL_ON_CHOICES}, type=str)  # type: ignore[misc]
Resolve = Enum("Resolve", {name: name for name in RESOLVE_CHOICES}, type=str)  # type: ignore[misc]

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
    ] = ".",
    fmt: Annotated[
        AuditFormat, typer.Option("--format", "-f", help="Report format.")
    ] = AuditFormat.markdown,  # type: ignore[attr-defined]
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
    ] = Resolve.auto,  # type: ignore[attr-defined]
    weights: Annotated[
        bool, typer.Option("--weights", help="Also compare weights with the declared bases.")
    ] = False,
    fingerprints: Annotated[
        list[Path] | None,
        typer.Option("--fingerprints", metavar="DIR", help="Fingerprint files of bases."),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", metavar="RULES", help="Only these rule ids, packs or "
                     "categories (comma-separated, repeatable)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", metavar="RULES", help="Leave out these rule ids, packs or "
                     "categories (comma-separated, repeatable)."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", metavar="FILE", help="Findings recorded in FILE do not fail."),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option("--write-baseline", metavar="FILE", help="Record every finding in FILE."),
    ] = None,
    debug: DebugOpt = False,
) -> int:
    """Audit one model repo and print a report."""
    return run_audit_command(
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
        select=list(select or []),
        ignore=list(ignore or []),
        baseline=baseline,
        write_baseline=write_baseline,
    )


@rules_app.command("list")
def rules_list(rules: RulesOpt = None, fmt: FormatOpt = Format.markdown) -> int:  # type: ignore[attr-defined]
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
    fmt: FormatOpt = Format.markdown,  # type: ignore[attr-defined]
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
    fmt: FormatOpt = Format.markdown,  # type: ignore[attr-defined]
    output: OutputOpt = None,
) -> int:
    """Compare a model's weights with candidate bases (weight lineage)."""
    from compliance.commands import lineage as command

    return command.run(suspect, against=list(against), fmt=fmt.value, output=output)


@app.command()
def fix(
    path: Annotated[str, typer.Argument(metavar="PATH", help="A local model repo directory.")],
    write: Annotated[bool, typer.Option("--write", help="Apply the edits.")] = False,
    license_file: Annotated[
        Path | None, typer.Option("--license-file", metavar="FILE", help="Base licence to copy.")
    ] = None,
    rules: RulesOpt = None,
    name: Annotated[str | None, typer.Option("--name", metavar="ORG/NAME")] = None,
) -> int:
    """Show the edits the findings ask for as a diff (exit 1); --write applies them (exit 0)."""
    from compliance.commands import fix as command

    return command.run(path, write=write, license_file=license_file, rules_dirs=rules, name=name)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def scan(ctx: typer.Context) -> int:
    """Audit a model family into a resumable store; `scan report` renders it (scan --help)."""
    from compliance.commands import scan as command

    return command.main(list(ctx.args))


@app.command()
def fingerprint(
    repo: Annotated[str, typer.Argument(metavar="REPO", help="Model repo (dir or Hub id).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Fingerprint file to write.")],
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="ORG/NAME", help="Repo id to store (default: found)."),
    ] = None,
    full_digests: Annotated[
        bool,
        typer.Option(
            "--full-digests",
            help="Also hash every tensor whole (reads the whole model), so that comparisons "
            "can say byte-identical; without it they compare sampled blocks.",
        ),
    ] = False,
) -> int:
    """Sample a model's weights once into a small fingerprint file."""
    from compliance.commands import fingerprint as command

    return command.run(repo, output=output, name=name, full_digests=full_digests)
