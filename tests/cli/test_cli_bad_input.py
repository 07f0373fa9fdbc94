"""Every kind of bad input at once, through the real CLI as a subprocess.

The facts tests cover each hostile input alone; this proves that together they
still give one complete report (exit 1 with findings, or 2 for an unreadable
target), never a traceback, and finish in bounded time (the subprocess timeout
is a hang guard, not a speed assertion).
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
from pathlib import Path

from tests.cli.cli_support import modelcheck_cmd

CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")

BILLION_LAUGHS = "\n".join(
    ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    + [f'{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},'
       f'*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]'
       for i in range(8)]
)


def _hostile_repo(root: Path) -> Path:
    repo = root / "hostile"
    (repo / "sub").mkdir(parents=True)
    # Front matter that parses, with an invalid base_model and markup in the card.
    (repo / "README.md").write_text(
        "---\nlicense: llama3.1\nbase_model: ['../../etc', 'meta-llama/Llama-3.1-8B']\n---\n"
        "# Evil <img src=x onerror=alert(1)> `model`\n\n[click](javascript:alert(1))\n",
        encoding="utf-8",
    )
    (repo / "config.json").write_text("[" * 200_000 + "]" * 200_000)  # JSON bomb
    (repo / "adapter_config.json").write_bytes(b"\xff\xfe{not utf-8")  # non-UTF-8, not JSON
    (repo / "mergekit_config.yml").write_text(BILLION_LAUGHS)  # YAML alias bomb
    deep = "".join("  " * i + f"- k{i}:\n" for i in range(3000))
    (repo / ".modelcheck.yaml").write_text("a:\n" + deep)  # very deep nesting
    # A safetensors header that claims to be longer than the file.
    (repo / "model.safetensors").write_bytes(struct.pack("<Q", 10**12) + b"{}")
    # A GGUF with absurd tensor and KV counts.
    (repo / "model.gguf").write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**62, 2**62))
    (repo / "pytorch_model.bin").write_bytes(b"\x80\x04never unpickled")
    (repo / "LICENSE").symlink_to("/etc/passwd")
    (repo / "sub" / "NOTICE").write_bytes(b"Llama 3.1 is licensed \xff\xfe under ...")
    return repo


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*modelcheck_cmd(), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_hostile_repo_gives_a_full_report_without_traceback(tmp_path: Path) -> None:
    repo = _hostile_repo(tmp_path)
    proc = _run(["audit", str(repo), "--format", "json"])
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    categories = {f["category"] for f in report["findings"]}
    # Bad metadata and unreadable weights are reported as findings ...
    assert "metadata-invalid" in categories
    assert "unverifiable" in categories
    # ... and the rest of the audit still ran: the valid declared base brings Llama 3.1's rules.
    rule_ids = {f["rule_id"] for f in report["findings"]}
    assert "llama3.1/built-with" in rule_ids
    files = {ev.get("file") for f in report["findings"] for ev in f["evidence"]}
    for name in ("config.json", "model.safetensors", "model.gguf", "pytorch_model.bin"):
        assert name in files, (name, sorted(f for f in files if f))


def test_hostile_repo_markdown_does_not_carry_card_markup(tmp_path: Path) -> None:
    proc = _run(["audit", str(_hostile_repo(tmp_path))])
    assert proc.returncode == 1, proc.stderr
    # Inside a code span, markup is shown literally; anywhere else it must be escaped.
    outside_code = CODE_SPAN.sub("", proc.stdout)
    assert "Evil" in proc.stdout
    assert "<img" not in outside_code
    assert "](javascript:" not in outside_code


def test_missing_path_is_exit_2_with_one_line(tmp_path: Path) -> None:
    proc = _run(["audit", str(tmp_path / "nope")])
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope" in lines[0]
