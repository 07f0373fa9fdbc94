"""A licensor's own derivative versus a copy mirrored into someone's namespace."""

from __future__ import annotations

import pytest
from support.audit import ancestor, facts, lineage

from compliance.engine import evaluate
from compliance.packs import load_all
from compliance.report import ObligationState


@pytest.fixture(scope="module")
def packs():
    return load_all([])


def _base(repo_id: str, source: str):
    a = ancestor(repo_id, "llama3.1")
    a.license_source = source
    return a


def _audit(packs, model: str, base):
    card = facts({"license": "llama3.1", "base_model": base.repo_id})
    return evaluate(card, lineage(base), packs, None, model)


def test_licensors_own_release_skips_the_redistribution_duties(packs):
    findings, obligations = _audit(
        packs, "meta-llama/Llama-Guard-3-8B", _base("meta-llama/Llama-3.1-8B", "catalog")
    )
    ids = {f.rule_id for f in findings}
    assert "core/licensor-own-release" in ids
    assert not {"llama3.1/built-with", "llama3.1/notice-file"} & ids
    llama = [o for o in obligations if o.license == "llama3.1"]
    assert llama and all(o.state is ObligationState.NOT_APPLICABLE for o in llama)


def test_a_third_party_under_the_same_base_keeps_them(packs):
    findings, _ = _audit(packs, "acme/Guard-8B", _base("meta-llama/Llama-3.1-8B", "catalog"))
    ids = {f.rule_id for f in findings}
    assert {"llama3.1/built-with", "llama3.1/notice-file"} <= ids
    assert "core/licensor-own-release" not in ids


def test_a_mirror_in_ones_own_namespace_is_not_the_licensor(packs):
    findings, _ = _audit(packs, "acme/Guard-8B", _base("acme/Llama-3.1-8B", "hub-card"))
    ids = {f.rule_id for f in findings}
    assert "llama3.1/built-with" in ids and "core/licensor-own-release" not in ids
