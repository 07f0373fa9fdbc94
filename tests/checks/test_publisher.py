from __future__ import annotations

from support.audit import ancestor, lineage, run_check

from compliance.checks.base import MET, NOT_MET
from compliance.checks.publisher import org_of, same_publisher
from compliance.report import Evidence, Severity


def test_same_publisher_compares_organisations_case_insensitively():
    assert same_publisher("Meta-Llama/Llama-Guard-3-8B", "meta-llama/Llama-3.1-8B")
    assert not same_publisher("acme/Llama-Guard-3-8B", "meta-llama/Llama-3.1-8B")
    assert not same_publisher("Llama-Guard-3-8B", "meta-llama/Llama-3.1-8B")  # no org: no claim
    assert org_of("bare-name") is None


def _undeclared(repo_id: str):
    a = ancestor(repo_id, None, declared=False)
    a.evidence.append(Evidence(key="card prose", seen=repo_id))
    return a


def test_undeclared_base_skips_the_publishers_own_checkpoint():
    own = _undeclared("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T")
    r = run_check("undeclared-base-model", lin=lineage(own), name="TinyLlama/TinyLlama-Chat")
    assert r.state is MET
    r = run_check("undeclared-base-model", lin=lineage(own), name="acme/TinyLlama-Chat")
    assert r.state is NOT_MET


def test_unresolved_ancestor_of_the_same_publisher_is_info():
    own = ancestor("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T", None)
    r = run_check("unresolved-ancestor", lin=lineage(own), name="TinyLlama/TinyLlama-Chat")
    assert r.state is NOT_MET and r.hits[0].severity is Severity.INFO
    assert "same organisation" in (r.hits[0].message or "")
    r = run_check("unresolved-ancestor", lin=lineage(own), name="acme/TinyLlama-Chat")
    assert r.state is NOT_MET and r.hits[0].severity is None  # the rule's own (error)
