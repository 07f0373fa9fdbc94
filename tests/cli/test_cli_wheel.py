"""The wheel ships what the code needs (rules/, templates/, schemas/ under
compliance/_data/) and works from a plain virtualenv outside the source tree.

Slow: builds the wheel and installs it with its dependencies (from PyPI or
pip's cache) into a fresh venv without system site-packages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from cli_support import EXAMPLES, REPO_ROOT

pytestmark = pytest.mark.slow


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the freshly built wheel installed; returns its bin/ dir."""
    tmp = tmp_path_factory.mktemp("wheel")
    build = _run([sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps",
                  "--wheel-dir", str(tmp / "dist")])
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = (tmp / "dist").glob("modelcheck-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("compliance/_data/templates/report.md.j2",
                   "compliance/_data/schemas/report.schema.json",
                   "compliance/_data/rules/core/pack.yaml"):
        assert needed in names, needed

    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    bin_dir = env_dir / "bin"
    install = _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", str(wheel)])
    assert install.returncode == 0, install.stderr[-2000:]
    return bin_dir


def test_installed_cli_audits_an_example_outside_the_source_tree(
    installed: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "model"
    shutil.copytree(EXAMPLES / "llama31-finetune-apache", repo)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = _run([str(installed / "python"), "-c", "import compliance; print(compliance.__file__)"],
                 cwd=tmp_path, env=env)
    assert where.stdout.startswith(str(installed.parent)), where.stdout  # not the checkout

    md = _run([str(installed / "modelcheck"), "audit", str(repo)], cwd=tmp_path, env=env)
    assert md.returncode == 1, md.stderr
    assert md.stdout.startswith("# modelcheck: ")
    assert "llama3.1/" in md.stdout  # the llama3.1 rule pack shipped and ran

    js = _run([str(installed / "modelcheck"), "audit", str(repo), "--format", "json"],
              cwd=tmp_path, env=env)
    assert js.returncode == 1, js.stderr
    assert json.loads(js.stdout)["schema_version"] == "1.1"


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_base_install_has_no_weight_packages(installed: Path, tmp_path: Path) -> None:
    # the base install is what the pre-commit hook gets: numpy/scipy/blake3 are the extra
    probe = _run([str(installed / "python"), "-c",
                  "import importlib.util as u; "
                  "print([m for m in ('numpy', 'scipy', 'blake3', 'gguf', 'safetensors') "
                  "if u.find_spec(m)])"], cwd=tmp_path, env=_clean_env())
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "[]"


def test_base_install_audits_and_weight_commands_say_how_to_install(
    installed: Path, tmp_path: Path
) -> None:
    repo = tmp_path / "model"
    shutil.copytree(EXAMPLES / "llama31-finetune-apache", repo)
    env = _clean_env()
    exe = str(installed / "modelcheck")
    audit = _run([exe, "audit", str(repo), "--format", "json"], cwd=tmp_path, env=env)
    assert audit.returncode == 1, audit.stderr
    assert json.loads(audit.stdout)["findings"]
    out = tmp_path / "fp.safetensors"
    for cmd in (["lineage", str(repo), "--against", str(repo)],
                ["fingerprint", str(repo), "-o", str(out)],
                ["audit", str(repo), "--weights"]):
        got = _run([exe, *cmd], cwd=tmp_path, env=env)
        assert got.returncode == 2, (cmd, got.stderr)
        lines = got.stderr.strip().splitlines()
        assert len(lines) == 1 and "pip install 'modelcheck[weights]'" in lines[0], got.stderr
        assert got.stdout == ""
    assert not out.exists()
