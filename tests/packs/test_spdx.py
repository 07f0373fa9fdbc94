"""`rules validate` checks a pack's `spdx:` value against the SPDX licence list."""

from __future__ import annotations

import shutil
from pathlib import Path

from compliance.packs import validate_dir
from compliance.packs.spdx import spdx_problem
from compliance.resources import data_dir


def test_known_ids_expressions_and_licence_refs_pass() -> None:
    for value in ("Apache-2.0", "CC-BY-NC-SA-4.0", "MIT OR Apache-2.0", "LicenseRef-llama3.1"):
        assert spdx_problem(value) is None, value


def test_typos_and_unnormalised_ids_are_reported() -> None:
    problem = spdx_problem("Apache-2.O")
    assert problem is not None and "Apache-2.O" in problem
    assert "should be written 'Apache-2.0'" in (spdx_problem("apache-2.0") or "")


def test_validate_dir_names_the_pack_file(tmp_path: Path) -> None:
    pack = tmp_path / "mit"
    shutil.copytree(data_dir("rules") / "mit", pack)
    assert validate_dir(pack) == []
    text = (pack / "pack.yaml").read_text(encoding="utf-8")
    (pack / "pack.yaml").write_text(text.replace("spdx: MIT", "spdx: MIT-License"))
    problems = validate_dir(pack)
    assert len(problems) == 1
    assert str(pack / "pack.yaml") in problems[0] and "MIT-License" in problems[0]


def test_shipped_packs_have_valid_spdx_values() -> None:
    assert validate_dir(data_dir("rules")) == []


def test_a_rule_pack_alias_bomb_fails_fast_with_one_line(tmp_path: Path) -> None:
    # An audited repo can bring its own rule directory through `.modelcheck.yaml`.
    pack = tmp_path / "mit"
    shutil.copytree(data_dir("rules") / "mit", pack)
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    (pack / "bomb.yaml").write_text("\n".join(lines) + "\n")
    problems = validate_dir(pack)
    assert len(problems) == 1
    assert "bomb.yaml" in problems[0] and "invalid YAML" in problems[0]
