"""The real `pre-commit` runs the `modelcheck` hook from .pre-commit-hooks.yaml on a
model repo: it fails on a non-compliant repo, then passes once the repo is fixed.

Slow: pre-commit builds its own virtualenv by pip-installing this project (from
PyPI or pip's cache). The hook repo is a snapshot of this checkout's working tree
(tracked and untracked, not ignored), committed into a temporary git repo, so
the test runs the code as it is now.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import EXAMPLES, REPO_ROOT, make_llama_example_compliant

pytestmark = pytest.mark.slow

GIT_ENV = {
    "GIT_AUTHOR_NAME": "modelcheck tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "modelcheck tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=1200, check=False)


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = _run(["git", *args], cwd, env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _snapshot_of_this_checkout(dest: Path, env: dict[str, str]) -> str:
    """Commit the working tree (as `git ls-files` sees it) into a new repo at `dest`."""
    listed = _git(REPO_ROOT, env, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for rel in filter(None, listed.split("\0")):
        src = REPO_ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    _git(dest, env, "init", "-q")
    _git(dest, env, "add", "-A")
    _git(dest, env, "commit", "-q", "-m", "snapshot")
    return _git(dest, env, "rev-parse", "HEAD")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    e = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**e, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}


def test_hook_fails_on_a_noncompliant_repo_then_passes_once_fixed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    hook_repo = tmp_path / "hook-repo"
    hook_repo.mkdir()
    rev = _snapshot_of_this_checkout(hook_repo, env)

    model = tmp_path / "model"
    shutil.copytree(EXAMPLES / "llama31-finetune-apache", model)
    (model / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo}\n  rev: {rev}\n  hooks:\n  - id: modelcheck\n",
        encoding="utf-8",
    )
    _git(model, env, "init", "-q")
    _git(model, env, "add", "-A")

    pre_commit = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]
    failed = _run(pre_commit, model, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "modelcheck" in failed.stdout and "Failed" in failed.stdout
    # the terminal format: short, and every finding of the audit is on screen
    assert len(failed.stdout.splitlines()) <= 25, failed.stdout
    for rule_id in _rule_ids(EXAMPLES / "llama31-finetune-apache"):
        assert f" {rule_id} " in failed.stdout, rule_id
    assert "README.md:2: llama3.1/license-id error" in failed.stdout

    make_llama_example_compliant(model)
    _git(model, env, "add", "-A")
    passed = _run(pre_commit, model, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout

    # args without a PATH (the hook audits the repo root): --fail-on info makes the
    # remaining info finding fail the hook, so the args did reach modelcheck
    (model / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo}\n  rev: {rev}\n  hooks:\n  - id: modelcheck\n"
        "    args: [--fail-on, info]\n",
        encoding="utf-8",
    )
    _git(model, env, "add", "-A")
    strict = _run(pre_commit, model, env)
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "llama3.1/mau-threshold info" in strict.stdout
    assert "Missing argument" not in strict.stdout + strict.stderr


def _rule_ids(example: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "compliance.cli", "audit", str(example), "--format", "json"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    ids = [f["rule_id"] for f in json.loads(proc.stdout)["findings"]]
    assert ids, proc.stderr
    return ids
