"""run_audit on local directories (catalog only, no network)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from compliance.errors import ConfigError, PathNotFoundError
from compliance.pipeline import AuditOptions, run_audit
from compliance.sources.local import LocalSource

CARD = """\
---
license: llama3.1
base_model: meta-llama/Llama-3.1-8B-Instruct
---
# Llama-3.1-Acme-8B

Built with Llama. Use is subject to the Llama 3.1 Acceptable Use Policy.
"""


def make_repo(root: Path, card: str = CARD, **files: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(card, encoding="utf-8")
    for name, text in files.items():
        (root / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return root


def test_local_audit_end_to_end(tmp_path):
    repo = make_repo(tmp_path / "Llama-3.1-Acme-8B")
    report = run_audit(AuditOptions(str(repo)))
    assert report.source_kind == "local"
    assert (report.model_name, report.model_name_source) == (
        "Llama-3.1-Acme-8B",
        "card first heading",
    )
    assert report.declared_license == "llama3.1" and report.relation == "finetune"
    assert [a.repo_id for a in report.lineage.ancestors][0] == "meta-llama/Llama-3.1-8B-Instruct"
    fired = {f.rule_id for f in report.findings}
    assert "llama3.1/built-with" not in fired and "llama3.1/name-prefix" not in fired
    assert "llama3.1/license-file" in fired  # no LICENSE file shipped
    assert "core" in report.rule_packs and "llama3.1" in report.rule_packs
    states = {o.rule_id: o.state.value for o in report.obligations}
    assert states["llama3.1/built-with"] == "met"


def test_name_option_and_repo_config_waiver(tmp_path):
    config = (
        "repo_id: acme/Acme-8B\nfail_on: warning\nwaivers:\n"
        "  - rule: llama3.1/name-prefix\n    reason: Approved.\n"
        "  - rule: core/license-missing\n"
    )
    repo = make_repo(tmp_path / "r", **{"__modelcheck__yaml": config})
    report = run_audit(AuditOptions(str(repo)))
    assert (report.model_name, report.model_name_source) == (
        "acme/Acme-8B",
        ".modelcheck.yaml repo_id",
    )
    assert report.config_fail_on == "warning"
    named = next(f for f in report.findings if f.rule_id == "llama3.1/name-prefix")
    assert named.waived and named.waiver_reason == "Approved."
    assert any(f.rule_id == "core/waiver-without-reason" for f in report.findings)
    report = run_audit(AuditOptions(str(repo), name="acme/Llama-3.1-Acme"))
    assert report.model_name_source == "--name"
    assert all(f.rule_id != "llama3.1/name-prefix" for f in report.findings)


def test_repo_config_rules_dir_adds_a_policy_pack(tmp_path):
    repo = make_repo(tmp_path / "r", **{"__modelcheck__yaml": "rules: [policies]\n"})
    pol = repo / "policies" / "acme"
    pol.mkdir(parents=True)
    (pol / "pack.yaml").write_text("schema: 1\nid: acme\nkind: policy\ntitle: Acme policy\n")
    (pol / "no-llama.yaml").write_text(
        "id: acme/no-llama\ntitle: No Llama\ncategory: use-policy\nseverity: error\n"
        "check: {kind: ancestor-license, options: {forbid_ids: [llama3.1]}}\n"
        "message: Llama is not allowed here.\ndocs: {what: Checks ancestors., why: Policy.}\n"
    )
    report = run_audit(AuditOptions(str(repo)))
    assert "acme" in report.rule_packs
    hit = [f for f in report.findings if f.rule_id == "acme/no-llama"]
    assert {f.ancestor for f in hit} == {
        "meta-llama/Llama-3.1-8B-Instruct",
        "meta-llama/Llama-3.1-8B",
    }


def test_licence_files_are_identified_by_the_repos_own_packs(tmp_path):
    """Identification runs once, after .modelcheck.yaml has named the repo's rule folders."""
    card = "---\nlicense: mit\n---\n# Acme\n"
    repo = make_repo(
        tmp_path / "r",
        card,
        LICENSE="ACME MODEL LICENCE\nVersion 1\n",
        **{"__modelcheck__yaml": "rules: [licences]\n"},
    )
    pack = repo / "licences" / "acme-licence"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text(
        "schema: 1\nid: acme-licence\nkind: license\ntitle: Acme Model Licence\n"
        "category: permissive\ncommercial: true\n"
        "identity: {signatures: [[ACME MODEL LICENCE]]}\n"
    )
    report = run_audit(AuditOptions(str(repo)))
    (hit,) = [f for f in report.findings if f.rule_id == "core/license-file-mismatch"]
    assert "`mit`" in hit.message and "`acme-licence`" in hit.message
    # without the repo's rule folder the text is nobody's: nothing to compare
    (repo / ".modelcheck.yaml").unlink()
    report = run_audit(AuditOptions(str(repo)))
    assert all(f.rule_id != "core/license-file-mismatch" for f in report.findings)


