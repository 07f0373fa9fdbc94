"""Rule-pack loading, validation messages, identification and lookup."""

from __future__ import annotations

import marshal
import os
import tempfile
import threading
from pathlib import Path

import pytest

from compliance import local_cache, packs
from compliance.errors import RulePackError
from compliance.facts.model import Card, LicenseFile
from compliance.packs import cache as cache_mod
from compliance.resources import data_dir

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
    assert packs.validate_dir(data_dir("rules")) == []
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
    assert packs.pack_for_declared("Demo-1.0", None, None, [demo]) == "demo"
    assert packs.pack_for_declared("other", "demo", None, [demo]) == "demo"
    assert packs.pack_for_declared("other", None, "https://example.org/demo/v1", [demo]) == "demo"
    assert packs.pack_for_declared("mit", None, None, [demo]) is None


def test_identifier_binds_one_pack_set(tmp_path):
    write_pack(tmp_path)
    demo = packs.by_id(packs.load_all([tmp_path]))["demo"]
    identify = packs.Identifier([demo])
    card = Card(present=True, metadata={"license": ["Demo-1.0"]})
    assert identify.card(card) == "demo"
    assert identify.card(Card(present=False, metadata={"license": "Demo-1.0"})) is None
    assert identify.license_value("demo-1.0") == "demo" and identify.license_value("mit") is None
    files = [
        LicenseFile("LICENSE", "license", "  demo   license\n\nVersion 1 ..."),
        LicenseFile("NOTICE", "notice", "Copyright Acme"),
    ]
    assert identify.files(files) == {"LICENSE": ("demo",), "NOTICE": ()}


def test_builtin_identification_of_llama_text():
    loaded = packs.load_all()
    ids = packs.identify_text(
        "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version ...", "license", loaded
    )
    assert "llama3.1" in ids
    assert packs.pack_for_declared("llama3.1", None, None, loaded) == "llama3.1"


@pytest.fixture
def doc_cache(tmp_path, monkeypatch):
    """The on-disk cache at a test path; the per-process memo forgotten around the test."""
    path = tmp_path / "cache" / "docs.marshal"
    monkeypatch.setattr(cache_mod, "CACHE_PATH", path)
    packs.clear_memo()
    yield path
    packs.clear_memo()


def reload(root: Path) -> packs.Pack:
    """Load `root` afresh in this process (the on-disk cache may still answer)."""
    packs.clear_memo()
    return packs.by_id(packs.load_all([root]))["demo"]


def age(*files: Path, seconds: int = 60) -> None:
    """Date files back, so the cache trusts their entries (see cache.RACY_NS)."""
    for f in files:
        st = f.stat()
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 10**9))


def test_doc_cache_reparses_changed_files(tmp_path, doc_cache):
    cache_file = doc_cache
    write_pack(tmp_path / "p")
    first = packs.by_id(packs.load_all([tmp_path / "p"]))["demo"]
    assert (
        cache_file.is_file()
        and str(tmp_path / "p" / "demo" / "built-with.yaml")
        in local_cache.read_marshal(cache_file)["docs"]
    )
    rule_file = tmp_path / "p" / "demo" / "built-with.yaml"
    rule_file.write_text(RULE.replace("severity: error", "severity: warning"), encoding="utf-8")
    packs.clear_memo()
    second = packs.by_id(packs.load_all([tmp_path / "p"]))["demo"]
    assert first.rules[0].severity.value == "error" and second.rules[0].severity.value == "warning"


def test_doc_cache_revalidates_rules_when_pack_changes(tmp_path, doc_cache):
    core = "schema: 1\nid: demo\nkind: core\ntitle: Core\n"
    rule = RULE.replace('clause: {section: "§1", quote: "display Built with Demo"}', "clause: null")
    d = write_pack(tmp_path / "p", core, {"built-with": rule})
    assert packs.load_all([tmp_path / "p"])  # valid as a core pack, and now cached
    (d / "pack.yaml").write_text(PACK, encoding="utf-8")  # now a licence pack: clause required
    packs.clear_memo()
    with pytest.raises(RulePackError, match="licence rules need a 'clause'"):
        packs.load_all([tmp_path / "p"])


