"""Files that are not what they claim (devices, FIFOs, huge or linked out of the repo),
given as `--config`, or as rule folders named by the audited repo's `.modelcheck.yaml`.

Each run is a subprocess with a timeout: a FIFO read the ordinary way blocks forever,
and `/dev/zero` read whole exhausts memory."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.cli.cli_support import modelcheck_cmd

PACK = "schema: 1\nid: {id}\nkind: policy\ntitle: Policy\nversion: '1'\ndescription: A test.\n"
RULE = """id: {id}/always
title: Always fires
category: missing-attribution
severity: error
check:
  kind: card-contains
  options: {{any: [a phrase no card says]}}
message: SECRET-RULE-MESSAGE
fix: Say the phrase.
docs: {{what: w, why: w, example: w, known_problems: w}}
"""


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MODELCHECK_NO_CACHE": "1"}
    return subprocess.run(
        [*modelcheck_cmd(), *args], capture_output=True, text=True, timeout=timeout,
        check=False, env=env,
    )


def _repo(root: Path, config: str) -> Path:
    repo = root / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# Model\n", encoding="utf-8")
    (repo / ".modelcheck.yaml").write_text(config, encoding="utf-8")
    return repo


def _one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# ------------------------------------------------------------------ --config


def test_config_that_is_a_fifo_fails_fast(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "")
    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    line = _one_error_line(_run("audit", str(repo), "--config", str(fifo), timeout=30))
    assert "config.yaml" in line and "FIFO" in line


def test_config_that_is_a_device_fails_fast(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "")
    line = _one_error_line(_run("audit", str(repo), "--config", "/dev/zero", timeout=30))
    assert "/dev/zero" in line and "device" in line


def test_huge_config_is_not_read_whole(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "")
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:  # sparse: 2 GB apparent size, nothing on disk
        fh.truncate(2 << 30)
    proc = subprocess.run(
        [*modelcheck_cmd(), "audit", str(repo), "--config", str(big)],
        capture_output=True, text=True, timeout=60, check=False,
        preexec_fn=_limit_memory,
    )
    line = _one_error_line(proc)
    assert "big.yaml" in line and "larger than" in line


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


# ------------------------------------------------------------------ repo rule dirs


def _pack(parent: Path, pack_id: str) -> None:
    folder = parent / pack_id
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text(PACK.format(id=pack_id), encoding="utf-8")
    (folder / "always.yaml").write_text(RULE.format(id=pack_id), encoding="utf-8")


def test_repo_rule_file_linked_to_dev_zero_is_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "rules: [policies/]\n")
    _pack(repo / "policies", "acme")
    (repo / "policies" / "acme" / "zero.yaml").symlink_to("/dev/zero")
    line = _one_error_line(_run("audit", str(repo), timeout=60))
    assert "zero.yaml" in line


def test_repo_rule_file_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "rules: [policies/]\n")
    _pack(repo / "policies", "acme")
    os.mkfifo(repo / "policies" / "acme" / "pipe.yaml")
    line = _one_error_line(_run("audit", str(repo), timeout=60))
    assert "pipe.yaml" in line and "regular file" in line


@pytest.mark.parametrize("where", ["../outside", "../../outside/pack", "ABS", "/", "/proc"])
def test_repo_rule_dir_outside_the_repo_is_refused(tmp_path: Path, where: str) -> None:
    _pack(tmp_path / "outside", "outside")
    where = str(tmp_path / "outside") if where == "ABS" else where
    repo = _repo(tmp_path, f"rules: ['{where}']\n")
    line = _one_error_line(_run("audit", str(repo), timeout=60))
    assert "refused" in line and "SECRET-RULE-MESSAGE" not in line


def test_repo_rule_dir_through_a_symlink_is_refused(tmp_path: Path) -> None:
    _pack(tmp_path / "outside", "outside")
    repo = _repo(tmp_path, "rules: [policies]\n")
    (repo / "policies").symlink_to(tmp_path / "outside")
    line = _one_error_line(_run("audit", str(repo), timeout=60))
    assert "symbolic link" in line and "refused" in line


def test_repo_rule_file_linked_outside_is_not_echoed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT: [unclosed\n", encoding="utf-8")
    repo = _repo(tmp_path, "rules: [policies]\n")
    _pack(repo / "policies", "acme")
    (repo / "policies" / "acme" / "leak.yaml").symlink_to(secret)
    proc = _run("audit", str(repo), timeout=60)
    line = _one_error_line(proc)
    assert "leak.yaml" in line and "outside the repo" in line
    assert "TOP-SECRET" not in proc.stderr + proc.stdout


def test_repo_rule_dir_inside_the_repo_still_loads(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "rules: [policies/]\n")
    _pack(repo / "policies", "acme")
    proc = _run("audit", str(repo), "--format", "json", timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    assert "acme/always" in proc.stdout


def test_user_rules_option_stays_free(tmp_path: Path) -> None:
    _pack(tmp_path / "outside", "outside")
    repo = _repo(tmp_path, "")
    proc = _run("audit", str(repo), "--rules", str(tmp_path / "outside"), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert "outside/always" in proc.stdout
