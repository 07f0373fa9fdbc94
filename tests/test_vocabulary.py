"""The audit vocabulary has one definition (`compliance.report`); the places that must
spell it again for their own tools (the CLI's choices, the config schema) agree with it."""

from __future__ import annotations

from compliance import cli, cli_app, config
from compliance.report import FAIL_ON, FAIL_ON_ALIASES, RESOLVE_MODES


def test_cli_choices_are_the_report_vocabulary() -> None:
    assert tuple(v.value for v in cli_app.FailOn) == FAIL_ON
    assert tuple(v.value for v in cli_app.Resolve) == RESOLVE_MODES
    assert (cli.FAIL_ON_CHOICES, cli.RESOLVE_CHOICES) == (FAIL_ON, RESOLVE_MODES)


def test_config_accepts_exactly_the_fail_on_values() -> None:
    assert set(config.FAIL_ON) == set(FAIL_ON) | set(FAIL_ON_ALIASES)
