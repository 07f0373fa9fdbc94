"""Findings and the report: the data every reporter renders.

`Category` values are a stable public vocabulary (JSON consumers rely on
them); add one only when none fits, and document it in docs/findings.md.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from compliance.records import field, record
from compliance.vocabulary import DEFAULT_FAIL_ON as DEFAULT_FAIL_ON
from compliance.vocabulary import FAIL_ON as FAIL_ON
from compliance.vocabulary import FAIL_ON_ALIASES as FAIL_ON_ALIASES
from compliance.vocabulary import RESOLVE_MODES as RESOLVE_MODES


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]



CATEGORIES: tuple[str, ...] = (
    "license-missing",
    "license-unknown",
    "license-mismatch",
    "license-incompatible",
    "missing-license-file",
    "missing-notice",
    "missing-attribution",
    "naming",
    "use-policy",
    "non-commercial",
    "undeclared-base-model",
    "undisclosed-upcycling",
    "metadata-invalid",
    "unverifiable",
)


@record(frozen=True)
class Evidence:
    """Where something was seen (or looked for and not found)."""

    file: str | None = None  # repo-relative path, e.g. "README.md"
    line: int | None = None  # 1-based
    key: str | None = None  # metadata key, e.g. "card:license" or "config.json:_name_or_path"
    seen: str | None = None  # the text seen (untrusted: reporters escape it)
    missing: str | None = None  # the text looked for and not found


@record(frozen=True)
class Clause:
    """The licence clause a finding rests on, quoted exactly."""

    license: str  # pack id, e.g. "llama3.1"
    section: str  # the licence's own numbering, e.g. "§1.b.i"
    quote: str  # short verbatim quote from the licence text
    verified: bool = True  # False where OBLIGATIONS.md says UNVERIFIED / NOT FOUND
    note: str | None = None  # e.g. "wording reconstructed from third-party quotes"


@record(frozen=True)
class Finding:
    """One problem found: which rule, how severe, what was seen and how to fix it."""
    rule_id: str  # stable, e.g. "llama3.1/built-with"
    category: str  # one of CATEGORIES
    severity: Severity
    message: str  # states the problem
    evidence: tuple[Evidence, ...] = ()
    clause: Clause | None = None
    fix: str | None = None  # imperative
    ancestor: str | None = None  # repo id whose licence requires this
    waived: bool = False
    waiver_reason: str | None = None


def finding_sort_key(f: Finding) -> tuple[Any, ...]:
    """The one order of findings (docs/json-report.md): waived last, most severe first,
    then rule id, ancestor and message; ties by the first evidence's file, line, key."""
    ev = f.evidence[0] if f.evidence else Evidence()
    return (
        f.waived,
        -f.severity.rank,
        f.rule_id,
        f.ancestor or "",
        f.message,
        ev.file or "",
        ev.line or 0,
        ev.key or "",
    )


class ObligationState(str, Enum):
    MET = "met"
    NOT_MET = "not-met"
    NOT_CHECKABLE = "not-checkable"  # e.g. MAU thresholds
    NOT_APPLICABLE = "not-applicable"  # relation does not trigger it


@record(frozen=True)
class ObligationResult:
    """Whether one obligation of an ancestor's licence was met, as far as a check could tell."""
    rule_id: str
    license: str
    title: str
    state: ObligationState
    ancestors: tuple[str, ...] = ()


def obligation_sort_key(o: ObligationResult) -> tuple[str, str]:
    """The one order of obligations: by licence, then rule id."""
    return (o.license, o.rule_id)


@record
class Report:
    """Everything a reporter needs. Built once by the pipeline, then rendered."""

    target: str  # what the user asked to audit (path or repo id[@rev])
    source_kind: str  # "local" | "hub"
    model_name: str
    model_name_source: str  # e.g. "--name", ".modelcheck.yaml repo_id", "card model_name"
    declared_license: str | None
    relation: str | None  # finetune | adapter | merge | quantized | distilled | None (a base)
    revision: str | None = None  # revision asked for (hub)
    commit: str | None = None  # commit it resolved to (hub)
    lineage: Any = None  # compliance.lineage.model.Lineage
    findings: list[Finding] = field(default_factory=list)
    obligations: list[ObligationResult] = field(default_factory=list)
    weights: Any = None  # compliance.weights.audit.WeightsSection, or None
    notes: list[str] = field(default_factory=list)  # non-finding remarks (e.g. files not cached)
    rule_packs: list[str] = field(default_factory=list)  # pack ids loaded
    # folders those packs came from besides the bundled ones (--rules, .modelcheck.yaml)
    rules_dirs: list[str] = field(default_factory=list)
    config_fail_on: str | None = None  # fail_on from .modelcheck.yaml, if set
    facts: Any = None  # compliance.facts.model.Facts: card and files, for the SBOM reporters

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        out["waived"] = 0
        for f in self.findings:
            if f.waived:
                out["waived"] += 1
            else:
                out[f.severity.value] += 1
        return out
