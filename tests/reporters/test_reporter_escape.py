from __future__ import annotations

from compliance.reporters.escape import clean, code, md, mermaid, prose


def test_clean_makes_one_printable_line() -> None:
    assert clean("a\r\nb\tc\x1b[0m\u202e\x00") == "a b c[0m"
    assert clean("x" * 10, limit=5) == "xxxx…"
    assert clean(None) == ""


def test_md_escapes_inline_markup_and_keeps_plain_words() -> None:
    assert md("base_model: llama3.1 (see README.md)") == "base_model: llama3.1 (see README.md)"
    assert md("[x](http://e)") == "\\[x\\](http://e)"
    assert md("<b>&") == "&lt;b&gt;&amp;"
    assert md("a|b *c* `d` _e_") == "a\\|b \\*c\\* \\`d\\` \\_e\\_"
    assert md("@user") == "@\u200buser"


def test_md_escapes_block_markup_at_the_start_only() -> None:
    assert md("# title") == "\\# title"
    assert md("- item") == "\\- item"
    assert md("1. item") == "1\\. item"
    assert md("--name") == "--name"
    assert md("Llama 3.1 # not a heading") == "Llama 3.1 # not a heading"


def test_md_escapes_every_block_marker_at_the_start() -> None:
    # "## x" was left as a level-2 heading; "1) x", "---" and "===" were left as markup too.
    assert md("## x") == "#\\# x"
    assert md("###### x") == "#####\\# x"
    assert md("1) item") == "1\\) item"
    assert md("---") == "--\\-"
    assert md("===") == "==\\="
    assert prose("## `a` b") == "#\\# `a` b"
    assert md("--name") == "--name"


def test_code_spans_cannot_be_closed_early() -> None:
    assert code("plain") == "`plain`"
    assert code("a`b") == "`` a`b ``"
    assert code("``x") == "``` ``x ```"
    assert code("a|b", table=True) == "`a\\|b`"
    assert code("") == "` `"


def test_mermaid_labels_are_entity_encoded() -> None:
    assert mermaid('org/m-1.0 "x"]') == "org/m-1.0 #34;x#34;#93;"
    assert mermaid("<br>") == "#60;br#62;"


def test_prose_keeps_balanced_code_spans_and_escapes_the_rest() -> None:
    assert prose("The card declares `apache-2.0`, not `llama3.1`.") == (
        "The card declares `apache-2.0`, not `llama3.1`."
    )
    assert prose("declares `x<img>` and *y*") == "declares `x<img>` and \\*y\\*"
    assert prose("a `b|c` d", table=True) == "a `b\\|c` d"
    assert prose("unbalanced ` <b>") == "unbalanced \\` &lt;b&gt;"
    assert prose("- `x`") == "\\- `x`"