def test_bad_targets_and_options(tmp_path):
    with pytest.raises(PathNotFoundError, match="not a Hub repo id"):
        run_audit(AuditOptions(str(tmp_path / "no" / "such" / "dir")))
    repo = make_repo(tmp_path / "r")
    with pytest.raises(ConfigError, match="--resolve must be one of"):
        run_audit(AuditOptions(str(repo), resolve="sometimes"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("fail_on: loud\n")
    with pytest.raises(ConfigError, match="fail_on"):
        run_audit(AuditOptions(str(repo), config_file=str(bad)))


def test_local_audit_stays_light(tmp_path):
    repo = make_repo(tmp_path / "r")
    code = (
        "import sys\nfrom compliance.pipeline import AuditOptions, run_audit\n"
        f"run_audit(AuditOptions({str(repo)!r}))\n"
        "heavy = ('numpy', 'scipy', 'huggingface_hub', 'spdx_tools')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class _FakeHubSource(LocalSource):
    """A local directory dressed as a Hub repo (no network)."""

    kind = "hub"


def test_hub_target_wiring(tmp_path, monkeypatch):
    import compliance.lineage.hub_resolver as hub_resolver
    import compliance.sources.hub as hub
    from compliance.lineage.model import AncestorResolver, ResolvedRepo

    card = CARD.replace("meta-llama/Llama-3.1-8B-Instruct", "acme/private-base")
    repo = make_repo(tmp_path / "snap", card, **{"__modelcheck__yaml": "rules: [policies]\n"})
    opened = {}

    def fake_open(repo_id, revision=None, **_):
        opened.update(repo_id=repo_id, revision=revision)
        src = _FakeHubSource(repo)
        src.repo_id, src.revision, src.commit = repo_id, revision, "c0ffee"
        return src

    class Resolver(AncestorResolver):
        name = "hub"

        def __init__(self, **kw):
            self.kw = kw

        def resolve(self, repo_id):
            return ResolvedRepo(
                repo_id, "llama3.1", "hub-card", [("meta-llama/Llama-3.1-8B", None)]
            )

    monkeypatch.setattr(hub.HubSource, "open", staticmethod(fake_open))
    monkeypatch.setattr(hub_resolver, "HubResolver", Resolver)
    report = run_audit(AuditOptions("acme/Llama-3.1-Acme-8B@v1.0"))
    assert opened == {"repo_id": "acme/Llama-3.1-Acme-8B", "revision": "v1.0"}
    assert report.source_kind == "hub" and report.commit == "c0ffee" and report.revision == "v1.0"
    assert (report.model_name, report.model_name_source) == (
        "acme/Llama-3.1-Acme-8B",
        "Hub repo id",
    )
    first = report.lineage.ancestors[0]
    assert (first.repo_id, first.resolution, first.license) == (
        "acme/private-base",
        "hub",
        "llama3.1",
    )
    # Hub mode: a catalog-known ancestor is read through the resolver too, not the catalog
    second = report.lineage.ancestors[1]
    assert (second.repo_id, second.resolution) == ("meta-llama/Llama-3.1-8B", "hub")
    assert any("`rules:` ignored" in n for n in report.notes)
    report = run_audit(AuditOptions("acme/Llama-3.1-Acme-8B", resolve="catalog"))
    assert report.lineage.ancestors[0].resolution == "unresolved"


def test_markdown_says_where_each_link_is_known_from(tmp_path):
    from compliance.reporters import get

    report = run_audit(AuditOptions(str(make_repo(tmp_path / "Llama-3.1-Acme-8B"))))
    md = get("markdown")(report)
    assert "| Resolved by | Known from |" in md and "| Declared |" not in md
    rows = {line.split(" | ")[0].lstrip("| "): line for line in md.splitlines() if "|" in line}
    assert rows["meta-llama/Llama-3.1-8B-Instruct"].endswith("| card base_model |")
    # the depth-2 base comes from the catalog, not from the audited repo
    assert rows["meta-llama/Llama-3.1-8B"].endswith(
        "| catalog (base of meta-llama/Llama-3.1-8B-Instruct) |"
    )
    deep = report.lineage.ancestors[1]
    assert (deep.depth, deep.declared) == (2, False)


def test_hub_and_catalog_disagreement_is_a_report_note(tmp_path, monkeypatch):
    import compliance.lineage.hub_resolver as hub_resolver
    import compliance.sources.hub as hub
    from compliance.lineage.model import AncestorResolver, ResolvedRepo

    card = CARD.replace("meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B")
    repo = make_repo(tmp_path / "snap", card)

    def fake_open(repo_id, revision=None, **_):
        src = _FakeHubSource(repo)
        src.repo_id, src.revision, src.commit = repo_id, revision, "c0ffee"
        return src

    class Resolver(AncestorResolver):
        name = "hub"

        def __init__(self, **kw):
            pass

        hub_says = "llama3"

        def resolve(self, repo_id):
            return ResolvedRepo(repo_id, Resolver.hub_says, "hub-card", commit="e" * 40)

    monkeypatch.setattr(hub.HubSource, "open", staticmethod(fake_open))
    monkeypatch.setattr(hub_resolver, "HubResolver", Resolver)
    report = run_audit(AuditOptions("acme/Llama-3.1-Acme-8B"))
    (a,) = report.lineage.ancestors
    assert (a.repo_id, a.license, a.resolution) == ("meta-llama/Llama-3.1-8B", "llama3", "hub")
    notes = [n for n in report.notes if "disagree" in n]
    assert notes == [
        "Hub and built-in catalog disagree on `meta-llama/Llama-3.1-8B`: its repo on the Hub "
        f"(meta-llama/Llama-3.1-8B@{'e' * 12}, hub-card) says `llama3`, "
        "the built-in catalog says `llama3.1`; the Hub's answer was used. "
        "Check which licence applies."
    ]
    # a permissive Hub answer against the catalog's model licence: the stricter is kept,
    # and the disagreement is a finding
    Resolver.hub_says = "apache-2.0"
    report = run_audit(AuditOptions("acme/Llama-3.1-Acme-8B"))
    (a,) = report.lineage.ancestors
    assert (a.license, a.resolution) == ("llama3.1", "catalog")
    assert "core/license-conflict" in {f.rule_id for f in report.findings}
    # catalog mode: no Hub read, no disagreement to report
    report = run_audit(AuditOptions("acme/Llama-3.1-Acme-8B", resolve="catalog"))
    assert not any("disagree" in n for n in report.notes)
