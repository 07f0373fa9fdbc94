"""Waiver `expires:` dates and waivers naming no rule (the fixtures under
tests/rules/core/fail-waiver-* show both end to end)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.config import load_config_file, parse_config
from compliance.errors import ConfigError


def test_expires_is_parsed_as_an_iso_date() -> None:
    cfg = parse_config(
        {"waivers": [{"rule": "x/y", "reason": "r", "expires": "2030-02-01"}]}, "c.yaml", None
    )
    assert cfg.waivers[0].expires == "2030-02-01"
    assert parse_config({"waivers": [{"rule": "x/y", "reason": "r"}]}, "c", None).waivers[
        0
    ].expires is None


@pytest.mark.parametrize("bad", ["2030-13-01", "soon", "01/02/2030"])
def test_a_bad_date_is_a_one_line_config_error(tmp_path: Path, bad: str) -> None:
    path = tmp_path / ".modelcheck.yaml"
    path.write_text(
        f"waivers:\n  - rule: x/y\n    reason: r\n    expires: '{bad}'\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"waivers\[0\]\.expires: .* is not a date") as e:
        load_config_file(path)
    assert "\n" not in str(e.value)


def test_an_unquoted_yaml_date_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / ".modelcheck.yaml"
    path.write_text("waivers:\n  - rule: x/y\n    reason: r\n    expires: 2030-02-01\n", "utf-8")
    assert load_config_file(path).waivers[0].expires == "2030-02-01"
