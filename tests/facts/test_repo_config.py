"""`.modelcheck.yml` is read like `.modelcheck.yaml`; with both, `.yaml` wins and a note says so."""

from __future__ import annotations

from pathlib import Path

from compliance.facts.wanted import read_by_facts
from compliance.pipeline import AuditOptions, run_audit


def test_yml_spelling_is_read(facts_of):
    facts = facts_of({".modelcheck.yml": "repo_id: org/from-yml\n"})
    assert facts.modelcheck_config == {"repo_id": "org/from-yml"}


def test_yaml_wins_over_yml_with_a_note(facts_of):
    facts = facts_of(
        {".modelcheck.yaml": "repo_id: org/a\n", ".modelcheck.yml": "repo_id: org/b\n"}
    )
    assert facts.modelcheck_config == {"repo_id": "org/a"}
    assert any(".modelcheck.yml" in n for n in facts.notes)


def test_yml_is_fetched_up_front_from_the_hub() -> None:
    assert read_by_facts(".modelcheck.yml")


def test_audit_uses_the_yml_config(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# M\n")
    (tmp_path / ".modelcheck.yml").write_text("repo_id: acme/From-Yml\n")
    report = run_audit(AuditOptions(target=str(tmp_path)))
    assert report.model_name == "acme/From-Yml"
