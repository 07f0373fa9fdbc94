"""A Git LFS pointer in place of weights is said to be one, as info, not a bad header."""

from __future__ import annotations

from pathlib import Path

from compliance.pipeline import AuditOptions, run_audit

POINTER = (
    b"version https://git-lfs.github.com/spec/v1\n"
    b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    b"size 16060522496\n"
)


def test_pointer_files_are_named_and_not_parsed(facts_of):
    facts = facts_of({"model.safetensors": POINTER, "model-q8.gguf": POINTER})
    messages = [p.message for p in facts.problems]
    assert sorted(m.split(":")[0] for m in messages) == ["model-q8.gguf", "model.safetensors"]
    assert all("Git LFS pointer, weights not checked out" in m for m in messages)
    assert {p.category for p in facts.problems} == {"unverifiable"}
    assert not any("header length" in m for m in messages)


def test_a_small_file_that_is_not_a_pointer_is_still_parsed(facts_of):
    facts = facts_of({"model.safetensors": b"version 1\n" + b"x" * 20})
    assert [p for p in facts.problems if "safetensors header" in p.message]


def test_audit_reports_it_as_info(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# M\n")
    (tmp_path / "model.safetensors").write_bytes(POINTER)
    report = run_audit(AuditOptions(target=str(tmp_path)))
    [finding] = [f for f in report.findings if "LFS pointer" in f.message]
    assert finding.severity.value == "info"
    assert not [f for f in report.findings if "header length" in f.message]
