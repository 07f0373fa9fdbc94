"""`modelcheck audit` has two parsers: the fast path in `compliance.cli` (no Typer import)
and Typer (`compliance.cli_app`). They must accept the same invocations, hand the same
arguments to the command, and give the same output and exit code."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from cli_support import EXAMPLES, REPO_ROOT

from compliance import cli, cli_app
from compliance.reporters import REPORTERS

EXAMPLE = str(EXAMPLES / "llama31-finetune-apache")

VALID = [
    ["audit", EXAMPLE],
    ["audit", EXAMPLE, "--format", "json"],
    ["audit", "--format=json", EXAMPLE],
    ["audit", "-f", "markdown", EXAMPLE, "--fail-on", "warning"],
    ["audit", EXAMPLE, "--fail-on", "never", "--resolve", "catalog", "--weights"],
    ["audit", EXAMPLE, "--rules", "a", "--rules=b", "--fingerprints", "c", "--config", "x.yaml"],
    ["audit", EXAMPLE, "--name", "org/name", "-o", "out.md", "--debug"],
    ["audit", EXAMPLE, "--format", "json", "--format", "markdown"],  # the last one wins
    ["audit", "org/name@main", "--resolve", "hub"],
]

# Each is handed to Typer, which answers with its own message (or help).
NOT_FAST = [
    ["audit"],
    ["audit", "--help"],
    ["audit", "-h"],
    ["audit", EXAMPLE, "--format", "xml"],
    ["audit", EXAMPLE, "--format"],
    ["audit", EXAMPLE, "--fail-on", "ERROR"],
    ["audit", EXAMPLE, "--resolve", "net"],
    ["audit", EXAMPLE, "--bogus"],
    ["audit", EXAMPLE, "-fjson"],
    ["audit", EXAMPLE, "other"],
    ["audit", EXAMPLE, "--weights=1"],
    ["audit", EXAMPLE, "--name", "--weights"],
    ["audit", "--", EXAMPLE],
    ["audit", "-", EXAMPLE],
    ["audit", EXAMPLE, "--output="],
    ["--debug", "audit", EXAMPLE],
    ["audits", EXAMPLE],
    ["rules", "list"],
    [],
]


def _typer_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_fast", lambda args: None)


def _captured_calls(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> list:
    calls: list = []
    monkeypatch.setattr(
        cli, "run_audit_command", lambda path, **kw: calls.append((path, kw)) or 0
    )
    # cli_app imported the function by name: patch its reference too.
    monkeypatch.setattr(cli_app, "run_audit_command", cli.run_audit_command)
    assert cli.main(argv) == 0
    return calls


@pytest.mark.parametrize("argv", VALID, ids=lambda a: " ".join(a[1:]).replace(EXAMPLE, "EX"))
def test_both_parsers_hand_the_command_the_same_arguments(monkeypatch, argv):
    assert cli.parse_audit(argv) is not None
    fast = _captured_calls(monkeypatch, argv)
    with monkeypatch.context() as m:
        _typer_only(m)
        slow = _captured_calls(m, argv)
    assert len(fast) == 1 and fast == slow


@pytest.mark.parametrize("argv", NOT_FAST, ids=lambda a: " ".join(a).replace(EXAMPLE, "EX"))
def test_anything_unusual_is_left_to_typer(argv):
    assert cli.parse_audit(argv) is None


def _run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


EXAMPLE_DIRS = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())


@pytest.mark.parametrize("example", EXAMPLE_DIRS)
@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_examples_give_identical_output_on_both_paths(monkeypatch, example, fmt):
    argv = ["audit", str(EXAMPLES / example), "--format", fmt]
    fast = _run_main(argv)
    with monkeypatch.context() as m:
        _typer_only(m)
        slow = _run_main(argv)
    assert fast[0] in (0, 1) and fast == slow


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", str(EXAMPLES / "no-such-dir")],
        ["audit", "not a repo id"],
        ["audit", EXAMPLE, "--config", str(EXAMPLES / "no-such.yaml")],
        ["audit", EXAMPLE, "--rules", str(EXAMPLES / "no-such-rules")],
        ["audit", EXAMPLE, "--format", "xml"],
        ["--version"],
    ],
)
def test_bad_input_gives_identical_errors_on_both_paths(monkeypatch, argv):
    fast = _run_main(argv)
    with monkeypatch.context() as m:
        _typer_only(m)
        slow = _run_main(argv)
    assert fast == slow
    if argv != ["--version"]:
        assert fast[0] == 2 and fast[2].count("\n") == 1 and "Traceback" not in fast[2]


def test_fast_options_are_exactly_typers_audit_options():
    command = typer.main.get_command(cli_app.app).commands["audit"]  # type: ignore[attr-defined]
    seen: set[str] = set()
    for param in command.params:
        if param.param_type_name != "option" or param.name == "help":
            continue
        flags = [*param.opts, *param.secondary_opts]
        seen.update(flags)
        for flag in flags:
            opt = cli.AUDIT_FLAGS.get(flag)
            assert opt is not None, f"{flag} is missing from cli.AUDIT_OPTIONS"
            assert set(opt.flags) == set(flags), flag
            if opt.dest:  # Typer's default, as the command receives it
                default = param.default.value if hasattr(param.default, "value") else param.default
                assert (list(default or []) if opt.kind in ("paths", "strs") else default) == (
                    cli.audit_defaults()[opt.dest]
                ), flag
            assert (opt.kind == "flag") == bool(param.is_flag), flag
            assert (opt.kind in ("paths", "strs")) == bool(param.multiple), flag
            choices = tuple(getattr(param.type, "choices", None) or ())
            expected = cli.audit_formats() if opt.kind == "format" else opt.choices
            assert choices == expected, flag
    assert seen == set(cli.AUDIT_FLAGS)


def test_a_registered_reporter_is_an_audit_format_on_the_fast_path(monkeypatch):
    assert cli.audit_formats() == tuple(REPORTERS)
    argv = ["audit", EXAMPLE, "-f", "plain-text"]
    assert cli.parse_audit(argv) is None
    monkeypatch.setitem(REPORTERS, "plain-text", "compliance.reporters.to_json")
    assert cli.parse_audit(argv) == (EXAMPLE, {**cli.audit_defaults(), "fmt": "plain-text"})


def test_fast_audit_never_imports_typer():
    probe = (
        "import contextlib, io, sys\n"
        "from compliance.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(sys.argv[1:])\n"
        "print(code, 'typer' in sys.modules, 'click' in sys.modules)\n"
    )
    for argv in (["audit", EXAMPLE, "--format", "json"], ["--version"]):
        proc = subprocess.run(
            [sys.executable, "-c", probe, *argv],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
        )
        assert proc.stdout.split() in (["1", "False", "False"], ["0", "False", "False"]), (
            proc.stderr
        )
    # and the probe does see Typer when the fast path declines
    proc = subprocess.run(
        [sys.executable, "-c", probe, "audit", EXAMPLE, "--format=xml"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.stdout.split()[:2] == ["2", "True"]


def test_json_report_is_the_same_through_the_console_script(tmp_path):
    script = Path(sys.executable).parent / "modelcheck"
    if not script.exists():
        pytest.skip("no console script next to this interpreter")
    out = subprocess.run(
        [str(script), "audit", EXAMPLE, "--format", "json"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert out.returncode == 1 and json.loads(out.stdout)["findings"]
