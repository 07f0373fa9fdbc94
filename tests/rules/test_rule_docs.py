"""Every rule file under rules/ is documented and well-formed (docs/CONTRACTS.md).

These read the YAML directly, independent of the pack loader, so a pack that
the loader would reject still gets a precise message here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance.checks import CHECKS
from compliance.checks.base import validate_options
from compliance.lineage.model import RELATIONS
from compliance.report import CATEGORIES, Severity

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PACK_KINDS = ("license", "policy", "core")
PACK_CATEGORIES = (
    "permissive", "attribution", "copyleft", "non-commercial", "use-restricted",
    "custom-with-conditions",
)  # fmt: skip


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader)


PACK_FILES = sorted(RULES.glob("**/pack.yaml"))
RULE_FILES = sorted(p for f in PACK_FILES for p in f.parent.glob("*.yaml") if p.name != "pack.yaml")


def _pack_of(path: Path) -> dict:
    return _load(path.parent / "pack.yaml")


def test_rules_exist() -> None:
    assert PACK_FILES, "no packs under rules/"
    assert len(RULE_FILES) >= 60


@pytest.mark.parametrize("pack_file", PACK_FILES, ids=lambda p: p.parent.name)
def test_pack_identity(pack_file: Path) -> None:
    pack = _load(pack_file)
    assert pack.get("schema") == 1
    assert pack.get("id") == pack_file.parent.name, "pack id must equal its folder name"
    assert pack.get("kind") in PACK_KINDS
    assert pack.get("title")
    if pack["kind"] == "license":
        assert pack.get("category") in PACK_CATEGORIES, f"bad pack category {pack.get('category')}"
        assert isinstance(pack.get("commercial"), bool)
        assert pack.get("verification") in ("verified", "unverified", "not-found")
        identity = pack.get("identity") or {}
        assert (
            identity.get("hub_ids") or identity.get("license_names") or identity.get("signatures")
        ), "a licence pack needs some way to be recognised"
        for group in identity.get("signatures") or []:
            assert isinstance(group, list) and group and all(isinstance(s, str) for s in group)
        derivatives = pack.get("derivatives")
        assert isinstance(derivatives, dict) and derivatives.get("note"), "explain §14 in a note"
        if pack["category"] in ("custom-with-conditions", "use-restricted") and pack.get("spdx"):
            # Never invent SPDX ids for AI model licences: none is verified (OBLIGATIONS.md §1).
            assert pack["spdx"].startswith("LicenseRef-"), f"invented SPDX id {pack['spdx']!r}"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rule_is_documented(path: Path) -> None:
    rule = _load(path)
    pack = _pack_of(path)
    assert rule.get("id") == f"{path.parent.name}/{path.stem}", "id must be <folder>/<file stem>"
    assert rule.get("title"), "title missing"
    assert rule.get("category") in CATEGORIES, f"category {rule.get('category')!r} unknown"
    assert rule.get("severity") in {s.value for s in Severity}
    assert (rule.get("message") or "").strip(), "message missing"
    assert (rule.get("fix") or "").strip(), "fix missing"
    docs = rule.get("docs") or {}
    assert (docs.get("what") or "").strip(), "docs.what missing"
    assert (docs.get("why") or "").strip(), "docs.why missing"
    for relation in rule.get("applies_to") or []:
        assert relation in RELATIONS, f"unknown relation {relation!r} in applies_to"
    check = rule.get("check") or {}
    assert check.get("kind"), "check.kind missing"
    clause = rule.get("clause")
    if pack.get("kind") == "license":
        assert clause, "a licence rule must cite its clause"
    if clause:
        assert (clause.get("section") or "").strip(), "clause.section missing"
        assert (clause.get("quote") or "").strip(), "clause.quote missing"
        if clause.get("verified") is False:
            assert clause.get("note"), "verified: false needs a note"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_check_kind_and_options_are_known(path: Path) -> None:
    """The check kind exists and its options validate."""

    rule = _load(path)
    kind = rule["check"]["kind"]
    assert kind in CHECKS, f"unknown check kind {kind!r}"
    problems = validate_options(CHECKS[kind], rule["check"].get("options") or {})
    assert not problems, f"{path}: {problems}"