def test_doc_cache_answers_for_unchanged_files(tmp_path, doc_cache, monkeypatch):
    d = write_pack(tmp_path / "p")
    age(d / "pack.yaml", d / "built-with.yaml")
    reload(tmp_path / "p")  # stores both documents
    monkeypatch.setattr(
        packs.load.safeload, "load_yaml", lambda *a, **k: pytest.fail("YAML parsed")
    )
    assert reload(tmp_path / "p").rules[0].id == "demo/built-with"


def test_doc_cache_same_size_edit_is_not_stale(tmp_path, doc_cache):
    d = write_pack(tmp_path / "p")
    rule_file = d / "built-with.yaml"
    age(d / "pack.yaml", rule_file)
    assert reload(tmp_path / "p").rules[0].severity.value == "error"
    # Same size, and the old mtime put back: only ctime tells the file changed.
    st = rule_file.stat()
    edited = RULE.replace("severity: error", "severity: info ")
    assert len(edited) == len(RULE)
    rule_file.write_text(edited, encoding="utf-8")
    os.utime(rule_file, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert reload(tmp_path / "p").rules[0].severity.value == "info"


def test_doc_cache_does_not_trust_racy_entries(tmp_path, doc_cache, monkeypatch):
    """A file written just before it was cached may change again within one timestamp
    tick: a stamp match alone must not serve its entry."""
    d = write_pack(tmp_path / "p")  # fresh files: their entries are racy
    reload(tmp_path / "p")
    parsed: list[str] = []
    real_load = packs.load.safeload.load_yaml
    monkeypatch.setattr(
        packs.load.safeload,
        "load_yaml",
        lambda text, *a, **k: parsed.append(text) or real_load(text, *a, **k),
    )
    reload(tmp_path / "p")
    assert len(parsed) == 2 and (d / "built-with.yaml").read_text() in parsed


def test_doc_cache_from_another_version_is_ignored(tmp_path, doc_cache, monkeypatch):
    d = write_pack(tmp_path / "p")
    age(d / "pack.yaml", d / "built-with.yaml")
    reload(tmp_path / "p")
    stored = local_cache.read_marshal(doc_cache)
    entry = stored["docs"][str(d / "built-with.yaml")]
    changed = cache_mod.document(entry[-1])
    changed["severity"] = "warning"  # what an older, differently validated run stored
    entry[-1] = marshal.dumps(changed)
    stored["schema"] = "0" * 16
    assert local_cache.write_marshal(doc_cache, stored)
    assert reload(tmp_path / "p").rules[0].severity.value == "error"
    assert local_cache.read_marshal(doc_cache)["schema"] == cache_mod.schema_stamp()


def test_corrupt_doc_cache_is_ignored(tmp_path, doc_cache):
    write_pack(tmp_path / "p")
    doc_cache.parent.mkdir(parents=True)
    for junk in (b"{not json", b"MCm1\x00\x00\x00\x00[[[["):
        doc_cache.write_bytes(junk)
        assert reload(tmp_path / "p").rules[0].id == "demo/built-with"
    for document in ([], {"schema": "x"}):
        assert local_cache.write_marshal(doc_cache, document)
        assert reload(tmp_path / "p").rules[0].id == "demo/built-with"
    good = local_cache.read_marshal(doc_cache)
    good["docs"] = {str(tmp_path / "p" / "demo" / "built-with.yaml"): {"not": "a list"}}
    assert local_cache.write_marshal(doc_cache, good)
    assert reload(tmp_path / "p").rules[0].id == "demo/built-with"


def test_read_only_cache_dir_is_not_an_error(tmp_path, doc_cache, monkeypatch):
    write_pack(tmp_path / "p")
    doc_cache.parent.mkdir(parents=True)
    doc_cache.parent.chmod(0o555)
    if os.name != "posix" or os.geteuid() == 0:  # permissions do not bind: refuse as they would

        def refuse(*args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied", str(doc_cache.parent))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    try:
        assert reload(tmp_path / "p").rules[0].id == "demo/built-with"
        assert list(doc_cache.parent.iterdir()) == []  # no cache, no stray temporary file
    finally:
        doc_cache.parent.chmod(0o755)


def test_unwritable_cache_leaves_no_temporary_file(tmp_path, monkeypatch):
    """Root ignores permissions, so fail the rename itself."""
    path = tmp_path / "c" / "docs.marshal"
    cache = cache_mod.DocCache(path)
    cache.put(tmp_path / "x.yaml", cache_mod.FileStamp(1, 2, 3), {"a": 1})

    def refuse(src: str, dst: object) -> None:
        raise PermissionError(13, "read-only", src)

    monkeypatch.setattr(cache_mod.os, "replace", refuse)
    cache.save()
    assert not path.exists() and list(path.parent.iterdir()) == []


def test_cache_writes_are_atomic_replacements(tmp_path, monkeypatch):
    path = tmp_path / "docs.marshal"
    path.write_bytes(b"old")
    seen: list[tuple[bytes, bytes]] = []
    real_replace = os.replace

    def spy(src: str, dst: object) -> None:
        seen.append((Path(src).read_bytes(), path.read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(cache_mod.os, "replace", spy)
    cache = cache_mod.DocCache(path)
    cache.put(tmp_path / "x.yaml", cache_mod.FileStamp(1, 2, 3), {"a": 1})
    cache.save()
    [(new, old)] = seen
    assert old == b"old" and local_cache.read_marshal(path)["docs"] and path.read_bytes() == new


def test_concurrent_writers_never_leave_a_torn_cache(tmp_path):
    path = tmp_path / "docs.marshal"

    def writer(n: int) -> None:
        for i in range(20):
            cache = cache_mod.DocCache(path)
            cache.put(tmp_path / f"{n}.yaml", cache_mod.FileStamp(i, n, 0), {"x": "y" * 4096})
            cache.save()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):  # read while they write: never half a file
        if path.exists():
            assert local_cache.read_marshal(path)["schema"] == cache_mod.schema_stamp()
    for t in threads:
        t.join()
    assert local_cache.read_marshal(path)["schema"] == cache_mod.schema_stamp()
    assert [p.name for p in tmp_path.iterdir()] == ["docs.marshal"]  # no temporary file left


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"XDG_CACHE_HOME": "/xdg"}, Path("/xdg/modelcheck")),
        ({"XDG_CACHE_HOME": "/xdg", "MODELCHECK_NO_CACHE": "1"}, None),
        ({"XDG_CACHE_HOME": "/xdg", "MODELCHECK_NO_CACHE": "0"}, Path("/xdg/modelcheck")),
        ({"XDG_CACHE_HOME": "/xdg", "MODELCHECK_NO_CACHE": ""}, Path("/xdg/modelcheck")),
    ],
)
def test_cache_path_from_environment(env, expected):
    path = cache_mod.default_cache_path(env)
    assert (path.parent if path else None) == expected


