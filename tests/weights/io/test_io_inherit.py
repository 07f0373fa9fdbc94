"""A base the weights show with a deciding signal brings its licence's obligations into
the audit, marked as inferred from weights: hiding a base never scores better than
declaring it."""

from __future__ import annotations

import shutil

from compliance.pipeline import AuditOptions, run_audit
from compliance.weights.audit import INFERRED_FROM_WEIGHTS
from compliance.weights.compare import open_view
from compliance.weights.fingerprint import write_fingerprint

CARD = "---\nlicense: apache-2.0\n---\n# Suspect\n\nA small model.\n"


def test_base_found_only_in_the_weights_brings_its_licence(models, tmp_path) -> None:
    repo = tmp_path / "suspect"
    shutil.copytree(models["ft"], repo)
    (repo / "README.md").write_text(CARD)
    lib = tmp_path / "lib"
    lib.mkdir()
    write_fingerprint(open_view(str(models["base"])), lib / "b.safetensors",
                      repo_id="meta-llama/Llama-3.1-8B")

    plain = run_audit(AuditOptions(target=str(repo)))
    assert not [f for f in plain.findings if f.rule_id.startswith("llama3.1/")]

    report = run_audit(AuditOptions(target=str(repo), weights=True, fingerprint_dirs=[lib]))
    inferred = [a for a in report.lineage.ancestors if a.known_from == INFERRED_FROM_WEIGHTS]
    assert [(a.repo_id, a.license, a.declared) for a in inferred] == [
        ("meta-llama/Llama-3.1-8B", "llama3.1", False)
    ]
    assert report.lineage.relation_source == INFERRED_FROM_WEIGHTS
    llama = [f for f in report.findings if f.rule_id.startswith("llama3.1/")]
    assert llama, [f.rule_id for f in report.findings]
    assert all(f.ancestor == "meta-llama/Llama-3.1-8B" for f in llama)
    assert "weights/undeclared-base-model" in {f.rule_id for f in report.findings}
