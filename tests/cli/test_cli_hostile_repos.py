"""Every CLI command against a directory of hostile repos, each run in a subprocess
under a memory limit (`RLIMIT_AS`) and a CPU-time limit, with a wall-clock timeout.

For every run: exit code 0, 1 or 2 (never 3, never killed), one line on stderr when it
fails, no traceback, and nothing written anywhere but the `-o` file (the working
directory and the repo are compared before and after)."""

from __future__ import annotations

import json
import os
import resource
import struct
import subprocess
from pathlib import Path

import pytest

from tests.cli.cli_support import modelcheck_cmd

MEMORY = 3 << 30  # address space: numpy and the interpreter map a lot they never touch
CPU_SECONDS = 90


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _safetensors(header: dict) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw


CARD = "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\n---\n# Model\n"


def _write(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True)
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


def _hostile_repos(base: Path) -> dict[str, Path]:
    repos: dict[str, Path] = {}

    r = _write(base / "devices", {"README.md": CARD})
    (r / "LICENSE").symlink_to("/dev/zero")
    (r / "config.json").symlink_to("/dev/urandom")
    os.mkfifo(r / "NOTICE")
    os.mkfifo(r / "model.safetensors")
    repos["devices"] = r

    r = _write(base / "fifo-card", {"config.json": "{}"})
    os.mkfifo(r / "README.md")
    repos["fifo-card"] = r

    repos["bombs"] = _write(base / "bombs", {
        "README.md": "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a]\n"
                     "c: &c [*b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c]\n---\n",
        "config.json": "[" * 100_000 + "]" * 100_000,
        "adapter_config.json": '{"a":' * 50_000 + "1" + "}" * 50_000,
        ".modelcheck.yaml": "a:\n" + "".join("  " * i + f"- k{i}:\n" for i in range(2000)),
    })

    r = _write(base / "rules-outside", {"README.md": CARD,
                                         ".modelcheck.yaml": "rules: ['/proc', '../..']\n"})
    repos["rules-outside"] = r

    r = _write(base / "rules-linked", {"README.md": CARD, ".modelcheck.yaml": "rules: [p]\n"})
    (r / "p" / "acme").mkdir(parents=True)
    (r / "p" / "acme" / "pack.yaml").symlink_to("/dev/zero")
    repos["rules-linked"] = r

    r = _write(base / "many-licences", {"README.md": CARD})
    for i in range(100):
        (r / f"d{i:03}").mkdir()
        with (r / f"d{i:03}" / "LICENSE").open("wb") as fh:
            fh.truncate(600_000)  # sparse: 60 MB apparent, nothing on disk
    repos["many-licences"] = r

    big = _safetensors({"__metadata__": {"pad": "x" * (1 << 20)}})
    repos["big-headers"] = _write(
        base / "big-headers",
        {"README.md": CARD, **{f"model-{i:05}-of-00030.safetensors": big for i in range(30)}},
    )

    repos["lying-weights"] = _write(base / "lying-weights", {
        "README.md": CARD,
        "model.safetensors": struct.pack("<Q", 10**12) + b"{}",
        "model.gguf": b"GGUF" + struct.pack("<IQQ", 3, 2**62, 2**62),
        "pytorch_model.bin": b"\x80\x04never unpickled",
    })

    r = _write(base / "loops", {"README.md": CARD})
    (r / "loop").symlink_to(r / "loop")
    (r / "up").symlink_to(r)
    (r / "etc").symlink_to("/etc")
    repos["loops"] = r

    repos["junk"] = _write(base / "junk", {
        "README.md": b"\xff\xfe\x00junk\x00" * 1000,
        "config.json": b"\x00" * 100,
        "mergekit_config.yml": b"\xff" * 100,
    })

    repos["empty"] = _write(base / "empty", {})
    return repos


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def _commands(repo: Path, out: Path) -> list[list[str]]:
    return [
        ["audit", str(repo)],
        ["audit", str(repo), "-f", "json", "-o", str(out)],
        ["rules", "validate", str(repo)],
    ]


WEIGHT_COMMANDS = {"lying-weights", "big-headers", "devices", "empty"}


def _weight_commands(repo: Path, out: Path) -> list[list[str]]:
    return [
        ["audit", str(repo), "--weights"],
        ["lineage", str(repo), "--against", str(repo)],
        ["fingerprint", str(repo), "-o", str(out)],
    ]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _hostile_repos(tmp_path_factory.mktemp("hostile"))


def _check(args: list[str], cwd: Path, watched: list[Path], out: Path) -> None:
    before = {str(w): _tree(w) for w in watched}
    # A smaller read budget than the default keeps the suite quick; the budget itself is
    # what bounds the many-licences and big-headers repos (tests/facts check the default).
    env = {**os.environ, "MODELCHECK_NO_CACHE": "1", "HF_HUB_OFFLINE": "1",
           "MODELCHECK_MAX_READ_BYTES": str(8 << 20)}
    proc = subprocess.run(
        [*modelcheck_cmd(), *args], cwd=cwd, capture_output=True, text=True, timeout=180,
        check=False, env=env, preexec_fn=_limits,
    )
    what = " ".join(a if len(a) < 60 else "…" + a[-40:] for a in args)
    assert proc.returncode in (0, 1, 2), (what, proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, (what, proc.stderr[-2000:])
    if proc.returncode == 2:
        assert len(proc.stderr.strip().splitlines()) == 1, (what, proc.stderr[-2000:])
    for w in watched:
        assert _tree(w) == before[str(w)], (what, "wrote outside -o", w)
    if out.exists():
        out.unlink()


@pytest.mark.parametrize("name", [
    "devices", "fifo-card", "bombs", "rules-outside", "rules-linked", "many-licences",
    "big-headers", "lying-weights", "loops", "junk", "empty",
])
def test_every_command_on_a_hostile_repo(hostile: dict[str, Path], tmp_path: Path,
                                         name: str) -> None:
    repo = hostile[name]
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "report"
    commands = _commands(repo, out)
    if name in WEIGHT_COMMANDS:
        commands += _weight_commands(repo, out)
    for args in commands:
        _check(args, cwd, [cwd, repo], out)


def test_explain_and_rules_list_with_hostile_arguments(hostile: dict[str, Path],
                                                       tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    out = tmp_path / "nothing"
    for args in (
        ["explain", "x" * 100_000],
        ["explain", "../../etc/passwd"],
        ["rules", "list", "--rules", str(hostile["rules-linked"] / "p")],
        ["rules", "validate", "/proc/self"],
        ["audit", "a" * 5000],
        ["audit", str(hostile["bombs"]), "--config", "/dev/zero"],
    ):
        _check(args, cwd, [cwd], out)
