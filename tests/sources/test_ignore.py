"""A local audit skips VCS and virtualenv folders and what the root .gitignore ignores."""

from __future__ import annotations

from pathlib import Path

from compliance.pipeline import AuditOptions, run_audit
from compliance.sources.local import LocalSource

CARD = "---\nlicense: mit\n---\n# M\n"


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "README.md").write_text(CARD)
    (tmp_path / "model.safetensors").write_bytes(b"")
    return tmp_path


def _paths(root: Path) -> set[str]:
    return {f.path for f in LocalSource(root).list_files()}


def test_a_virtualenv_is_not_audited_whatever_its_name(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    env = repo / "env-3.11" / "lib" / "site-packages"
    env.mkdir(parents=True)
    (repo / "env-3.11" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (env / "distutils-precedence.pth").write_text("import os\n")
    assert _paths(repo) == {"README.md", "model.safetensors"}
    report = run_audit(AuditOptions(target=str(repo)))
    assert not [f for f in report.findings if f.rule_id == "core/pickle-weights"]
    assert any("env-3.11/" in n for n in report.notes)


def test_the_same_pth_outside_a_virtualenv_is_still_reported(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "adapter.pth").write_bytes(b"\x80\x02")
    report = run_audit(AuditOptions(target=str(repo)))
    assert [f for f in report.findings if f.rule_id == "core/pickle-weights"]


def test_gitignore_patterns_negations_and_vcs_folders(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / ".gitignore").write_text("# build output\nbuild/\n*.bin\n!keep.bin\n")
    (repo / "build").mkdir()
    (repo / "build" / "pytorch_model.bin").write_bytes(b"x")
    (repo / "old.bin").write_bytes(b"x")
    (repo / "keep.bin").write_bytes(b"x")
    (repo / ".hg").mkdir()
    (repo / ".hg" / "store.bin").write_bytes(b"x")
    assert _paths(repo) == {".gitignore", "README.md", "model.safetensors", "keep.bin"}
    source = LocalSource(repo)
    source.list_files()
    assert "3 path(s)" in " ".join(source.notes())


def test_git_info_exclude_is_read(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / ".git" / "info").mkdir(parents=True)
    (repo / ".git" / "info" / "exclude").write_text("scratch/\n")
    (repo / "scratch").mkdir()
    (repo / "scratch" / "a.pt").write_bytes(b"x")
    assert "scratch/a.pt" not in _paths(repo)


def test_patterns_with_many_wildcards_are_not_applied(tmp_path: Path) -> None:
    # `*a*a*a*a*b` takes seconds per long name in a backtracking matcher
    repo = _repo(tmp_path)
    (repo / ".gitignore").write_text("*a*a*a*a*b\n**/*.tmp\n")
    (repo / ("a" * 200)).write_text("x")
    (repo / "x.tmp").write_text("x")
    source = LocalSource(repo)
    assert {f.path for f in source.list_files()} == {
        ".gitignore",
        "README.md",
        "model.safetensors",
        "a" * 200,
    }
    assert any("1 pattern(s) with more than 2 `*`" in n for n in source.notes())
