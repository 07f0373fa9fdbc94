"""Shared helpers for the CLI tests."""

from __future__ import annotations

from pathlib import Path

from compliance.report import Evidence, Finding, Report, Severity

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"


def make_report(
    *severities: str, waived: tuple[str, ...] = (), fail_on: str | None = None
) -> Report:
    findings = [
        Finding(
            rule_id=f"core/{sev}-{i}",
            category="metadata-invalid",
            severity=Severity(sev),
            message=f"A {sev} finding.",
            evidence=(Evidence(file="README.md", line=1),),
            fix="Fix it.",
        )
        for i, sev in enumerate(severities)
    ]
    findings += [
        Finding(rule_id=f"core/waived-{i}", category="naming", severity=Severity(sev),
                message="Waived.", waived=True, waiver_reason="Approved.")
        for i, sev in enumerate(waived)
    ]
    return Report(
        target="some/dir", source_kind="local", model_name="org/model",
        model_name_source="--name", declared_license="mit", relation=None,
        findings=findings, config_fail_on=fail_on,
    )


def modelcheck_cmd() -> list[str]:
    """The console script installed next to this interpreter, else `python -m`."""
    import sys

    script = Path(sys.executable).parent / "modelcheck"
    return [str(script)] if script.exists() else [sys.executable, "-m", "compliance.cli"]


def make_llama_example_compliant(repo: Path) -> None:
    """Fix a copy of examples/llama31-finetune-apache the way its report says."""
    card = (repo / "README.md").read_text(encoding="utf-8")
    card = card.replace("license: apache-2.0", "license: llama3.1")
    card = card.replace(
        "Released under the Apache 2.0 licence.",
        "Built with Llama. Released under the Llama 3.1 Community License (`LICENSE`);\n"
        "use is subject to the Acceptable Use Policy: https://llama.meta.com/llama3_1/use-policy",
    )
    (repo / "README.md").write_text(card, encoding="utf-8")
    # The agreement's heading and release line are what identify it (rules/llama3.1/pack.yaml).
    (repo / "LICENSE").write_text(
        "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n"
        "Llama 3.1 Version Release Date: July 23, 2024\n\n(full text of the agreement)\n",
        encoding="utf-8",
    )
    (repo / "NOTICE").write_text(
        "Llama 3.1 is licensed under the Llama 3.1 Community License, "
        "Copyright © Meta Platforms, Inc. All Rights Reserved.\n",
        encoding="utf-8",
    )
    (repo / ".modelcheck.yaml").write_text(
        "repo_id: acme/Llama-3.1-SupportBot-8B\n", encoding="utf-8"
    )
