"""Each bundled example produces exactly the finding families its name promises,
through the real CLI and pipeline (no network: ancestors come from the catalog)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from cli_support import EXAMPLES, REPO_ROOT, make_llama_example_compliant, modelcheck_cmd

from compliance import cli
from compliance.resources import data_dir


def _audit(path: Path, tmp_path: Path, *extra: str) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    code = cli.main(["audit", str(path), "--format", "json", "-o", str(out), *extra])
    return code, json.loads(out.read_text(encoding="utf-8"))


def _categories(report: dict, *severities: str) -> set[str]:
    return {
        f["category"]
        for f in report["findings"]
        if f["severity"] in severities and not f["waived"]
    }


def _ancestors(report: dict) -> list[tuple[str, str | None, str | None]]:
    return [(a["repo_id"], a["relation"], a["license"]) for a in report["lineage"]["ancestors"]]


def test_llama31_finetune_published_as_apache(tmp_path: Path) -> None:
    code, report = _audit(EXAMPLES / "llama31-finetune-apache", tmp_path)
    assert code == 1
    assert _categories(report, "error") == {
        "license-incompatible",  # apache-2.0 on a Llama 3.1 derivative
        "missing-attribution",  # no "Built with Llama"
        "missing-notice",  # no NOTICE file
        "missing-license-file",  # LICENSE is Apache, not the Llama agreement
        "naming",  # acme/SupportBot-8B does not start with "Llama"
    }
    assert _categories(report, "info") >= {"use-policy"}  # the AUP link is recommended
    assert all(f["rule_id"].startswith("llama3.1/") for f in report["findings"])
    assert _ancestors(report)[0] == ("meta-llama/Llama-3.1-8B-Instruct", "finetune", "llama3.1")


def test_the_llama_example_passes_once_fixed(tmp_path: Path) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "llama31-finetune-apache", repo)
    make_llama_example_compliant(repo)
    code, report = _audit(repo, tmp_path)
    assert code == 0, [f["rule_id"] for f in report["findings"]]
    assert _categories(report, "error", "warning") == set()


def test_qwen25_compliant_derivative(tmp_path: Path) -> None:
    code, report = _audit(EXAMPLES / "qwen25-compliant", tmp_path, "--fail-on", "warning")
    assert code == 0
    assert _categories(report, "error", "warning") == set()
    assert report["model"]["declared_license"] == "other (qwen)"
    assert _ancestors(report)[0] == ("Qwen/Qwen2.5-72B-Instruct", "finetune", "qwen")
    states = {o["rule_id"]: o["state"] for o in report["obligations"]}
    assert states["qwen/notice-file"] == "met"
    assert states["qwen/built-with"] == "met"


def test_gguf_quantization_of_gemma(tmp_path: Path) -> None:
    code, report = _audit(EXAMPLES / "gguf-quant", tmp_path)
    assert code == 1
    assert _categories(report, "error", "warning") == {"missing-notice"}  # no Gemma NOTICE
    assert report["model"]["relation"] == "quantized"
    assert _ancestors(report)[0] == ("google/gemma-2-2b-it", "quantized", "gemma")
    keys = {e["key"] for e in report["lineage"]["ancestors"][0]["evidence"]}
    assert "gguf:general.base_model.0.repo_url" in keys  # read from the GGUF header


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_real_reports_validate_against_the_schema(example: str, tmp_path: Path) -> None:
    schema = json.loads((data_dir("schemas") / "report.schema.json").read_text("utf-8"))
    _, report = _audit(EXAMPLES / example, tmp_path)
    jsonschema.Draft202012Validator(schema).validate(report)


def test_console_script_keeps_stdout_for_the_report() -> None:
    proc = subprocess.run(
        [*modelcheck_cmd(), "audit", "examples/llama31-finetune-apache"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert proc.stdout.startswith("# modelcheck: acme/SupportBot-8B\n")
    assert "## Recommendations" in proc.stdout


def test_audit_is_deterministic(tmp_path: Path) -> None:
    example = EXAMPLES / "llama31-finetune-apache"
    assert _audit(example, tmp_path) == _audit(example, tmp_path)
