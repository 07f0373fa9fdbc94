"""A local audit must not pay for the heavy stacks (numpy, scipy, the Hub client,
spdx-tools, the weights package, Typer): they are imported only when needed. A warm
one, as the pre-commit hook runs it, does not pay for standard-library modules it only
needs to write files or talk to the Hub either."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import EXAMPLES, REPO_ROOT

HEAVY = (
    "numpy", "scipy", "huggingface_hub", "spdx_tools", "compliance.weights", "typer", "click",
)

# Off a warm local audit's path: writing (--output, a cache file), OpenSSL (finding ids),
# git remotes, waiver expiry dates, Hub errors, rule authors' SPDX checks, and
# `dataclasses` with the `inspect`, `ast` and `tokenize` it brings (records do not
# need it; only a caller of `dataclasses.fields` and the like does).
DEFERRED = (
    "tempfile", "shutil", "random", "bz2", "lzma", "hashlib", "_hashlib", "configparser",
    "datetime", "compliance.sources.hub_errors", "compliance.packs.spdx", "yaml",
    "dataclasses", "inspect", "ast", "tokenize",
)

PROBE = """
import contextlib, io, json, sys
from compliance.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules_after(
    argv: list[str], env: dict[str, str] | None = None
) -> tuple[int, set[str], str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False, env=env,
    )
    assert proc.stdout, proc.stderr
    data = json.loads(proc.stdout.splitlines()[-1])
    return data["code"], set(data["modules"]), proc.stderr


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
@pytest.mark.parametrize("fmt", ["terminal", "markdown", "json"])
def test_local_audit_imports_nothing_heavy(example: str, fmt: str) -> None:
    code, modules, err = _modules_after(["audit", str(EXAMPLES / example), "--format", fmt])
    assert code in (0, 1), err
    assert _heavy(modules) == []
    if fmt == "json":  # templates are the Markdown reporter's alone
        assert "jinja2" not in modules


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
@pytest.mark.parametrize("fmt", ["terminal", "json"])
def test_warm_local_audit_defers_what_it_does_not_use(
    example: str, fmt: str, tmp_path: Path
) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    env.pop("MODELCHECK_NO_CACHE", None)
    argv = ["audit", str(EXAMPLES / example), "--format", fmt]
    cold_code, cold, err = _modules_after(argv, env)  # fills the cache: writes, parses YAML
    assert cold_code in (0, 1), err
    assert "tempfile" in cold and "yaml" in cold  # the probe can see these modules
    code, modules, err = _modules_after(argv, env)
    assert code == cold_code, err
    assert sorted(m for m in DEFERRED if m in modules) == []


def test_deferred_modules_still_load_when_needed(tmp_path: Path) -> None:
    # --output writes through tempfile; the ids of a SARIF report come from hashlib.
    out = tmp_path / "report.sarif"
    args = ["audit", str(EXAMPLES / "llama31-finetune-apache"), "--format", "sarif", "-o", str(out)]
    code, modules, err = _modules_after(args)
    assert code in (0, 1), err
    assert out.stat().st_size > 0
    assert {"tempfile", "hashlib"} <= modules


def test_the_probe_sees_heavy_imports() -> None:
    # The same probe on --weights must see numpy, or the test above proves nothing.
    args = ["audit", str(EXAMPLES / "llama31-finetune-apache"), "--weights"]
    code, modules, err = _modules_after(args)
    assert code in (0, 1), err
    assert "numpy" in _heavy(modules)


def test_version_imports_no_command_module() -> None:
    code, modules, _ = _modules_after(["--version"])
    assert code == 0
    assert not any(m.startswith(("compliance.commands.", "compliance.pipeline")) for m in modules)
    assert "jinja2" not in modules and "yaml" not in modules
    assert "typer" not in modules and "compliance.report" not in modules
