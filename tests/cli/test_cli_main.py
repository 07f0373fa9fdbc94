"""The error boundary and exit codes of `compliance.cli.main` (in-process, fake pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import make_report

from compliance import __version__, cli
from compliance.commands.audit import effective_fail_on, exit_code
from compliance.errors import ConfigError, GatedRepoError, PathNotFoundError


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"modelcheck {__version__}\n"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["audit", "x", "--format", "xml"],
        ["audit", "x", "--fail-on", "sometimes"],
        ["audit", "x", "--no-such-option"],
        ["frobnicate"],
        ["rules"],
    ],
)
def test_usage_errors_exit_2_without_traceback(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    if argv in ([], ["rules"]):  # a bare group prints its help instead of one line
        assert "Usage: modelcheck" in err
    else:
        assert err.count("\n") == 1 and err.startswith("modelcheck: usage error: ")


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["audit", "--help"]) == 0
    assert "--fail-on" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("severities", "waived", "flag", "config", "expected"),
    [
        ((), (), None, None, 0),
        (("warning",), (), None, None, 0),
        (("error",), (), None, None, 1),
        (("warning",), (), "warning", None, 1),
        (("info",), (), "warning", None, 0),
        (("info",), (), "info", None, 1),
        (("error",), (), "never", None, 0),
        (("warning",), (), None, "warning", 1),  # config fail_on applies without the flag
        (("warning",), (), "error", "warning", 0),  # the flag wins over the config
        (("error",), (), None, "none", 0),  # .modelcheck.yaml spells "never" as "none"
        ((), ("error",), None, None, 0),  # waived findings never count
        ((), ("error",), "info", None, 0),
    ],
)
def test_exit_code_follows_fail_on(
    fake_pipeline, severities, waived, flag, config, expected, capsys
) -> None:
    fake_pipeline(make_report(*severities, waived=waived, fail_on=config))
    argv = ["audit", "some/dir"] + (["--fail-on", flag] if flag else [])
    assert cli.main(argv) == expected
    out, err = capsys.readouterr()
    assert out.startswith("# modelcheck: org/model")
    assert err == ""


def test_invalid_config_fail_on_is_a_usage_error() -> None:
    with pytest.raises(ConfigError):
        effective_fail_on(None, make_report(fail_on="sometimes"))
    assert exit_code(make_report("error"), "error") == 1


def test_options_reach_the_pipeline(fake_pipeline, tmp_path: Path, capsys) -> None:
    calls = fake_pipeline(make_report())
    out_file = tmp_path / "report.json"
    argv = ["audit", "org/model@main", "--format", "json", "-o", str(out_file),
            "--rules", "a", "--rules", "b", "--config", "c.yaml", "--name", "org/x",
            "--resolve", "catalog", "--weights", "--fingerprints", "fp"]
    assert cli.main(argv) == 0
    opts = calls[0]
    assert opts.target == "org/model@main"
    assert opts.rules_dirs == ["a", "b"]
    assert opts.config_file == "c.yaml"
    assert (opts.name, opts.resolve, opts.weights) == ("org/x", "catalog", True)
    assert opts.fingerprint_dirs == ["fp"]
    assert capsys.readouterr().out == ""  # the report went to the file only
    assert json.loads(out_file.read_text(encoding="utf-8"))["schema_version"] == "1.1"


@pytest.mark.parametrize(
    ("exc", "code", "start"),
    [
        (PathNotFoundError("nope/: no such directory"), 2, "modelcheck: error: nope/"),
        (GatedRepoError("meta-llama/x: gated repo; accept the licence"), 2, "modelcheck: error:"),
        (RuntimeError("boom\nsecond line"), 3, "modelcheck: internal error: RuntimeError: boom;"),
        (KeyboardInterrupt(), 130, "modelcheck: interrupted"),
    ],
)
def test_errors_are_one_line_on_stderr(fake_pipeline, exc, code, start, capsys) -> None:
    fake_pipeline(exc=exc)
    assert cli.main(["audit", "x"]) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(start)
    assert err.count("\n") == 1 and "Traceback" not in err


def test_debug_shows_the_traceback(fake_pipeline, monkeypatch, capsys) -> None:
    fake_pipeline(exc=RuntimeError("boom"))
    assert cli.main(["audit", "x", "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err
    monkeypatch.setenv("MODELCHECK_DEBUG", "1")
    assert cli.main(["audit", "x"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_unwritable_output_is_exit_2(fake_pipeline, tmp_path: Path, capsys) -> None:
    fake_pipeline(make_report())
    target = tmp_path / "missing-dir" / "r.md"
    assert cli.main(["audit", "x", "-o", str(target)]) == 2
    assert "cannot write the report" in capsys.readouterr().err


def _stub_command(monkeypatch: pytest.MonkeyPatch, verb: str) -> list:
    import sys
    import types

    calls: list = []
    module = types.ModuleType(f"compliance.commands.{verb}")

    def run(*args: object, **kwargs: object) -> int:
        calls.append((args, kwargs))
        return 0

    module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, f"compliance.commands.{verb}", module)
    monkeypatch.setattr("compliance.commands." + verb, module, raising=False)
    return calls


def test_lineage_and_fingerprint_are_wired(monkeypatch: pytest.MonkeyPatch) -> None:
    lineage = _stub_command(monkeypatch, "lineage")
    assert cli.main(["lineage", "org/suspect", "--against", "a", "--against", "fp/b",
                     "--format", "json", "-o", "out.json"]) == 0
    assert lineage == [(("org/suspect",),
                        {"against": ["a", "fp/b"], "fmt": "json", "output": Path("out.json")})]
    fingerprint = _stub_command(monkeypatch, "fingerprint")
    assert cli.main(["fingerprint", "org/base", "-o", "base.fp"]) == 0
    assert cli.main(["fingerprint", "org/base", "-o", "base.fp", "--full-digests"]) == 0
    assert fingerprint == [
        (("org/base",), {"output": Path("base.fp"), "name": None, "full_digests": False}),
        (("org/base",), {"output": Path("base.fp"), "name": None, "full_digests": True}),
    ]
    assert cli.main(["lineage", "org/suspect"]) == 2  # --against is required
