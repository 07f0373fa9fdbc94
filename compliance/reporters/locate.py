"""Where a finding points, and a fingerprint that survives edits elsewhere in the file.

Every reporter that names one place per finding (terminal, SARIF, baselines) uses
these, so the location a user reads and the one code scanning annotates agree.
"""

from __future__ import annotations

from compliance.records import record
from compliance.report import Evidence, Finding
from compliance.reporters.escape import clean

CARD_KEY_PREFIX = "card:"


@record(frozen=True)
class Location:
    """Where a finding points: file, line and metadata key."""
    file: str | None  # repo-relative path, None when the evidence names no file
    line: int | None  # 1-based, None when unknown (e.g. text looked for and not found)
    key: str | None  # metadata key, e.g. "license" (front matter) or "model name"

    @property
    def label(self) -> str:
        """`README.md:12`, `README.md (license)`, `LICENSE`, `(model name)` or `.`."""
        file = clean(self.file, 120) if self.file else None
        key = clean(self.key, 80) if self.key else None
        if file and self.line:
            return f"{file}:{self.line}"
        if file and key:
            return f"{file} ({key})"
        if file:
            return file
        if key:
            return f"({key})"
        return "."


def _key(ev: Evidence) -> str | None:
    if not ev.key:
        return None
    # "card:license" is the README front-matter key `license`
    return ev.key[len(CARD_KEY_PREFIX) :] if ev.key.startswith(CARD_KEY_PREFIX) else ev.key


def primary_evidence(f: Finding) -> Evidence | None:
    """The evidence a finding is shown at: the first with a line, else with a file,
    else the first at all."""
    for wanted in (lambda e: e.file and e.line, lambda e: e.file, lambda e: True):
        for ev in f.evidence:
            if wanted(ev):
                return ev
    return None


def locate(f: Finding) -> Location:
    ev = primary_evidence(f)
    if ev is None:
        return Location(None, None, None)
    return Location(ev.file, ev.line, _key(ev))


def fingerprint(f: Finding) -> str:
    """A stable id for "the same finding": rule id, ancestor and where it points
    (file and key, not the line, so an edit above it does not change it)."""
    import hashlib  # OpenSSL's start-up cost, paid only by reports that print ids

    loc = locate(f)
    parts = (f.rule_id, f.ancestor or "", loc.file or "", loc.key or "")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
