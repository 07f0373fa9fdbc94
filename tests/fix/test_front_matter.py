"""Front-matter edits touch only the lines of the keys being set."""

from __future__ import annotations

import pytest

from compliance.fix.errors import FixRefused
from compliance.fix.front_matter import current, render_scalar, set_keys

CARD = """---
# licence chosen by legal, see ticket 12
tags: [llama, chat]   # shown on the Hub
license: apache-2.0  # was mit
base_model: meta-llama/Llama-3.1-8B
language:
  - en
  - fr
---

# Acme 8B

Body text, *untouched*.
"""


def _unchanged_except(old: str, new: str, changed: dict[int, str]) -> None:
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    assert len(old_lines) == len(new_lines)
    for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)):
        assert b == changed.get(i, a)


def test_replaces_one_line_and_keeps_its_comment() -> None:
    new = set_keys(CARD, {"license": "llama3.1"})
    _unchanged_except(CARD, new, {3: "license: llama3.1  # was mit\n"})


def test_crlf_file_stays_crlf_byte_for_byte() -> None:
    crlf = CARD.replace("\n", "\r\n")
    new = set_keys(crlf, {"license": "llama3.1"})
    assert new == crlf.replace("license: apache-2.0  # was mit", "license: llama3.1  # was mit")
    assert "\n" not in new.replace("\r\n", "")


def test_new_key_goes_after_its_group_in_odd_key_order() -> None:
    new = set_keys(CARD, {"license_name": "qwen", "license_link": "https://x.example/LICENSE"})
    lines = new.splitlines()
    assert lines[3:6] == [
        "license: apache-2.0  # was mit",
        "license_name: qwen",
        "license_link: https://x.example/LICENSE",
    ]
    assert new.replace("license_name: qwen\nlicense_link: https://x.example/LICENSE\n", "") == CARD


def test_multi_line_value_replaced_as_a_whole() -> None:
    new = set_keys(CARD, {"language": ["de"]})
    assert "  - en" not in new and "language:\n- de\n---" in new
    assert new.startswith(CARD.split("language:")[0])
    assert new.endswith(CARD.split("---", 2)[2])


def test_list_value_for_base_model() -> None:
    new = set_keys(CARD, {"base_model": ["a/b", "c/d"]})
    assert "base_model:\n- a/b\n- c/d\nlanguage:" in new
    assert current(new) is not None and current(new)["base_model"] == ["a/b", "c/d"]


def test_key_on_the_last_line_before_the_closing_marker() -> None:
    card = "---\ntags: [x]\nlicense: mit\n---\nbody\n"
    assert set_keys(card, {"license": "gemma"}) == "---\ntags: [x]\nlicense: gemma\n---\nbody\n"
    added = set_keys(card, {"base_model": "g/h"})
    assert added == "---\ntags: [x]\nlicense: mit\nbase_model: g/h\n---\nbody\n"


def test_bom_and_quoted_key_kept() -> None:
    card = '\ufeff---\n"license": mit\n---\nbody'
    assert set_keys(card, {"license": "gemma"}) == "\ufeff---\nlicense: gemma\n---\nbody"


def test_values_that_need_quotes_are_quoted() -> None:
    assert render_scalar("llama3.1") == "llama3.1"
    assert render_scalar("https://huggingface.co/Qwen/x/blob/main/LICENSE").startswith("https")
    for tricky in ("yes", "1.0", "a: b", "x #y", "null", " lead", ""):
        assert render_scalar(tricky).startswith('"'), tricky


def test_no_front_matter_is_refused() -> None:
    with pytest.raises(FixRefused, match="README.md: no YAML front matter"):
        set_keys("# Just a title\n", {"license": "mit"})


def test_broken_yaml_is_refused_with_the_line() -> None:
    with pytest.raises(FixRefused, match=r"README.md:\d+: the front matter is not valid YAML"):
        set_keys("---\nlicense: [mit\n---\nbody\n", {"license": "gemma"})


def test_non_mapping_front_matter_is_refused() -> None:
    with pytest.raises(FixRefused, match="not a mapping"):
        set_keys("---\n- a\n- b\n---\n", {"license": "gemma"})


def test_an_edit_that_would_change_other_keys_is_refused() -> None:
    # a flow mapping spread over lines at column 0 cannot be line-edited safely
    card = "---\nlicense: {a: 1,\nb: 2}\ntags: [x]\n---\n"
    with pytest.raises(FixRefused, match="could not set license by a line edit"):
        set_keys(card, {"license": "mit"})
