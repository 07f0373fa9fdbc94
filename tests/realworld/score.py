"""Score modelcheck against the hand-labelled real-world set in tests/realworld/cases.

Each case directory holds a tiny model repo modelled on a public Hub repo, plus
`case.yaml` with the labels a careful compliance reviewer gives it. The repo files
(everything but case.yaml) are copied to a scratch folder and audited in-process the
way `modelcheck audit DIR --resolve catalog --name NAME` does, so no network is used.

Definitions (tests/realworld/README.md states them in full):
  recall     expected labels found / expected labels
  precision  error+warning findings that match an expected or allowed label /
             all error+warning findings
  guards     forbidden labels that appear (and `green` on a case that must not pass)

Run: python tests/realworld/score.py [--case NAME] [--verbose] [--json | --markdown]
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import shutil
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
REPO_ROOT = HERE.parents[1]

COUNTED = ("error", "warning")  # severities that count for precision and `green`


@dataclass
class Case:
    key: str  # case directory name
    path: Path
    source: str
    name: str | None  # passed as --name; None lets modelcheck derive the name
    folder: str  # the folder name the repo is audited from
    expect: list[str]
    allow: list[str]
    forbid: list[str]
    classes: list[str]
    why: str


@dataclass
class Reported:
    """What one audit produced, reduced to what the labels can match."""

    findings: list[tuple[str, str, str]]  # (rule_id, category, severity), not waived
    relation: str
    model_name: str
    ancestors: list[tuple[str, str | None]]  # (repo_id, licence)
    error: str | None = None  # the audit raised: every expected label is missed


@dataclass
class CaseResult:
    case: Case
    reported: Reported
    found: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    matched: list[tuple[str, str, str]] = field(default_factory=list)  # counted findings
    unexpected: list[tuple[str, str, str]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]


def load_cases(root: Path = CASES) -> list[Case]:
    cases = []
    for d in sorted(p for p in root.iterdir() if (p / "case.yaml").is_file()):
        raw = yaml.safe_load((d / "case.yaml").read_text(encoding="utf-8")) or {}
        for key in ("source", "expect", "classes", "why"):
            if key not in raw:
                raise ValueError(f"{d / 'case.yaml'}: missing `{key}`")
        name = raw.get("name")
        folder = raw.get("folder") or (str(name).rsplit("/", 1)[-1] if name else d.name)
        cases.append(
            Case(
                key=d.name,
                path=d,
                source=str(raw["source"]),
                name=None if raw.get("pass_name") is False else (str(name) if name else None),
                folder=str(folder),
                expect=_as_list(raw.get("expect")),
                allow=_as_list(raw.get("allow")),
                forbid=_as_list(raw.get("forbid")),
                classes=_as_list(raw.get("classes")),
                why=str(raw["why"]),
            )
        )
    return cases


def audit(case: Case, scratch: Path) -> Reported:
    """Audit the case's repo files in-process, catalog-only (the CLI's --resolve catalog)."""
    from compliance.pipeline import AuditOptions, run_audit

    repo = scratch / case.key / case.folder
    shutil.copytree(case.path, repo, ignore=shutil.ignore_patterns("case.yaml"))
    try:
        report = run_audit(AuditOptions(target=str(repo), name=case.name, resolve="catalog"))
    except Exception as e:  # an audit that cannot run scores as missing everything
        return Reported([], "none", "", [], error=f"{type(e).__name__}: {e}")
    findings = [
        (f.rule_id, f.category, getattr(f.severity, "value", str(f.severity)))
        for f in report.findings
        if not f.waived
    ]
    ancestors = [(a.repo_id, a.license) for a in report.lineage.ancestors]
    return Reported(findings, report.relation or "none", report.model_name or "", ancestors)


def _finding_matches(label: str, finding: tuple[str, str, str]) -> bool:
    rule_id, category, _ = finding
    if ":" in label:
        return False
    if "/" in label or "*" in label:
        return fnmatch.fnmatchcase(rule_id, label)
    return category == label


def label_present(label: str, rep: Reported) -> bool:
    """Whether the report shows `label` (a rule id / glob, a category, or a `kind:value`)."""
    if rep.error is not None:
        return False
    kind, _, value = label.partition(":")
    if value:
        if kind == "relation":
            return rep.relation == value
        if kind == "ancestor":
            return any(fnmatch.fnmatchcase(a, value) for a, _ in rep.ancestors)
        if kind == "ancestor-license":
            return any(lic == value for _, lic in rep.ancestors)
        if kind == "model-name":
            return rep.model_name == value
        if kind == "severity":  # e.g. severity:error  - some finding at that severity
            return any(sev == value for *_, sev in rep.findings)
        raise ValueError(f"unknown label kind {kind!r} in {label!r}")
    if label == "green":  # no error or warning finding: the report reads as a pass
        return not any(sev in COUNTED for *_, sev in rep.findings)
    return any(_finding_matches(label, f) for f in rep.findings)


def score_case(case: Case, rep: Reported) -> CaseResult:
    res = CaseResult(case, rep)
    for label in case.expect:
        (res.found if label_present(label, rep) else res.missed).append(label)
    labels = [lb for lb in case.expect + case.allow if ":" not in lb and lb != "green"]
    for f in rep.findings:
        if f[2] not in COUNTED:
            continue
        if any(_finding_matches(lb, f) for lb in labels):
            res.matched.append(f)
        else:
            res.unexpected.append(f)
    res.violations = [lb for lb in case.forbid if label_present(lb, rep)]
    if rep.error is not None:
        res.violations.append(f"audit-error ({rep.error})")
    return res


@dataclass
class Totals:
    expected: int = 0
    found: int = 0
    counted: int = 0  # error+warning findings
    matched: int = 0
    violations: int = 0
    cases: int = 0

    def add(self, r: CaseResult) -> None:
        self.cases += 1
        self.expected += len(r.case.expect)
        self.found += len(r.found)
        self.counted += len(r.matched) + len(r.unexpected)
        self.matched += len(r.matched)
        self.violations += len(r.violations)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.counted if self.counted else 1.0


def run(cases: list[Case]) -> list[CaseResult]:
    with tempfile.TemporaryDirectory(prefix="mc-realworld-") as tmp:
        return [score_case(c, audit(c, Path(tmp))) for c in cases]


def totals(results: list[CaseResult]) -> Totals:
    t = Totals()
    for r in results:
        t.add(r)
    return t


def by_class(results: list[CaseResult]) -> dict[str, Totals]:
    out: dict[str, Totals] = defaultdict(Totals)
    for r in results:
        for c in r.case.classes:
            out[c].add(r)
    return dict(sorted(out.items()))


def _fmt(f: tuple[str, str, str]) -> str:
    return f"{f[0]} ({f[2]})"


def print_report(results: list[CaseResult], verbose: bool = False) -> None:
    print("Per case: recall found/expected · precision matched/counted · guard violations\n")
    for r in results:
        ok = not r.missed and not r.unexpected and not r.violations
        mark = "ok  " if ok else "FAIL"
        print(
            f"{mark} {r.case.key:<44} recall {len(r.found)}/{len(r.case.expect)}"
            f"  precision {len(r.matched)}/{len(r.matched) + len(r.unexpected)}"
            f"  guards {len(r.violations)}"
        )
        if verbose or not ok:
            if r.missed:
                print(f"       missed:     {', '.join(r.missed)}")
            if r.unexpected:
                print(f"       unexpected: {', '.join(_fmt(f) for f in r.unexpected)}")
            if r.violations:
                print(f"       GUARD:      {', '.join(r.violations)}")
            if verbose:
                print(
                    f"       relation {r.reported.relation} · name {r.reported.model_name!r}"
                    f" · ancestors {r.reported.ancestors}"
                )
                print(f"       all findings: {', '.join(_fmt(f) for f in r.reported.findings)}")
    print("\nPer class (a case counts in every class it lists)\n")
    print(f"{'class':<26} {'cases':>5} {'recall':>14} {'precision':>14} {'guards':>6}")
    for cls, t in by_class(results).items():
        print(
            f"{cls:<26} {t.cases:>5} {t.found:>5}/{t.expected:<3} {t.recall:>4.2f}"
            f" {t.matched:>5}/{t.counted:<3} {t.precision:>4.2f} {t.violations:>6}"
        )
    _print_top(
        "Most missed labels (expected, not reported)", [lb for r in results for lb in r.missed]
    )
    _print_top(
        "Most frequent unexpected findings (error/warning, neither expected nor allowed)",
        [f[0] for r in results for f in r.unexpected],
    )
    _print_top("Guard violations by label", [v for r in results for v in r.violations])
    t = totals(results)
    print(
        f"\nOverall: {t.cases} cases · recall {t.found}/{t.expected} = {t.recall:.3f}"
        f" · precision {t.matched}/{t.counted} = {t.precision:.3f}"
        f" · guard violations {t.violations}"
    )


def _print_top(title: str, items: list[str], n: int = 12) -> None:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item] += 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    print(f"\n{title}:")
    for item, c in top:
        print(f"  {c:>3}  {item}")


def print_markdown(results: list[CaseResult]) -> None:
    """The figures table of README.md, regenerated."""
    t = totals(results)
    clean = sum("compliant" in r.case.classes for r in results)
    print("| | |\n| --- | --- |")
    print(f"| cases | {t.cases} ({clean} clean) |")
    print(f"| recall | {t.found}/{t.expected} = **{t.recall:.3f}** |")
    print(f"| precision | {t.matched}/{t.counted} = **{t.precision:.3f}** |")
    print(f"| guard violations | {t.violations} |\n")
    print("| class | cases | recall | precision | guards |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for cls, c in by_class(results).items():
        rec = f"{c.found}/{c.expected} {c.recall:.2f}" if c.expected else "–"
        prec = f"{c.matched}/{c.counted} {c.precision:.2f}" if c.counted else "–"
        print(f"| {cls} | {c.cases} | {rec} | {prec} | {c.violations} |")


def as_json(results: list[CaseResult]) -> dict[str, Any]:
    t = totals(results)
    return {
        "recall": t.recall,
        "precision": t.precision,
        "guard_violations": t.violations,
        "cases": {
            r.case.key: {
                "missed": r.missed,
                "unexpected": [list(f) for f in r.unexpected],
                "violations": r.violations,
            }
            for r in results
        },
        "classes": {
            c: {"recall": v.recall, "precision": v.precision, "guards": v.violations}
            for c, v in by_class(results).items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", action="append", help="only this case (repeatable)")
    ap.add_argument("--verbose", "-v", action="store_true", help="show every finding")
    ap.add_argument("--json", action="store_true", help="machine-readable summary")
    ap.add_argument("--markdown", action="store_true", help="the figures tables of README.md")
    args = ap.parse_args(argv)
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    cases = load_cases()
    if args.case:
        cases = [c for c in cases if c.key in set(args.case)]
    results = run(cases)
    if args.json:
        print(json.dumps(as_json(results), indent=2))
    elif args.markdown:
        print_markdown(results)
    else:
        print_report(results, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
