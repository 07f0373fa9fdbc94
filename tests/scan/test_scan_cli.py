"""`modelcheck scan` on the command line: bad input is one line and exit 2; local
directories are scanned; the report is written whole or not at all."""

from __future__ import annotations

import json

from compliance.cli import main


def test_no_input_is_a_usage_error(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["scan"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "exactly one of --children" in err
    assert not (tmp_path / "modelcheck-scan.db").exists()


def test_bad_options_are_usage_errors(capsys, tmp_path):
    assert main(["scan", "--from", str(tmp_path / "none.txt"), "--store", str(tmp_path / "s")]) == 2
    assert "cannot read the ids file" in capsys.readouterr().err
    assert main(["scan", "--children", "a/b", "--executor", "ray://x"]) == 2
    assert "--executor must be local or dask://" in capsys.readouterr().err
    assert main(["scan", "report", "--store", str(tmp_path / "missing.db")]) == 2
    assert "no such scan store" in capsys.readouterr().err
    assert main(["scan", "--depth", "x"]) == 2
    assert main(["scan", "--from", "ids.txt", "--since", "2026-01-01"]) == 2
    assert "--since needs a listing" in capsys.readouterr().err


def test_help_exits_zero(capsys):
    assert main(["scan", "--help"]) == 0
    assert "--children" in capsys.readouterr().out
    assert main(["scan", "report", "--help"]) == 0


def test_local_directories_are_scanned_and_reported(capsys, tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "README.md").write_text("---\nlicense: mit\n---\n# ok\n")
    (good / "LICENSE").write_text("MIT License\n\nCopyright (c) 2024 x\n")
    (bad / "README.md").write_text("# no licence\n")
    store = tmp_path / "s.db"
    out = tmp_path / "r.json"

    def report() -> dict:
        assert main(["scan", "report", "--store", str(store), "-f", "json", "-o", str(out)]) == 0
        return {r["repo_id"]: r for r in json.loads(out.read_text())["repos"]}

    assert main(["scan", str(good), str(bad), "--store", str(store)]) == 0
    assert "2 repos: 2 audited" in capsys.readouterr().out
    first = report()
    assert (first[str(good)]["compliant"], first[str(bad)]["compliant"]) == (True, False)
    assert first[str(bad)]["declared_license"] is None

    (bad / "README.md").write_text("---\nlicense: mit\n---\n# changed, not committed\n")
    assert main(["scan", str(good), str(bad), "--store", str(store)]) == 0
    assert "2 repos: 2 audited" in capsys.readouterr().out  # local dirs: always re-read
    assert report()[str(bad)]["declared_license"] == "mit"
    assert main(["scan", "report", "--store", str(store), "-o", str(tmp_path / "no/dir.md")]) == 2
