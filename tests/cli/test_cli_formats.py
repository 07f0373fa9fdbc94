"""`audit --format` offers every registered reporter; PATH defaults to `.`; the
terminal format stays light (no Jinja2, no SBOM libraries) for the pre-commit hook."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import EXAMPLES, REPO_ROOT, make_report

from compliance import cli, cli_app, reporters


def test_audit_offers_every_registered_format() -> None:
    assert {f.value for f in cli_app.AuditFormat} == set(reporters.REPORTERS)
    for name in reporters.REPORTERS:
        assert callable(reporters.get(name))


@pytest.mark.parametrize("fmt", ["terminal", "sarif", "spdx", "cyclonedx"])
def test_each_new_format_renders_through_the_cli(
    fmt: str, fake_pipeline: Callable[..., list], capsys: pytest.CaptureFixture[str]
) -> None:
    fake_pipeline(make_report("error"))
    assert cli.main(["audit", "some/dir", "--format", fmt]) == 1
    out = capsys.readouterr().out
    if fmt == "terminal":
        assert out.startswith("README.md:1: core/error-0 error  A error finding.")
    else:
        assert json.loads(out)


def test_path_defaults_to_the_current_directory(
    fake_pipeline: Callable[..., list], capsys: pytest.CaptureFixture[str]
) -> None:
    calls = fake_pipeline(make_report())
    assert cli.main(["audit", "--fail-on", "warning", "--format", "terminal"]) == 0
    assert calls[0].target == "."


def test_a_report_written_to_a_file_has_no_colour(
    fake_pipeline: Callable[..., list], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_pipeline(make_report("error"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    out = tmp_path / "report.txt"
    assert cli.main(["audit", "x", "--format", "terminal", "-o", str(out)]) == 1
    assert "\x1b" not in out.read_text(encoding="utf-8")


def test_missing_sbom_libraries_exit_2_with_the_install_hint(
    fake_pipeline: Callable[..., list],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_pipeline(make_report("error"))
    monkeypatch.setitem(sys.modules, "cyclonedx.model.component", None)
    assert cli.main(["audit", "x", "--format", "cyclonedx"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == (
        "modelcheck: error: --format cyclonedx needs the SBOM libraries: "
        "pip install 'modelcheck[sbom]'"
    )


PROBE = """
import contextlib, io, json, sys
from compliance.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""
NOT_ON_THE_HOOK_PATH = ("jinja2", "spdx_tools", "cyclonedx", "rdflib", "jsonschema")


def _modules(argv: list[str]) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.stdout, proc.stderr
    data = json.loads(proc.stdout.splitlines()[-1])
    assert data["code"] in (0, 1), proc.stderr
    return set(data["modules"])


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_terminal_audit_imports_no_template_or_sbom_library() -> None:
    example = str(EXAMPLES / "llama31-finetune-apache")
    assert _top(_modules(["audit", example, "--format", "terminal"])).isdisjoint(
        NOT_ON_THE_HOOK_PATH
    )
    # the same probe sees them when the format needs them
    assert "spdx_tools" in _top(_modules(["audit", example, "--format", "spdx"]))
