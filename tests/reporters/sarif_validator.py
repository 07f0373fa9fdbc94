"""The official SARIF validator (`@microsoft/sarif-multitool validate`), installed once
per test session from npm into a temporary folder. Unavailable (no node/npm, or no
registry) means skip outside CI; under CI=true it must run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGE = "@microsoft/sarif-multitool@5"
# The tool's own install script only marks its binary executable; npm may skip
# install scripts, so the test does the same chmod itself.
BINARY = "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"SARIF multitool required under CI=true: {reason}")
    pytest.skip(reason)


def install(dest: Path) -> Path:
    """npm-install the multitool into `dest` (or reuse the copy .ci/run installed into
    $MODELCHECK_NPM_TOOLS); return its `bin.js` entry point."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("node/npm not installed")
    shared = Path(os.environ.get("MODELCHECK_NPM_TOOLS", "") or dest)
    if (shared / BINARY).exists():
        dest = shared
    if (dest / BINARY).exists():
        return _ready(dest)
    proc = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(dest), PACKAGE],
        capture_output=True, text=True, timeout=600, check=False, stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        unavailable(f"npm install {PACKAGE} failed: {proc.stderr.strip()[-300:]}")
    return _ready(dest)


def _ready(dest: Path) -> Path:
    binary = dest / BINARY
    if binary.exists() and not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | 0o100)
    return dest / "node_modules/@microsoft/sarif-multitool/bin.js"


def validate(entry: Path, sarif_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(entry), "validate", str(sarif_file)],
        capture_output=True, text=True, timeout=300, check=False, stdin=subprocess.DEVNULL,
    )
