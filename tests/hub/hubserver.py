"""Start and stop olah (a Hub-compatible server) on loopback for tests and benchmarks.

olah runs with `offline = true` and serves git repos from its `mirrors-path`
(layout `<mirrors>/models/<org>/<name>`, branch `main`)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from compliance.sources.hub import HubSettings
from compliance.sources.hub_errors import RetryPolicy

STARTUP_TIMEOUT = 60.0  # seconds; olah imports FastAPI and friends on a busy 2-core box


@dataclass
class Olah:
    url: str
    mirrors: Path
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _olah_command() -> list[str] | None:
    exe = Path(sys.executable).with_name("olah-cli")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("olah-cli")
    return [found] if found else None


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def start_olah(root: Path) -> tuple[subprocess.Popen[bytes], Olah]:
    """Start olah under `root`; raises RuntimeError (with its log) if it does not come up."""
    cmd = _olah_command()
    if cmd is None:
        raise RuntimeError("olah-cli is not installed")
    mirrors = root / "mirrors"
    (mirrors / "models").mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = root / "olah.toml"
    config.write_text(
        "[basic]\n"
        'host = "127.0.0.1"\n'
        f"port = {port}\n"
        f'repos-path = "{root / "repos"}"\n'
        f'mirrors-path = ["{mirrors}"]\n'
        "[accessibility]\n"
        "offline = true\n"
    )
    log = root / "olah.out"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*cmd, "-c", str(config), "--log-path", str(root / "logs")],
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("HF_")},
        )
    if not _wait_for_port(port, proc, STARTUP_TIMEOUT):
        stop(proc)
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"olah did not start on 127.0.0.1:{port}:\n{tail}")
    return proc, Olah(url=f"http://127.0.0.1:{port}", mirrors=mirrors, log=log)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


FAST = RetryPolicy(retries=2, base_wait=0.01, max_wait=5.0)


def settings_for(endpoint: str, cache: Path, **kw: object) -> HubSettings:
    """Explicit settings: the tests never depend on the caller's HF_* environment."""
    # The timeout is a hang guard, generous so a loaded CI machine never trips it.
    base = {"endpoint": endpoint, "cache_dir": str(cache), "token": False, "timeout": 15.0}
    base.update({"policy": FAST, **kw})
    return HubSettings(**base)  # type: ignore[arg-type]
