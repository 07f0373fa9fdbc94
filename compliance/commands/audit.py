"""`modelcheck audit PATH`: run the pipeline, render the report, pick the exit code."""

from __future__ import annotations

from pathlib import Path

from compliance.commands.output import emit
from compliance.errors import ConfigError, ExitCode
from compliance.report import DEFAULT_FAIL_ON, FAIL_ON_ALIASES, Report, Severity
from compliance.report import FAIL_ON as FAIL_ON_CHOICES


def effective_fail_on(flag: str | None, report: Report) -> str:
    """The flag wins; then `fail_on` from .modelcheck.yaml; then "error"."""
    value = flag or report.config_fail_on or DEFAULT_FAIL_ON
    value = FAIL_ON_ALIASES.get(value, value)
    if value not in FAIL_ON_CHOICES:
        raise ConfigError(f"fail_on: {value!r} is not one of {', '.join(FAIL_ON_CHOICES)}")
    return value


def exit_code(report: Report, fail_on: str) -> ExitCode:
    """1 when a finding that is not waived is at or above `fail_on`, else 0."""
    if fail_on == "never":
        return ExitCode.OK
    threshold = Severity(fail_on).rank
    failing = any(not f.waived and f.severity.rank >= threshold for f in report.findings)
    return ExitCode.FINDINGS if failing else ExitCode.OK


def run(
    target: str,
    *,
    fmt: str = "markdown",
    output: Path | None = None,
    fail_on: str | None = None,
    rules_dirs: list[Path] | None = None,
    config_file: Path | None = None,
    name: str | None = None,
    resolve: str = "auto",
    weights: bool = False,
    fingerprint_dirs: list[Path] | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    baseline: Path | None = None,
    write_baseline: Path | None = None,
) -> int:
    from compliance import parse_cache, reporters
    from compliance.pipeline import AuditOptions, run_audit

    if weights or fingerprint_dirs:
        from compliance.commands.weights_extra import require_weights_extra

        require_weights_extra("audit --weights")

    report = run_audit(
        AuditOptions(
            target=target,
            name=name,
            rules_dirs=[str(d) for d in rules_dirs or []],
            config_file=str(config_file) if config_file else None,
            resolve=resolve,
            weights=weights,
            fingerprint_dirs=[str(d) for d in fingerprint_dirs or []],
        )
    )
    parse_cache.save()  # the card's front matter, for the next run
    if select or ignore or baseline or write_baseline:
        from compliance.commands.triage import triage

        report = triage(report, select, ignore, baseline, write_baseline)
    threshold = effective_fail_on(fail_on, report)
    emit(reporters.get(fmt, to_stdout=output is None)(report), output)
    return exit_code(report, threshold)
