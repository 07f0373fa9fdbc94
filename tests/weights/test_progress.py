"""Progress on stderr: drawn on a terminal (tested through a pseudo-terminal), silent
when stderr is a pipe, never loaded by a plain audit."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from compliance.weights.progress import Progress

ROOT = Path(__file__).resolve().parents[2]

FINGERPRINT = textwrap.dedent(
    """
    import sys
    from compliance.weights.fingerprint import write_fingerprint
    from tests.support import synth as S
    write_fingerprint(S.base(0).view(), sys.argv[1], repo_id="org/base")
    """
)

COMPARE = textwrap.dedent(
    """
    import sys
    from compliance.weights.compare import compare_many, open_view
    from tests.support import synth as S
    base = S.base(0)
    compare_many(S.fine_tune(base, 0.5).view(), [base.view()])
    """
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_on_pty(code: str, *args: str) -> tuple[int, str]:
    """Run `code` with stderr on a pseudo-terminal (stdout discarded); return what it drew."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=child,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    os.close(child)
    out = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    return proc.wait(timeout=60), out.decode("utf-8", "replace")


def _run_piped(code: str, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    return done.returncode, done.stderr.decode()


def test_fingerprint_progress_is_drawn_on_a_terminal(tmp_path) -> None:
    code, drawn = _run_on_pty(FINGERPRINT, str(tmp_path / "fp.safetensors"))
    assert code == 0, drawn
    assert "fingerprint synth-base-0: " in drawn and "57/57 tensors" in drawn and " read" in drawn
    assert "\r" in drawn  # one line redrawn in place, not a scroll of lines


def test_fingerprint_is_silent_when_stderr_is_a_pipe(tmp_path) -> None:
    code, err = _run_piped(FINGERPRINT, str(tmp_path / "fp.safetensors"))
    assert code == 0 and err == ""


def test_compare_progress_counts_signals_on_a_terminal() -> None:
    code, drawn = _run_on_pty(COMPARE)
    assert code == 0, drawn
    assert re.search(r"compare synth\S* with synth\S*: \d+/\d+ signals", drawn), drawn
    _code, err = _run_piped(COMPARE)
    assert "signals" not in err


def test_line_shows_items_bytes_and_an_eta() -> None:
    read = iter(range(3 * 10**6, 10**9, 3 * 10**6))
    bar = Progress("fingerprint org/m", 4, read=lambda: next(read), stream=_Terminal())
    bar._start -= 10  # 10 s for the first item
    bar.done = 1
    line = bar.line()
    assert line.startswith("fingerprint org/m: 1/4 tensors, ") and " MB read" in line
    assert line.endswith("ETA 30 s")


def test_not_a_terminal_writes_nothing() -> None:
    stream = io.StringIO()
    with Progress("compare a with b", 3, unit="signals", stream=stream) as bar:
        for _ in range(3):
            bar.advance()
    assert stream.getvalue() == ""


def test_a_terminal_gets_one_line_cleared_at_the_end() -> None:
    stream = _Terminal()
    with Progress("compare a with b", 2, unit="signals", stream=stream) as bar:
        bar.advance(note="aligned_cosine")
        bar.advance(note="neuron_matching")
    out = stream.getvalue()
    assert "2/2 signals, neuron_matching" in out and "\n" not in out
    assert out.endswith("\r")


@pytest.mark.parametrize("module", ["compliance.weights.progress"])
def test_plain_audit_never_loads_it(tmp_path, module) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("# model\n")
    code = (
        "import sys\nfrom compliance.pipeline import AuditOptions, run_audit\n"
        f"run_audit(AuditOptions({str(repo)!r}))\n"
        f"print({module!r} in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_control_characters_in_a_label_never_reach_the_terminal() -> None:
    stream = _Terminal()
    with Progress("fingerprint evil\x1b[2Jname", 1, stream=stream) as bar:
        bar.advance()
    assert "\x1b" not in stream.getvalue() and "evil?[2Jname" in stream.getvalue()
