"""The engine: cumulative obligations, relation filtering, waivers, ordering."""

from __future__ import annotations

import pytest
from support.audit import ancestor, facts, lineage

from compliance.config import Config, Waiver
from compliance.engine import evaluate
from compliance.packs import load_all
from compliance.report import ObligationState, Severity

LLAMA_FT = ancestor("acme/Llama-3.1-8B-Chat", "llama3.1")
LLAMA_BASE = ancestor(
    "meta-llama/Llama-3.1-8B", "llama3.1", depth=2, child="acme/Llama-3.1-8B-Chat"
)
QWEN_R = ancestor("Qwen/Qwen2.5-3B-Instruct", "qwen-research")
MERGE_CARD = {
    "license": "apache-2.0",
    "base_model": ["acme/Llama-3.1-8B-Chat", "Qwen/Qwen2.5-3B-Instruct"],
}


@pytest.fixture(scope="module")
def packs():
    return load_all()


def merged():
    return lineage(LLAMA_FT, LLAMA_BASE, QWEN_R, relation="merge")


def test_merge_of_llama_and_qwen_research_gets_both_packs(packs):
    findings, obligations = evaluate(facts(MERGE_CARD), merged(), packs, None, "acme/Merged-8B")
    licences = {o.license for o in obligations}
    assert licences == {"llama3.1", "qwen-research"}
    llama = [o for o in obligations if o.license == "llama3.1"]
    assert all(o.ancestors == ("acme/Llama-3.1-8B-Chat", "meta-llama/Llama-3.1-8B") for o in llama)
    # each licence's rules evaluated once, even though two ancestors bring llama3.1
    assert len({o.rule_id for o in llama}) == len(llama)
    fired = {f.rule_id for f in findings}
    assert "llama3.1/built-with" in fired and "qwen-research/built-with" in fired
    built = next(f for f in findings if f.rule_id == "llama3.1/built-with")
    assert built.ancestor == "acme/Llama-3.1-8B-Chat"  # the nearest ancestor under llama3.1
    assert built.clause is not None and built.clause.license == "llama3.1"
    # non-commercial carried: the apache-2.0 claim conflicts with the research parent
    nc = [f for f in findings if f.category == "non-commercial"]
    assert {f.rule_id for f in nc} >= {"core/non-commercial-ancestor"}
    assert any(
        f.ancestor == "Qwen/Qwen2.5-3B-Instruct" and f.severity is Severity.ERROR for f in nc
    )


def test_base_model_without_ancestors_gets_no_derivative_obligations(packs):
    f = facts({"license": "llama3.1"}, "# Llama 3.1 8B")
    findings, obligations = evaluate(f, lineage(), packs, None, "meta-llama/Llama-3.1-8B")
    assert obligations == []
    assert [x.rule_id for x in findings] == []


def test_applies_to_filters_by_relation(packs):
    lin = lineage(LLAMA_FT, relation="distilled")
    _, obligations = evaluate(facts({"license": "llama3.1"}), lin, packs, None, "acme/x")
    by_rule = {o.rule_id: o for o in obligations}
    for rule in next(p for p in packs if p.id == "llama3.1").rules:
        state = by_rule[rule.id].state
        if "distilled" not in (rule.applies_to or ()):
            assert state is ObligationState.NOT_APPLICABLE


def test_core_rules_run_once(packs):
    findings, _ = evaluate(facts({}), lineage(), packs, None, "acme/x")
    assert [f.rule_id for f in findings] == ["core/license-missing"]


def test_output_is_sorted_and_deterministic(packs):
    a = evaluate(facts(MERGE_CARD), merged(), packs, None, "acme/Merged-8B")
    b = evaluate(facts(MERGE_CARD), merged(), list(reversed(packs)), None, "acme/Merged-8B")
    assert a == b
    ranks = [f.severity.rank for f in a[0]]
    assert ranks == sorted(ranks, reverse=True)


def cfg(*waivers: Waiver) -> Config:
    return Config(origin=".modelcheck.yaml", waivers=waivers)


def test_waiver_marks_finding_but_keeps_it(packs):
    w = Waiver(
        "llama3.1/name-prefix", "acme/Llama-3.1-8B-Chat", "Name approved by Meta (ticket 123).", 0
    )
    findings, _ = evaluate(facts(MERGE_CARD), merged(), packs, cfg(w), "acme/Merged-8B")
    named = next(f for f in findings if f.rule_id == "llama3.1/name-prefix")
    assert named.waived and named.waiver_reason == "Name approved by Meta (ticket 123)."


