"""The JSON report validates against schemas/report.schema.json and keeps its vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from compliance.lineage.model import RELATIONS
from compliance.report import CATEGORIES, Report
from compliance.reporters import to_json
from compliance.reporters.serialize import SCHEMA_VERSION
from compliance.resources import data_dir


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((data_dir("schemas") / "report.schema.json").read_text(encoding="utf-8"))


def test_sample_and_hostile_reports_validate(
    schema: dict, report: Report, hostile_report: Report
) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    for r in (report, hostile_report):
        jsonschema.Draft202012Validator(schema).validate(json.loads(to_json.render(r)))


def test_schema_vocabulary_matches_the_code(schema: dict) -> None:
    assert schema["$defs"]["category"]["enum"] == list(CATEGORIES)
    assert schema["$defs"]["relation"]["enum"] == [None, *RELATIONS]
    assert schema["properties"]["schema_version"]["pattern"] == "^1\\.[0-9]+$"
    assert SCHEMA_VERSION.startswith("1.")


def test_json_carries_counts_and_untrusted_text_verbatim(
    report: Report, hostile_report: Report
) -> None:
    data = json.loads(to_json.render(report))
    assert data["summary"]["counts"] == {"error": 3, "warning": 1, "info": 1, "waived": 1}
    assert data["summary"]["highest_severity"] == "error"
    assert [f["rule_id"] for f in data["findings"]][-1] == "llama3.1/notice-file"
    # JSON is data, not markup: the hostile text is kept exactly, for consumers to handle.
    hostile = json.loads(to_json.render(hostile_report))
    assert hostile["findings"][0]["fix"] == hostile_report.findings[0].fix


def test_weights_object_with_to_dict_is_serialised(report: Report) -> None:
    class Evidence:
        def to_dict(self) -> dict:
            return {"verdict": "derived", "score": 0.99}

    report.weights = Evidence()
    assert json.loads(to_json.render(report))["weights"] == {"verdict": "derived", "score": 0.99}


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "llama31-finetune-apache"


def test_engine_and_json_share_one_finding_order(tmp_path: Path) -> None:
    """The engine and the serializer sorted findings by two different keys; now one
    (`compliance.report.finding_sort_key`): the JSON keeps the engine's order."""
    from compliance.pipeline import AuditOptions, run_audit

    config = tmp_path / "c.yaml"
    config.write_text(
        "repo_id: acme/SupportBot-8B\n"
        "waivers: [{rule: llama3.1/built-with, reason: On the about page.}]\n",
        "utf-8",
    )
    report = run_audit(
        AuditOptions(target=str(EXAMPLE), config_file=str(config))
    )
    data = json.loads(to_json.render(report))
    keys = [(f.rule_id, f.ancestor, f.message, f.waived) for f in report.findings]
    assert keys == [
        (f["rule_id"], f["ancestor"], f["message"], f["waived"]) for f in data["findings"]
    ]
    assert keys[-1][0] == "llama3.1/built-with" and keys[-1][3] is True  # waived last
