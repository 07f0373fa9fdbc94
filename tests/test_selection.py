"""--select / --ignore: by rule id, pack or category; unknown selectors are usage
errors with a did-you-mean; what was left out is noted."""

from __future__ import annotations

import pytest

from compliance import selection
from compliance.errors import ConfigError
from compliance.report import Evidence, Finding, Report, Severity


def _report() -> Report:
    def f(rule: str, category: str) -> Finding:
        return Finding(rule, category, Severity.ERROR, "m", (Evidence(file="README.md"),))

    return Report(
        target=".", source_kind="local", model_name="org/m", model_name_source="--name",
        declared_license=None, relation="finetune",
        findings=[
            f("llama3.1/built-with", "missing-attribution"),
            f("llama3.1/name-prefix", "naming"),
            f("core/undeclared-base-model", "undeclared-base-model"),
        ],
        rule_packs=["llama3.1", "core"],
    )


def _ids(report: Report) -> list[str]:
    return [f.rule_id for f in report.findings]


def test_select_by_pack_and_ignore_by_category() -> None:
    out = selection.apply(_report(), select=["llama3.1"], ignore=["naming"])
    assert _ids(out) == ["llama3.1/built-with"]
    assert out.notes == ["2 finding(s) not shown (--select llama3.1 --ignore naming)."]


def test_ignore_by_rule_id() -> None:
    assert _ids(selection.apply(_report(), ignore=["core/undeclared-base-model"])) == [
        "llama3.1/built-with", "llama3.1/name-prefix",
    ]


def test_no_selectors_change_nothing() -> None:
    report = _report()
    assert selection.apply(report) is report


def test_comma_separated_and_repeated_values() -> None:
    assert selection.split(["a, b", "c", ""]) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("selector", "suggestion"),
    [("llama3.1/name-prefx", "llama3.1/name-prefix"), ("missing-atribution",
                                                        "missing-attribution")],
)
def test_unknown_selector_is_an_error_with_a_did_you_mean(selector: str, suggestion: str) -> None:
    with pytest.raises(ConfigError, match=f"did you mean `{suggestion}`"):
        selection.apply(_report(), ignore=[selector])


def test_unknown_selector_without_a_near_match() -> None:
    with pytest.raises(ConfigError, match="not a rule id, rule pack or category") as e:
        selection.apply(_report(), select=["zzzzzz"])
    assert "did you mean" not in str(e.value)