def test_waiver_for_another_ancestor_does_not_match(packs):
    w = Waiver("llama3.1/name-prefix", "someone/else", "Because.", 0)
    findings, _ = evaluate(facts(MERGE_CARD), merged(), packs, cfg(w), "acme/Merged-8B")
    assert not next(f for f in findings if f.rule_id == "llama3.1/name-prefix").waived
    unused = [f for f in findings if f.rule_id == "core/waiver-unused"]
    assert len(unused) == 1 and unused[0].severity is Severity.INFO


def test_waiver_without_reason_is_an_error_and_not_applied(packs):
    w = Waiver("llama3.1/name-prefix", None, None, 2)
    findings, _ = evaluate(facts(MERGE_CARD), merged(), packs, cfg(w), "acme/Merged-8B")
    assert not next(f for f in findings if f.rule_id == "llama3.1/name-prefix").waived
    err = next(f for f in findings if f.rule_id == "core/waiver-without-reason")
    assert err.severity is Severity.ERROR and err.category == "metadata-invalid"
    assert err.evidence[0].key == "waivers[2]" and err.fix


def test_waiver_matches_ancestor_as_written(packs):
    a = ancestor("meta-llama/Llama-3.1-8B-Instruct", "llama3.1")
    a.as_written = "unsloth/Llama-3.1-8B-Instruct"
    w = Waiver(
        "llama3.1/built-with", "unsloth/Llama-3.1-8B-Instruct", "Shown on our product page.", 0
    )
    findings, _ = evaluate(
        facts({"license": "llama3.1"}), lineage(a), packs, cfg(w), "acme/Llama-x"
    )
    assert next(f for f in findings if f.rule_id == "llama3.1/built-with").waived


def test_extra_findings_are_sorted_and_waivable(packs):
    from compliance.report import Finding

    extra = Finding(
        "weights/identical", "undeclared-base-model", Severity.WARNING, "Same tensors as x/y."
    )
    w = Waiver("weights/identical", None, "Known.", 0)
    findings, _ = evaluate(
        facts({"license": "mit"}), lineage(), packs, cfg(w), "acme/x", extra_findings=[extra]
    )
    assert findings[0].rule_id == "weights/identical" and findings[0].waived


def test_waiver_may_name_any_ancestor_bringing_the_licence(packs):
    """The obligation is the licence's; its finding names the nearest ancestor bringing it,
    but a waiver naming a farther one (the base behind a fine-tune) still applies."""
    w = Waiver("llama3.1/name-prefix", "meta-llama/llama-3.1-8b", "Approved by Meta (ticket 9).", 0)
    findings, _ = evaluate(facts(MERGE_CARD), merged(), packs, cfg(w), "acme/Merged-8B")
    named = next(f for f in findings if f.rule_id == "llama3.1/name-prefix")
    assert named.ancestor == "acme/Llama-3.1-8B-Chat"
    assert named.waived and named.waiver_reason == "Approved by Meta (ticket 9)."
    assert not [f for f in findings if f.rule_id == "core/waiver-unused"]


def test_waiver_naming_an_ancestor_under_another_licence_does_not_match(packs):
    w = Waiver("llama3.1/name-prefix", "Qwen/Qwen2.5-3B-Instruct", "Wrong parent.", 0)
    findings, _ = evaluate(facts(MERGE_CARD), merged(), packs, cfg(w), "acme/Merged-8B")
    assert not next(f for f in findings if f.rule_id == "llama3.1/name-prefix").waived
    assert [f.rule_id for f in findings].count("core/waiver-unused") == 1


def test_waiver_for_a_per_ancestor_finding_names_that_ancestor_only(packs):
    """Core findings about one ancestor (here: undeclared) are not widened to its licence."""
    hidden = ancestor("acme/Llama-3.1-8B-Chat", "llama3.1", declared=False)
    other = ancestor("meta-llama/Llama-3.1-8B", "llama3.1", declared=False)
    lin = lineage(hidden, other, relation="merge")
    w = Waiver("core/undeclared-base-model", "meta-llama/Llama-3.1-8B", "Known.", 0)
    findings, _ = evaluate(facts({"license": "llama3.1"}), lin, packs, cfg(w), "acme/x")
    undeclared = {f.ancestor: f.waived for f in findings if f.category == "undeclared-base-model"}
    assert undeclared == {"acme/Llama-3.1-8B-Chat": False, "meta-llama/Llama-3.1-8B": True}
