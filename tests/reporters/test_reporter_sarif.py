"""The SARIF reporter: valid against the SARIF 2.1.0 schema (always) and the official
SARIF multitool (when node/npm are there; required under CI=true), with what GitHub
code scanning reads: rules, levels, locations, fingerprints, suppressions."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from sarif_validator import install, validate

from compliance.report import Report
from compliance.reporters import sarif

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _log(report: Report) -> dict:
    return json.loads(sarif.render(report))


def _schema_errors(log: dict) -> list[str]:
    validator = jsonschema.Draft4Validator(SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def test_valid_against_the_sarif_schema(report: Report, hostile_report: Report) -> None:
    assert _schema_errors(_log(report)) == []
    assert _schema_errors(_log(hostile_report)) == []


def test_the_schema_check_can_fail(report: Report) -> None:
    log = _log(report)
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(_schema_errors(log)) >= 2


def test_one_rule_per_fired_rule_with_clause_fix_and_level(report: Report) -> None:
    run = _log(report)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert sorted(rules) == sorted({f.rule_id for f in report.findings})
    assert run["tool"]["driver"]["version"]
    built = rules["llama3.1/built-with"]
    assert "§1.b.i" in built["help"]["text"] and "“Built with Llama”" in built["help"]["text"]
    assert "Fix: Add the sentence “Built with Llama”" in built["help"]["text"]
    assert built["defaultConfiguration"]["level"] == "error"
    assert built["properties"]["license"] == "llama3.1"
    assert built["properties"]["category"] == "missing-attribution"
    assert built["helpUri"].startswith("https://")
    assert rules["llama3.1/mau-threshold"]["defaultConfiguration"]["level"] in ("note", "error")


def test_results_carry_rule_level_location_and_fingerprint(report: Report) -> None:
    run = _log(report)["runs"][0]
    results = {r["ruleId"]: r for r in run["results"]}
    rules = run["tool"]["driver"]["rules"]
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    mismatch = results["llama3.1/license-mismatch"]
    assert mismatch["level"] == "error"
    loc = mismatch["locations"][0]
    assert loc["physicalLocation"]["region"] == {"startLine": 2}
    assert loc["logicalLocations"] == [{"name": "license", "kind": "member"}]
    assert results["core/undeclared-base-model"]["level"] == "warning"
    assert results["llama3.1/mau-threshold"]["level"] == "note"
    # no file in the evidence: the model card, without a made-up line
    naming = results["llama3.1/naming"]["locations"][0]["physicalLocation"]
    assert naming["artifactLocation"]["uri"].endswith("README.md") and "region" not in naming


def test_fingerprints_are_stable_and_distinct(report: Report) -> None:
    def prints(r: Report) -> list[str]:
        results = _log(r)["runs"][0]["results"]
        return [x["partialFingerprints"][sarif.FINGERPRINT_KEY] for x in results]

    first = prints(report)
    assert first == prints(report) and len(set(first)) == len(first)
    # a line shift above the evidence keeps every fingerprint
    shifted = [
        replace(f, evidence=tuple(replace(e, line=(e.line or 0) + 5 or None) for e in f.evidence))
        for f in report.findings
    ]
    assert prints(replace(report, findings=shifted)) == first


def test_waived_findings_are_accepted_suppressions(report: Report) -> None:
    results = {r["ruleId"]: r for r in _log(report)["runs"][0]["results"]}
    assert results["llama3.1/notice-file"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Notice shipped in the product's about page (legal ticket 123).",
        }
    ]
    assert "suppressions" not in results["llama3.1/built-with"]


def test_paths_are_relative_to_the_working_directory(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    report.target = "examples/llama31-finetune-apache"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in _log(report)["runs"][0]["results"]
    }
    assert "examples/llama31-finetune-apache/README.md" in uris
    monkeypatch.chdir(EXAMPLES / "llama31-finetune-apache")
    report.target = "."
    assert "README.md" in {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in _log(report)["runs"][0]["results"]
    }


def test_hostile_text_is_stripped_of_controls(hostile_report: Report) -> None:
    out = sarif.render(hostile_report)
    assert "\\u001b" not in out and "\u202e" not in out and "\\u0000" not in out


@pytest.fixture(scope="module")
def multitool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install(tmp_path_factory.mktemp("sarif-multitool"))


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_official_validator_accepts_every_example(
    example: str, multitool: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from compliance.pipeline import AuditOptions, run_audit

    monkeypatch.chdir(EXAMPLES.parent)
    log = _log(run_audit(AuditOptions(target=f"examples/{example}")))
    assert _schema_errors(log) == []
    out = tmp_path / f"{example}.sarif"
    out.write_text(json.dumps(log), encoding="utf-8")
    proc = validate(multitool, out)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text
    assert ": error " not in text, text
    assert "Analysis completed successfully" in text, text


def test_official_validator_rejects_a_broken_log(
    report: Report, multitool: Path, tmp_path: Path
) -> None:
    if os.environ.get("CI") != "true" and not multitool.exists():
        pytest.skip("multitool not installed")
    log = _log(report)
    log["runs"][0]["results"][0]["ruleIndex"] = 99
    out = tmp_path / "broken.sarif"
    out.write_text(json.dumps(log), encoding="utf-8")
    proc = validate(multitool, out)
    assert ": error " in proc.stdout + proc.stderr or proc.returncode != 0
