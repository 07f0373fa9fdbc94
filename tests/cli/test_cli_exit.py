"""The console script skips the interpreter's teardown only when nothing but freeing
memory is left: same output and exit code as `sys.exit(main())`, exit handlers and other
threads still run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from cli_support import EXAMPLES, REPO_ROOT

EXAMPLE = str(EXAMPLES / "llama31-finetune-apache")

ORDINARY = "import sys; from compliance.cli import main; sys.exit(main())"
CONSOLE = "from compliance.cli import entry_point; entry_point()"


def _run(code: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_console_script_is_the_entry_point() -> None:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    scripts = pyproject.split("[project.scripts]\n", 1)[1].split("\n[", 1)[0]
    assert 'modelcheck = "compliance.cli:entry_point"' in scripts.splitlines()


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", EXAMPLE, "--format", "terminal"],
        ["audit", EXAMPLE, "--format", "json"],
        ["audit", str(EXAMPLES / "no-such-dir")],
        ["--version"],
        ["audit", EXAMPLE, "--no-such-option"],
    ],
)
def test_same_output_and_exit_code_as_an_ordinary_exit(argv: list[str]) -> None:
    ordinary = _run(ORDINARY, *argv)
    console = _run(CONSOLE, *argv)
    assert (console.returncode, console.stdout, console.stderr) == (
        ordinary.returncode, ordinary.stdout, ordinary.stderr,
    )
    assert console.stdout or console.stderr


def test_exit_handlers_still_run() -> None:
    code = "import atexit; atexit.register(print, 'handler ran'); " + CONSOLE
    proc = _run(code, "audit", EXAMPLE, "--format", "terminal")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.endswith("handler ran\n")


def test_other_threads_still_finish() -> None:
    code = (
        "import threading, time\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()\n"
        + CONSOLE
    )
    proc = _run(code, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "thread done"
