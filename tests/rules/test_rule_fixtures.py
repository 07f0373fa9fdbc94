"""Rule fixtures: tiny model repos under tests/rules/<pack>/<case>/ with an expected.yaml.

Each case is audited offline through the real pipeline
(`run_audit(AuditOptions(target=<case dir>, name=expected["name"]))`); every id in
`fail:` must be among the non-waived findings, every id in `pass:` must not be.

expected.yaml keys (docs/CONTRACTS.md): `fail`, `pass`, optional `name`; this test also
accepts `description` (free text) and `catalog` (extra catalog entries for the case, for
ancestors no built-in entry maps to, e.g. a model under the 2024 Gemma terms).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from compliance import pipeline

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"
CASES_ROOT = Path(__file__).resolve().parent
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KNOWN_KEYS = {"fail", "pass", "name", "description", "catalog"}


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader) or {}


CASES = sorted(p.parent for p in CASES_ROOT.glob("*/*/expected.yaml"))


def _case_id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


def _all_rule_ids() -> set[str]:
    """Every rule id shipped under rules/ (each pack folder's rule files)."""
    ids = set()
    for pack_file in RULES.glob("**/pack.yaml"):
        for path in pack_file.parent.glob("*.yaml"):
            if path.name != "pack.yaml":
                ids.add(_load(path)["id"])
    return ids


def _catalog_with(extra: list[dict[str, Any]]) -> Any:
    """The shipped catalog plus a case's own entries (test-only ancestors)."""
    from compliance.lineage.catalog import Catalog

    data = _load(RULES / "catalog.yaml")
    data["families"] = [*data["families"], {"family": "fixture", "models": extra}]
    return Catalog.from_data(data, "catalog.yaml + fixture entries")


def test_cases_exist() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_expected_file_is_well_formed(case: Path) -> None:
    expected = _load(case / "expected.yaml")
    assert set(expected) <= KNOWN_KEYS, f"unknown keys {set(expected) - KNOWN_KEYS}"
    fails, passes = expected.get("fail") or [], expected.get("pass") or []
    assert fails or passes, "a case must assert something"
    assert not set(fails) & set(passes), "an id cannot both fail and pass"
    known = _all_rule_ids()
    # rule ids of a case's own policy dirs (.modelcheck.yaml rules:) are not under rules/
    own_dirs = (case / ".modelcheck.yaml").is_file()
    for rid in [*fails, *passes]:
        assert own_dirs or rid in known, f"{rid} is not a rule under rules/"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_rule_fixture(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _load(case / "expected.yaml")
    if expected.get("catalog"):
        catalog = _catalog_with(expected["catalog"])
        monkeypatch.setattr(pipeline, "_load_catalog", lambda: catalog)
    # Given as `--config`: a repo's own `rules:` must stay inside it, and the policy
    # fixtures name the example packs under rules/examples/.
    own = case / ".modelcheck.yaml"
    report = pipeline.run_audit(
        pipeline.AuditOptions(
            target=str(case),
            name=expected.get("name"),
            resolve="catalog",
            config_file=str(own) if own.is_file() else None,
        )
    )
    fired = {f.rule_id for f in report.findings if not f.waived}
    missing = [r for r in expected.get("fail") or [] if r not in fired]
    unexpected = [r for r in expected.get("pass") or [] if r in fired]
    detail = "\n".join(f"  {f.rule_id}: {f.message}" for f in report.findings if not f.waived)
    assert not missing, f"expected to fire but did not: {missing}\nfindings:\n{detail}"
    assert not unexpected, f"expected to stay silent but fired: {unexpected}\nfindings:\n{detail}"


def test_every_rule_has_a_failing_and_a_passing_fixture() -> None:
    failed: set[str] = set()
    passed: set[str] = set()
    for case in CASES:
        expected = _load(case / "expected.yaml")
        failed.update(expected.get("fail") or [])
        passed.update(expected.get("pass") or [])
    rules = _all_rule_ids()
    no_fail = sorted(rules - failed)
    no_pass = sorted(rules - passed)
    assert not no_fail, f"rules never shown firing by a fixture: {no_fail}"
    assert not no_pass, f"rules never shown passing by a fixture: {no_pass}"
