"""`modelcheck fix` end to end: on a copy of each example, --write removes exactly the
findings whose rules are automatic and leaves every other finding as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from compliance import packs as packs_mod
from compliance.cli import main
from compliance.pipeline import AuditOptions, run_audit

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (REPO_ROOT / "examples").iterdir() if p.is_dir())
# what identifies the Llama 3.1 agreement (rules/llama3.1/pack.yaml signatures)
LLAMA_TEXT = (
    "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n"
)


def _findings(repo: Path) -> set[tuple[str, str | None, str]]:
    report = run_audit(AuditOptions(target=str(repo)))
    return {(f.rule_id, f.ancestor, f.message) for f in report.findings if not f.waived}


def _automatic() -> set[str]:
    return {
        r.id
        for p in packs_mod.load_all()
        for r in p.rules
        if r.autofix is not None and not r.autofix.suggest
    }


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_write_removes_the_fixable_findings_and_only_them(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / example.name
    shutil.copytree(example, repo)
    licence = tmp_path / "base-LICENSE"
    licence.write_text(LLAMA_TEXT, encoding="utf-8")
    before = _findings(repo)
    fixable = {f for f in before if f[0] in _automatic()}

    args = ["fix", str(repo), "--write"]
    if any(f[0].endswith("/license-file") for f in fixable):
        args += ["--license-file", str(licence)]
    assert main(args) == 0
    after = _findings(repo)

    assert after == before - fixable
    assert not {f for f in after if f[0] in _automatic()}
    # idempotent: nothing left to do, and the diff mode agrees
    capsys.readouterr()
    assert main(["fix", str(repo)] + args[3:]) == 0
    assert capsys.readouterr().out == ""


def test_the_llama_example_has_something_to_fix() -> None:
    # guards the test above against passing because nothing was fixable
    fixable = {f[0] for f in _findings(REPO_ROOT / "examples/llama31-finetune-apache")}
    assert {"llama3.1/built-with", "llama3.1/notice-file", "llama3.1/license-id"} <= fixable


def _llama_copy(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "examples/llama31-finetune-apache", repo)
    return repo


def test_diff_mode_writes_nothing_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _llama_copy(tmp_path)
    snapshot = {p.name: p.read_bytes() for p in repo.iterdir()}
    assert main(["fix", str(repo)]) == 1
    out, err = capsys.readouterr()
    assert "+++ b/NOTICE" in out and "+license: llama3.1" in out and "+Built with Llama" in out
    assert "suggestion (not applied): llama3.1/name-prefix" in err
    assert "--license-file" in err  # the licence text is never invented
    assert {p.name: p.read_bytes() for p in repo.iterdir()} == snapshot


def test_a_licence_file_that_is_not_the_licence_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _llama_copy(tmp_path)
    wrong = tmp_path / "MIT"
    wrong.write_text("MIT License\n\nPermission is hereby granted, free of charge\n")
    assert main(["fix", str(repo), "--write", "--license-file", str(wrong)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not recognised as the llama3.1 licence text" in err
    assert not (repo / "NOTICE").exists()


def _refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["fix", str(repo), "--write"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_readme_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _llama_copy(tmp_path)
    outside = tmp_path / "elsewhere.md"
    (repo / "README.md").rename(outside)
    (repo / "README.md").symlink_to(outside)
    before = outside.read_bytes()
    assert "README.md: is a symlink" in _refused(repo, capsys)
    assert outside.read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_notice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO_ROOT / "examples/gguf-quant", repo)
    target = tmp_path / "target.txt"
    target.write_text("")
    (repo / "NOTICE").symlink_to(target)
    assert "NOTICE: is a symlink" in _refused(repo, capsys)
    assert target.read_text() == ""


def test_card_without_front_matter_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # config.json still names the base, so `base_model` must be set: there is nowhere to
    repo = _llama_copy(tmp_path)
    card = repo / "README.md"
    card.write_text(card.read_text(encoding="utf-8").split("---", 2)[2].lstrip(), "utf-8")
    before = card.read_bytes()
    assert "README.md: no YAML front matter" in _refused(repo, capsys)
    assert card.read_bytes() == before


def test_broken_front_matter_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _llama_copy(tmp_path)
    card = repo / "README.md"
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("license: apache-2.0", "license: [apache-2.0"), encoding="utf-8")
    before = card.read_bytes()
    err = _refused(repo, capsys)
    assert "README.md:" in err and "not valid YAML" in err
    assert card.read_bytes() == before
    assert not (repo / "NOTICE").exists()  # nothing is written when one edit is refused


def test_not_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fix", "org/name"]) == 2
    assert "fix edits local repos only" in capsys.readouterr().err


def test_readme_example_is_real_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Fixing a repo", 1)[1]
    block = section.split("```console\n$ modelcheck fix SupportBot\n", 1)[1].split("```", 1)[0]
    shutil.copytree(REPO_ROOT / "examples/llama31-finetune-apache", tmp_path / "SupportBot")
    monkeypatch.chdir(tmp_path)
    assert main(["fix", "SupportBot"]) == 1
    out, err = capsys.readouterr()
    assert out + err == block


def test_undeclared_base_is_declared_with_its_relation(tmp_path: Path) -> None:
    repo = _llama_copy(tmp_path)
    card = repo / "README.md"
    lines = card.read_text(encoding="utf-8").splitlines(keepends=True)
    card.write_text("".join(x for x in lines if not x.startswith("base_model")), "utf-8")
    assert "core/undeclared-base-model" in {f[0] for f in _findings(repo)}
    assert main(["fix", str(repo), "--write"]) == 0
    meta = card.read_text(encoding="utf-8").split("---")[1]
    assert "base_model: meta-llama/Llama-3.1-8B-Instruct\nbase_model_relation: finetune\n" in meta
    assert "core/undeclared-base-model" not in {f[0] for f in _findings(repo)}


def test_written_files_keep_their_mode_and_new_ones_follow_the_umask(tmp_path: Path) -> None:
    repo = _llama_copy(tmp_path)
    (repo / "README.md").chmod(0o640)
    old = os.umask(0o022)
    try:
        assert main(["fix", str(repo), "--write"]) == 0
    finally:
        os.umask(old)
    assert (repo / "README.md").stat().st_mode & 0o777 == 0o640
    assert (repo / "NOTICE").stat().st_mode & 0o777 == 0o644
    assert not [p for p in repo.iterdir() if p.name.endswith(".tmp")]


def test_the_repos_own_rule_packs_are_fixed_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pack named by the repo's .modelcheck.yaml (`rules:`) is part of the audit, so
    `fix` plans its findings as it plans the bundled packs'."""
    repo = _llama_copy(tmp_path)
    (repo / ".modelcheck.yaml").write_text("rules: [policies]\n")
    pol = repo / "policies" / "acme"
    pol.mkdir(parents=True)
    (pol / "pack.yaml").write_text("schema: 1\nid: acme\nkind: policy\ntitle: Acme policy\n")
    (pol / "legal-review.yaml").write_text(
        "id: acme/legal-review\ntitle: Legal review\ncategory: use-policy\nseverity: error\n"
        "check: {kind: ancestor-license, options: {forbid_ids: [llama3.1]}}\n"
        "message: Llama derivatives need Acme legal review.\n"
        "fix: Ask Acme legal to review the licence terms.\n"
        "docs: {what: Checks ancestors., why: Policy.}\nautofix: {suggest: true}\n"
    )
    assert main(["fix", str(repo)]) == 1
    err = capsys.readouterr().err
    assert "suggestion (not applied): acme/legal-review" in err
