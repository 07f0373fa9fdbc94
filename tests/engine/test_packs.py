"""Rule-pack loading, validation messages, identification and lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance import packs
from compliance.errors import RulePackError

PACK = """\
schema: 1
id: demo
kind: license
title: Demo Licence
category: permissive
commercial: true
identity:
  hub_ids: [demo-1.0]
  license_names: [demo]
  urls: ["https://example.org/demo"]
  signatures: [["DEMO LICENSE", "Version 1"]]
  notice_signatures: [["Demo is licensed under the Demo Licence"]]
derivatives: {acceptable_ids: [demo-1.0]}
"""
RULE = """\
id: demo/built-with
title: Display "Built with Demo"
category: missing-attribution
severity: error
applies_to: [finetune]
clause: {section: "§1", quote: "display Built with Demo"}
check: {kind: card-contains, options: {any: ["Built with Demo"]}}
message: The card does not display “Built with Demo”.
docs: {what: Checks the display string., why: §1 requires it.}
"""


def write_pack(root: Path, pack: str = PACK, rules: dict[str, str] | None = None) -> Path:
    d = root / "demo"
    d.mkdir(parents=True)
    (d / "pack.yaml").write_text(pack, encoding="utf-8")
    for name, text in (rules if rules is not None else {"built-with": RULE}).items():
        (d / f"{name}.yaml").write_text(text, encoding="utf-8")
    return d


def test_builtin_packs_validate_and_load():
    assert packs.validate_dir(packs.data_dir("rules")) == []
    loaded = packs.load_all()
    ids = [p.id for p in loaded]
    assert "core" in ids and ids == sorted(ids)
    assert packs.load_all() == loaded  # cached per process
    for p in loaded:
        for r in p.rules:
            assert r.id == f"{p.id}/{Path(r.path).stem}"
            assert r.docs.what and r.docs.why


def test_core_rules_found_for_explain():
    rule = packs.find_rule("core/undeclared-base-model")
    assert rule is not None and rule.clause is None and rule.check.kind == "undeclared-base-model"
    assert packs.find_rule("core/nope") is None


def test_extra_dir_one_pack(tmp_path):
    write_pack(tmp_path)
    loaded = packs.by_id(packs.load_all([tmp_path / "demo"]))
    rule = loaded["demo"].rules[0]
    assert rule.id == "demo/built-with" and rule.applies_to == ("finetune",)
    assert rule.clause.to_clause("demo").quote == "display Built with Demo"
    assert "demo" in packs.by_id(packs.load_all([tmp_path]))  # a folder of packs


def test_missing_dir_is_an_error(tmp_path):
    with pytest.raises(RulePackError, match="rule directory not found"):
        packs.load_all([tmp_path / "nope"])


@pytest.mark.parametrize(
    ("rule_text", "message"),
    [
        (
            RULE.replace("severity: error", "severity: high"),
            "'severity' must be one of error, warning, info (got 'high')",
        ),
        (
            RULE.replace("category: missing-attribution", "category: attribution"),
            "'category' must be one of license-missing",
        ),
        (RULE.replace("kind: card-contains", "kind: card-says"), "'check.kind' must be one of"),
        (RULE.replace("any:", "anyy:"), "unknown option 'anyy' for kind card-contains"),
        (
            RULE.replace("id: demo/built-with", "id: demo/other"),
            "rule id 'demo/other' must be 'demo/built-with' (<pack>/<file stem>)",
        ),
        (
            RULE.replace('clause: {section: "§1", quote: "display Built with Demo"}\n', ""),
            "licence rules need a 'clause'",
        ),
        (
            RULE.replace(
                "docs: {what: Checks the display string., why: §1 requires it.}",
                "docs: {what: Checks.}",
            ),
            "missing required key 'docs.why'",
        ),
        (RULE.replace("[finetune]", "[finetuned]"), "'applies_to' value 'finetuned' is not one of"),
        (RULE + "colour: red\n", "unknown key 'colour'"),
        (RULE.replace("title: Display", "title: [Display"), "invalid YAML"),
    ],
)
def test_rule_problems_are_clear(tmp_path, rule_text, message):
    write_pack(tmp_path, rules={"built-with": rule_text})
    problems = packs.validate_dir(tmp_path)
    assert len(problems) == 1, problems
    assert message in problems[0]
    assert problems[0].startswith(str(tmp_path / "demo" / "built-with.yaml"))
    with pytest.raises(RulePackError) as e:
        packs.load_all([tmp_path])
    assert message in str(e.value) and "\n" not in str(e.value)


def test_validate_dir_reports_every_problem(tmp_path):
    bad_pack = PACK.replace("id: demo", "id: demo2").replace("commercial: true\n", "")
    write_pack(tmp_path, bad_pack, {"a": RULE, "b": RULE.replace("error", "fatal")})
    problems = packs.validate_dir(tmp_path)
    assert any("must equal its folder name 'demo'" in p for p in problems)
    assert any("licence packs need 'commercial'" in p for p in problems)


def test_validate_dir_reports_all_rule_files(tmp_path):
    write_pack(tmp_path, rules={"a": RULE, "b": RULE.replace("error", "fatal")})
    problems = packs.validate_dir(tmp_path)
    assert len(problems) == 2  # schema problems come first; the id is checked once they are fixed
    assert any("a.yaml" in p and "must be 'demo/a'" in p for p in problems)
    assert any("b.yaml" in p and "'severity'" in p for p in problems)


def test_validate_dir_empty(tmp_path):
    assert "no pack.yaml" in packs.validate_dir(tmp_path)[0]


def test_core_rules_may_omit_clause(tmp_path):
    core = "schema: 1\nid: demo\nkind: core\ntitle: Core\n"
    rule = RULE.replace('clause: {section: "§1", quote: "display Built with Demo"}', "clause: null")
    write_pack(tmp_path, core, {"built-with": rule})
    assert packs.validate_dir(tmp_path) == []


def test_identify_text_and_declared(tmp_path):
    write_pack(tmp_path)
    demo = packs.by_id(packs.load_all([tmp_path]))["demo"]
    text = "  demo   license\n\nVersion 1 ..."
    assert packs.identify_text(text, "license", [demo]) == ["demo"]
    assert packs.identify_text("DEMO LICENSE only", "license", [demo]) == []
    assert packs.identify_text("“Demo is licensed under the Demo Licence”", "notice", [demo]) == [
        "demo"
    ]
    assert packs.identifier([demo])(text, "license") == ["demo"]
    assert packs.pack_for_declared({"license": "Demo-1.0"}, [demo]) == "demo"
    assert packs.pack_for_declared({"license": "other", "license_name": "demo"}, [demo]) == "demo"
    link = {"license": "other", "license_link": "https://example.org/demo/v1"}
    assert packs.pack_for_declared(link, [demo]) == "demo"
    assert packs.pack_for_declared({"license": "mit"}, [demo]) is None


def test_builtin_identification_of_llama_text():
    loaded = packs.load_all()
    ids = packs.identify_text(
        "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version ...", "license", loaded
    )
    assert "llama3.1" in ids
    assert packs.pack_for_declared({"license": "llama3.1"}, loaded) == "llama3.1"


def test_doc_cache_reparses_changed_files(tmp_path, monkeypatch):
    cache_file = tmp_path / "cache" / "docs.json"
    monkeypatch.setattr(packs, "CACHE_PATH", cache_file)
    packs._load_cached.cache_clear()
    write_pack(tmp_path / "p")
    first = packs.by_id(packs.load_all([tmp_path / "p"]))["demo"]
    assert (
        cache_file.is_file()
        and str(tmp_path / "p" / "demo" / "built-with.yaml") in cache_file.read_text()
    )
    rule_file = tmp_path / "p" / "demo" / "built-with.yaml"
    rule_file.write_text(RULE.replace("severity: error", "severity: warning"), encoding="utf-8")
    packs._load_cached.cache_clear()
    second = packs.by_id(packs.load_all([tmp_path / "p"]))["demo"]
    assert first.rules[0].severity.value == "error" and second.rules[0].severity.value == "warning"
    packs._load_cached.cache_clear()


def test_doc_cache_revalidates_rules_when_pack_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(packs, "CACHE_PATH", tmp_path / "docs.json")
    packs._load_cached.cache_clear()
    core = "schema: 1\nid: demo\nkind: core\ntitle: Core\n"
    rule = RULE.replace('clause: {section: "§1", quote: "display Built with Demo"}', "clause: null")
    d = write_pack(tmp_path / "p", core, {"built-with": rule})
    assert packs.load_all([tmp_path / "p"])  # valid as a core pack, and now cached
    (d / "pack.yaml").write_text(PACK, encoding="utf-8")  # now a licence pack: clause required
    packs._load_cached.cache_clear()
    with pytest.raises(RulePackError, match="licence rules need a 'clause'"):
        packs.load_all([tmp_path / "p"])
    packs._load_cached.cache_clear()
