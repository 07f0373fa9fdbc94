"""Baselines: recorded findings are reported as waived ("baseline") and do not fail;
new ones still do; edits that move a finding's line keep it recorded."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from compliance import baseline
from compliance.commands.audit import exit_code
from compliance.errors import ConfigError
from compliance.report import Evidence, Finding, Report, Severity


def _finding(rule: str, line: int | None = 3, key: str | None = "card:license") -> Finding:
    return Finding(
        rule, "license-mismatch", Severity.ERROR, "m",
        (Evidence(file="README.md", line=line, key=key),), ancestor="org/base",
    )


def _report(*findings: Finding) -> Report:
    return Report(
        target=".", source_kind="local", model_name="org/m", model_name_source="--name",
        declared_license=None, relation="finetune", findings=list(findings),
    )


def test_round_trip_waives_recorded_findings_only(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    old = _finding("llama3.1/license-id")
    assert baseline.write(_report(old), path) == 1
    recorded = baseline.read(path)
    moved = replace(old, evidence=(replace(old.evidence[0], line=30),))
    new = _finding("llama3.1/built-with", line=None, key=None)
    out = baseline.apply(_report(moved, new), recorded, str(path))
    assert [f.waived for f in out.findings] == [True, False]
    assert out.findings[0].waiver_reason.startswith(f"baseline ({path})")
    assert exit_code(out, "error") == 1  # the new finding still fails
    assert exit_code(baseline.apply(_report(moved), recorded, str(path)), "error") == 0


def test_file_names_rule_ancestor_and_location(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    baseline.write(_report(_finding("llama3.1/license-id")), path)
    data = json.loads(path.read_text("utf-8"))
    assert data["modelcheck_baseline"] == 1
    (entry,) = data["findings"]
    assert entry["rule_id"] == "llama3.1/license-id"
    assert entry["ancestor"] == "org/base"
    assert entry["location"] == "README.md:3"


def test_waived_findings_are_not_recorded(tmp_path: Path) -> None:
    waived = replace(_finding("x/y"), waived=True, waiver_reason="ok")
    assert baseline.write(_report(waived), tmp_path / "b.json") == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "invalid JSON"),
        ('{"findings": []}', "not a modelcheck baseline"),
        ('{"modelcheck_baseline": 1, "findings": [1]}', "must be a list of objects"),
        (b"\xff\xfe", "invalid JSON"),
    ],
)
def test_bad_baseline_files_are_one_line_errors(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / "b.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as e:
        baseline.read(path)
    assert "\n" not in str(e.value) and str(path) in str(e.value)


def test_missing_baseline_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the baseline"):
        baseline.read(tmp_path / "nope.json")
