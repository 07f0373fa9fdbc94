"""The exit-code contract under user mistakes and a hostile environment: unreadable
roots and cards, absurd paths and ids, broken environment variables, a reader that
leaves early, SIGTERM. Subprocesses carry a timeout as a hang guard."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from compliance import cli
from compliance.sources.hub_errors import MAX_RETRIES, RetryPolicy
from tests.cli.cli_support import EXAMPLES, modelcheck_cmd

COMPLIANT = EXAMPLES / "qwen25-compliant"


def _run(*args: str, env: dict[str, str] | None = None, **kw: object):
    return subprocess.run(
        [*modelcheck_cmd(), *args], capture_output=True, text=True, timeout=60,
        check=False, env={**os.environ, "MODELCHECK_NO_CACHE": "1", **(env or {})}, **kw,
    )


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_unlistable_root_is_exit_2_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Run as root, chmod 000 does not stop a read; refuse the listing itself instead.
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("---\nlicense: mit\n---\n", encoding="utf-8")
    real = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(str(path)).resolve() == repo.resolve():
            raise PermissionError(13, "Permission denied")
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    assert cli.main(["audit", str(repo)]) == 2
    err = capsys.readouterr().err
    assert "unreadable" in err and "model card" not in err


def test_unreadable_card_is_unverifiable_not_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from compliance import bounded_read
    from compliance.errors import FileReadError

    repo = tmp_path / "repo"
    shutil.copytree(COMPLIANT, repo)
    real = bounded_read.read_capped

    def read_capped(path: object, cap: int, **kw: object) -> object:
        if str(path).endswith("README.md"):
            raise FileReadError(str(path), "Permission denied")
        return real(path, cap, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(bounded_read, "read_capped", read_capped)
    cli.main(["audit", str(repo), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    findings = report["findings"]
    assert any(
        f["category"] == "unverifiable" and "README.md" in json.dumps(f["evidence"])
        for f in findings
    ), findings
    assert "There is no model card" not in json.dumps(report)


def test_closed_stdout_keeps_the_exit_code_of_a_compliant_repo() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the report is written
    try:
        proc = subprocess.run(
            [*modelcheck_cmd(), "audit", str(COMPLIANT)], stdout=write_end,
            stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_5000_character_path_is_exit_2_and_not_echoed_whole() -> None:
    proc = _run("audit", "a" * 5000)
    assert proc.returncode == 2
    line = _one_line(proc.stderr)
    assert len(line) < 400 and "too long" in line.lower()


def test_a_100kb_rule_id_is_not_echoed_whole() -> None:
    proc = _run("explain", "x" * 100_000)
    assert proc.returncode == 2
    assert len(_one_line(proc.stderr)) <= 1100


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HF_HUB_DOWNLOAD_TIMEOUT", "2.5"),
        ("HF_HUB_DOWNLOAD_TIMEOUT", "nan"),
        ("HF_HUB_DOWNLOAD_TIMEOUT", "inf"),
        ("HF_HUB_ETAG_TIMEOUT", "1.5"),
        ("HF_HUB_ETAG_TIMEOUT", "soon"),
    ],
)
def test_hub_timeout_variables_huggingface_hub_cannot_parse(name: str, value: str) -> None:
    proc = _run("audit", "org/name", env={name: value, "HF_ENDPOINT": "http://127.0.0.1:9"})
    assert proc.returncode == 2
    assert name in _one_line(proc.stderr)


def test_hub_retries_are_capped() -> None:
    policy = RetryPolicy.from_env({"MODELCHECK_HUB_RETRIES": "1000000"})
    assert policy.retries == MAX_RETRIES
    backoff = RetryPolicy.from_env({"MODELCHECK_HUB_BACKOFF": "inf"}).base_wait
    assert backoff == RetryPolicy.base_wait


class _SilentServer:
    """Accepts connections and never answers (loopback only)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.sock.close()
        for c in self.conns:
            c.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_ends_like_ctrl_c_without_a_partial_file(tmp_path: Path) -> None:
    server = _SilentServer()
    out = tmp_path / "report.md"
    try:
        env = {
            **os.environ, "HF_ENDPOINT": server.url, "HF_HOME": str(tmp_path / "hf"),
            "HF_HUB_DOWNLOAD_TIMEOUT": "60", "MODELCHECK_HUB_RETRIES": "0",
        }
        proc = subprocess.Popen(
            [*modelcheck_cmd(), "audit", "org/name", "-o", str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        deadline = time.monotonic() + 30
        while not server.conns and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.conns, "the audit never reached the server"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        server.close()
    assert proc.returncode == 130, err
    assert _one_line(err).endswith("interrupted")
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name != "hf"]  # no temp file left either


def test_card_checks_cannot_tell_when_the_listed_card_was_not_read() -> None:
    from compliance.checks.base import ObligationState
    from tests.support.audit import facts, run_check

    unread = facts(card_present=False, files=["README.md"])  # listed, not readable
    for kind, options in (("card-contains", {"any": ["x"]}), ("license-missing", {})):
        r = run_check(kind, options, f=unread)
        [hit] = r.hits
        assert r.state is ObligationState.NOT_MET  # a finding: never a green result
        assert hit.category == "unverifiable" and "could not be read" in (hit.message or "")
        absent = run_check(kind, options, f=facts(card_present=False))
        assert absent.state is ObligationState.NOT_MET  # no card at all: still a finding
