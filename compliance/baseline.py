"""Baselines (`--baseline FILE`, `--write-baseline FILE`), as Semgrep and detect-secrets
keep them: findings already recorded are reported as waived ("baseline") and do not
fail the run, so a repo can adopt modelcheck and still fail on anything new.

A finding is recorded by `reporters.locate.fingerprint`: rule id, ancestor and the
evidence's file and key, not its line, so edits elsewhere in a file keep it matched.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from compliance.errors import ConfigError
from compliance.report import Finding, Report, finding_sort_key
from compliance.reporters.locate import fingerprint, locate

FORMAT_KEY = "modelcheck_baseline"
FORMAT_VERSION = 1
MAX_BYTES = 8 << 20


def entry(f: Finding) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint(f),
        "rule_id": f.rule_id,
        "ancestor": f.ancestor,
        "location": locate(f).label,
    }


def to_dict(report: Report) -> dict[str, Any]:
    """Every finding that is not waived: what a new baseline records."""
    findings = sorted((f for f in report.findings if not f.waived), key=finding_sort_key)
    entries = {e["fingerprint"]: e for e in map(entry, findings)}
    return {FORMAT_KEY: FORMAT_VERSION, "findings": list(entries.values())}


def write(report: Report, path: Path) -> int:
    data = to_dict(report)
    try:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot write the baseline: {e.strerror or e}") from e
    return len(data["findings"])


def read(path: Path) -> set[str]:
    """The fingerprints recorded in a baseline file; a one-line error if it is not one."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the baseline: {e.strerror or e}") from e
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{path}: baseline larger than {MAX_BYTES >> 20} MiB")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"{path}: not a modelcheck baseline (invalid JSON: {e})") from e
    if not isinstance(data, dict) or data.get(FORMAT_KEY) != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: not a modelcheck baseline (no `{FORMAT_KEY}: {FORMAT_VERSION}`; "
            "write one with --write-baseline)"
        )
    findings = data.get("findings")
    if not isinstance(findings, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in findings
    ):
        raise ConfigError(f"{path}: `findings` must be a list of objects with a `fingerprint`")
    return {e["fingerprint"] for e in findings}


def apply(report: Report, recorded: set[str], origin: str) -> Report:
    """Findings in the baseline become waived with the reason "baseline (FILE)"."""
    reason = f"baseline ({origin}): recorded before; fix it or keep it recorded"
    findings = [
        replace(f, waived=True, waiver_reason=reason)
        if not f.waived and fingerprint(f) in recorded
        else f
        for f in report.findings
    ]
    return replace(report, findings=findings)