def test_cache_path_defaults_to_home_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_mod.default_cache_path({}).parent == tmp_path / ".cache" / "modelcheck"


def test_disabled_cache_writes_nothing(tmp_path, monkeypatch):
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "MODELCHECK_NO_CACHE": "1"}
    monkeypatch.setattr(cache_mod, "CACHE_PATH", cache_mod.default_cache_path(env))
    packs.clear_memo()
    try:
        write_pack(tmp_path / "p")
        assert reload(tmp_path / "p").rules[0].id == "demo/built-with"
        assert not (tmp_path / "xdg").exists()
    finally:
        packs.clear_memo()


def test_unverified_clause_needs_a_note(tmp_path):
    """rules/README.md: `note` is required when `verified` is false; the loader let it pass."""
    unverified = RULE.replace('quote: "display Built with Demo"}', 'quote: "x", verified: false}')
    write_pack(tmp_path, rules={"built-with": unverified})
    problems = packs.validate_dir(tmp_path)
    assert any("needs a 'clause.note'" in p for p in problems), problems
    noted = unverified.replace("verified: false}", "verified: false, note: from a blog post}")
    write_pack(tmp_path / "ok", rules={"built-with": noted})
    assert packs.validate_dir(tmp_path / "ok") == []


def test_rules_readme_documents_every_check_kind_and_option():
    """rules/README.md must match what the loader accepts (it listed 8 of the 20 kinds)."""
    from compliance.checks import CHECKS

    readme = (Path(__file__).resolve().parents[2] / "rules" / "README.md").read_text("utf-8")
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in readme.splitlines()
        if line.startswith("| `")
    }
    for kind, module in CHECKS.items():
        assert kind in rows, f"check kind {kind} missing from rules/README.md"
        for option in module.OPTIONS:
            assert f"`{option}" in rows[kind], f"option {option} of {kind} undocumented"
