"""Card metadata the Hub ignores (after a heading, in a code fence) is read and reported."""

from __future__ import annotations

from tests.audit_support import audit_files

AFTER_HEADING = (
    "# **Acme-CodeLlama-34B**\n\n---\nlicense: llama2\n"
    "base_model: codellama/CodeLlama-34b-hf\n---\n\nText.\n"
)
IN_FENCE = "```yaml\nlicense: gemma\nbase_model: google/gemma-2-9b-it\n```\n\n## Title\n"


def _invalid(report):
    return [f.message for f in report.findings if f.category == "metadata-invalid"]


def test_block_after_heading(tmp_path):
    r = audit_files(tmp_path, {"README.md": AFTER_HEADING})
    assert r.declared_license == "llama2"
    assert [a.repo_id for a in r.lineage.direct()] == ["codellama/CodeLlama-34b-hf"]
    assert any("Hub ignores it" in m and "README.md:3" in m for m in _invalid(r))
    assert "license-missing" not in {f.category for f in r.findings}


def test_block_in_code_fence(tmp_path):
    r = audit_files(tmp_path, {"README.md": IN_FENCE})
    assert r.declared_license == "gemma"
    assert any("inside a code fence" in m for m in _invalid(r))


def test_example_config_in_a_fence_is_not_metadata(tmp_path):
    body = "# Acme\n\n```yaml\nmodels:\n  - model: a/b\nmerge_method: slerp\n```\n"
    r = audit_files(tmp_path, {"README.md": body})
    assert r.declared_license is None and not _invalid(r)
