"""The terminal reporter: one linter-style line per finding, a fix hint, one summary
line; colour only on a TTY without NO_COLOR; repo text cannot reach the terminal raw."""

from __future__ import annotations

import io

import pytest

from compliance.report import Report
from compliance.reporters import terminal
from compliance.reporters.locate import Location, fingerprint, locate


def test_one_line_per_finding_with_location_rule_and_severity(report: Report) -> None:
    out = terminal.render(report, color=False).splitlines()
    assert out[2] == (
        "README.md:2: llama3.1/license-mismatch error  "
        "The card declares `apache-2.0`, which the Llama 3.1 licence does not allow."
    )
    assert out[3] == "    fix: Set `license: llama3.1` in the card metadata."
    # evidence without a line: the file, or the key when there is no file
    assert out[0].startswith("README.md: llama3.1/built-with error  The model card does not")
    assert out[4].startswith("(--name): llama3.1/naming error  ")
    assert any(line.startswith("config.json (_name_or_path): core/undeclared-base-model "
                               "warning") for line in out)
    assert any(line.startswith(".: llama3.1/mau-threshold info ") for line in out)


def test_waived_findings_come_last_with_their_reason(report: Report) -> None:
    out = terminal.render(report, color=False).splitlines()
    assert out[-3].startswith("NOTICE: llama3.1/notice-file waived  ")
    assert out[-2] == "    waived: Notice shipped in the product's about page (legal ticket 123)."


def test_summary_counts_and_unchecked_obligations(report: Report) -> None:
    last = terminal.render(report, color=False).splitlines()[-1]
    assert last.startswith(
        "acme/llama31-support-bot (finetune of meta-llama/Llama-3.1-8B): "
        "3 errors, 1 warning, 1 info; 1 waived; 1 obligation not checkable from files; 1 note"
    )


def test_a_clean_report_still_says_what_was_not_checked(report: Report) -> None:
    report.findings = []
    out = terminal.render(report, color=False).splitlines()
    assert len(out) == 1
    assert "0 errors, 0 warnings, 0 info; 1 obligation not checkable from files" in out[0]


def test_no_escape_sequences_without_colour(report: Report) -> None:
    assert "\x1b" not in terminal.render(report, color=False)


def test_colour_paints_severity_and_location(report: Report) -> None:
    out = terminal.render(report, color=True)
    assert "\x1b[1;31merror\x1b[0m" in out
    assert "\x1b[1mREADME.md:2:\x1b[0m" in out


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("tty", "no_color", "expected"),
    [(True, None, True), (True, "1", False), (False, None, False), (True, "", True)],
)
def test_colour_only_on_a_tty_without_no_color(
    monkeypatch: pytest.MonkeyPatch, tty: bool, no_color: str | None, expected: bool
) -> None:
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert terminal.use_color(_Stream(tty)) is expected


def test_hostile_repo_text_is_one_inert_line_per_field(hostile_report: Report) -> None:
    out = terminal.render(hostile_report, color=False)
    assert "\x1b" not in out and "\u202e" not in out and "\x00" not in out
    # a finding is two lines (message, fix) plus the summary: no injected newlines
    assert len(out.splitlines()) == 3


def test_locations() -> None:
    assert Location("README.md", 3, "license").label == "README.md:3"
    assert Location("README.md", None, "license").label == "README.md (license)"
    assert Location(None, None, "model name").label == "(model name)"
    assert Location(None, None, None).label == "."


def test_card_keys_lose_their_prefix_and_fingerprints_ignore_lines(report: Report) -> None:
    from dataclasses import replace

    from compliance.report import Evidence

    f = next(f for f in report.findings if f.rule_id == "llama3.1/license-mismatch")
    assert locate(f) == Location("README.md", 2, "license")
    moved = replace(f, evidence=(replace(f.evidence[0], line=40),))
    assert fingerprint(moved) == fingerprint(f)
    elsewhere = replace(f, evidence=(Evidence(file="config.json", key="license"),))
    assert fingerprint(elsewhere) != fingerprint(f)
    assert fingerprint(replace(f, ancestor="other/base")) != fingerprint(f)
