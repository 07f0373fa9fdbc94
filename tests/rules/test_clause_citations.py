"""Rules cite the operative clause, and messages carry the carve-outs that decide them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

RULES = Path(__file__).resolve().parents[2] / "rules"


def _rule(rule_id: str) -> dict[str, Any]:
    pack, name = rule_id.split("/", 1)
    return yaml.safe_load((RULES / pack / f"{name}.yaml").read_text(encoding="utf-8"))


def _all_rules() -> list[dict[str, Any]]:
    out = []
    for pack_file in sorted(RULES.glob("*/pack.yaml")):
        for path in sorted(pack_file.parent.glob("*.yaml")):
            if path.name != "pack.yaml":
                out.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def test_no_rule_rests_on_a_preamble() -> None:
    """A preamble states intent; the obligation is in an operative clause (RAIL ¶4(a))."""
    cited = [
        r["id"]
        for r in _all_rules()
        if "preamble" in ((r.get("clause") or {}).get("section") or "").lower()
    ]
    assert cited == []


@pytest.mark.parametrize(
    ("rule_id", "section"),
    [
        ("creativeml-openrail-m/license-compatible", "¶4(a)"),
        ("openrail++/license-compatible", "¶4(a)"),
        ("deepseek/license-compatible", "§4"),
        ("cc-by-4.0/creator-credit", "§3(a)(1)(A)"),
        ("creativeml-openrail-m/latest-version", "¶7"),
    ],
)
def test_operative_clause_is_cited(rule_id: str, section: str) -> None:
    assert section in _rule(rule_id)["clause"]["section"]


def test_creativeml_updates_clause_is_information_only() -> None:
    rule = _rule("creativeml-openrail-m/latest-version")
    assert (rule["severity"], rule["check"]["kind"]) == ("info", "informational")


def test_falcon_hosting_message_states_the_background_use_carve_out() -> None:
    assert "§9.2" in _rule("falcon-180b/hosting-use")["message"]


def test_llama4_eu_carve_out_is_not_conditional() -> None:
    """Every released Llama 4 model is multimodal: the carve-out applies, it is not an 'if'."""
    rule = _rule("llama4/eu-multimodal")
    assert not rule["message"].startswith("If ")
    assert "multimodal" in rule["message"] and rule["severity"] == "warning"
