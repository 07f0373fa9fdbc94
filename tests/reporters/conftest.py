"""A fixed, hand-built Report covering every section the reporters render."""

from __future__ import annotations

from typing import Any

import pytest

from compliance.lineage.model import Ancestor, Lineage
from compliance.report import (
    Clause,
    Evidence,
    Finding,
    ObligationResult,
    ObligationState,
    Report,
    Severity,
)

BASE = "meta-llama/Llama-3.1-8B"


def llama_clause(quote: str, **kw: Any) -> Clause:
    return Clause(license="llama3.1", section="§1.b.i", quote=quote, **kw)


def llama_finding(rule: str, category: str, message: str, **kw: Any) -> Finding:
    """A finding of the llama3.1 pack, brought by BASE; an error unless `severity` says."""
    kw.setdefault("severity", Severity.ERROR)
    return Finding(
        rule_id=f"llama3.1/{rule}", category=category, message=message, ancestor=BASE, **kw
    )


def llama_obligation(
    rule: str, title: str, state: ObligationState, ancestors: tuple[str, ...] = (BASE,)
) -> ObligationResult:
    return ObligationResult(f"llama3.1/{rule}", "llama3.1", title, state, ancestors)


def build_report() -> Report:
    lineage = Lineage(
        model="acme/llama31-support-bot",
        relation="finetune",
        relation_source="card base_model",
        ancestors=[
            Ancestor(
                repo_id=BASE,
                relation="finetune",
                child="acme/llama31-support-bot",
                declared=True,
                evidence=[Evidence(file="README.md", line=4, key="card:base_model", seen=BASE)],
                license="llama3.1",
                license_source="catalog",
                resolution="catalog",
            ),
            Ancestor(
                repo_id="acme/internal-sft",
                relation="finetune",
                child=BASE,
                declared=False,
                evidence=[Evidence(file="config.json", key="config.json:_name_or_path")],
                resolution="unresolved",
                resolution_note="not in the catalog; --resolve catalog",
                depth=2,
            ),
        ],
    )
    findings = [
        llama_finding(
            "naming",
            "naming",
            "The model name does not start with “Llama”.",
            evidence=(Evidence(key="--name", seen="acme/llama31-support-bot"),),
            clause=llama_clause(
                "shall also include “Llama” at the beginning of any such AI model name"
            ),
            fix="Rename the model so its name starts with “Llama”, e.g. Llama-3.1-Support-Bot.",
        ),
        llama_finding(
            "built-with",
            "missing-attribution",
            "The model card does not display “Built with Llama”.",
            evidence=(Evidence(file="README.md", missing="Built with Llama"),),
            clause=llama_clause(
                "prominently display “Built with Llama” on a related website, user interface, "
                "blogpost, about page, or product documentation"
            ),
            fix="Add the sentence “Built with Llama” to the model card (README.md).",
        ),
        llama_finding(
            "license-mismatch",
            "license-mismatch",
            "The card declares `apache-2.0`, which the Llama 3.1 licence does not allow.",
            evidence=(Evidence(file="README.md", line=2, key="card:license", seen="apache-2.0"),),
            clause=llama_clause(
                "provide a copy of this Agreement with any such Llama Materials",
                verified=False,
                note="section number from a third-party quote",
            ),
            fix="Set `license: llama3.1` in the card metadata.",
        ),
        Finding(
            rule_id="core/undeclared-base-model",
            category="undeclared-base-model",
            severity=Severity.WARNING,
            message="config.json names a base model the card does not declare.",
            evidence=(Evidence(file="config.json", key="_name_or_path", seen="acme/internal-sft"),),
            fix="Declare every base model under `base_model:` in the card metadata.",
        ),
        llama_finding(
            "mau-threshold",
            "unverifiable",
            "The 700 million monthly active users condition cannot be checked from files.",
            severity=Severity.INFO,
        ),
        llama_finding(
            "notice-file",
            "missing-notice",
            "No NOTICE file carries the Llama 3.1 notice.",
            evidence=(Evidence(file="NOTICE", missing="Llama 3.1 is licensed under"),),
            fix="Add a NOTICE file with the Llama 3.1 notice.",
            waived=True,
            waiver_reason="Notice shipped in the product's about page (legal ticket 123).",
        ),
    ]
    obligations = [
        llama_obligation("built-with", "Display “Built with Llama”", ObligationState.NOT_MET),
        llama_obligation("license-file", "Include a copy of the Agreement", ObligationState.MET),
        llama_obligation(
            "mau-threshold", "700M MAU licence request", ObligationState.NOT_CHECKABLE
        ),
        llama_obligation(
            "use-policy", "Pass on the Acceptable Use Policy", ObligationState.NOT_APPLICABLE, ()
        ),
    ]
    return Report(
        target="examples/llama31-finetune-apache",
        source_kind="local",
        model_name="acme/llama31-support-bot",
        model_name_source="--name",
        declared_license="apache-2.0",
        relation="finetune",
        lineage=lineage,
        findings=findings,
        obligations=obligations,
        notes=["Skipped symlink weights/model.safetensors: it points outside the repo."],
        rule_packs=["llama3.1", "core"],
    )


HOSTILE = (
    "x](https://evil.example)<img src=x onerror=alert(1)>`code`| a | b |\n# Heading\n"
    "@octocat <script>alert(1)</script> **bold** \x1b[31mred\u202e\x00 $\\sqrt{x}$"
)


def build_hostile_report() -> Report:
    """Every untrusted field carries markup that must come out inert."""
    ev = Evidence(file=f"READ`ME{HOSTILE}.md", line=3, key=HOSTILE, seen=HOSTILE, missing=HOSTILE)
    anc = Ancestor(
        repo_id=f'evil"]; click n0 call x()%%{HOSTILE}',
        relation="finetune",
        child=HOSTILE,
        declared=False,
        license=HOSTILE,
        resolution="hub",
        resolution_note=HOSTILE,
        as_written=HOSTILE,
    )
    finding = Finding(
        rule_id="core/card-license",
        category="license-unknown",
        severity=Severity.ERROR,
        message=f"Unknown licence {HOSTILE}",
        evidence=(ev,),
        clause=Clause(license="core", section="§1", quote=HOSTILE, verified=False, note=HOSTILE),
        fix=HOSTILE,
        ancestor=HOSTILE,
    )
    return Report(
        target=HOSTILE,
        source_kind="local",
        model_name=HOSTILE,
        model_name_source="card model_name",
        declared_license=HOSTILE,
        relation="finetune",
        lineage=Lineage(
            model=HOSTILE, relation="finetune", relation_source=HOSTILE, ancestors=[anc]
        ),
        findings=[finding],
        obligations=[ObligationResult("core/x", "core", HOSTILE, ObligationState.MET, (HOSTILE,))],
        notes=[HOSTILE],
        rule_packs=["core"],
    )


@pytest.fixture
def report() -> Report:
    return build_report()


@pytest.fixture
def hostile_report() -> Report:
    return build_hostile_report()
