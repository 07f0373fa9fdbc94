from __future__ import annotations

from compliance.fix.text_edits import append_lines, append_paragraphs


def test_paragraph_added_after_a_blank_line() -> None:
    assert append_paragraphs("# T\n\nbody\n", ["Built with Llama"]) == (
        "# T\n\nbody\n\nBuilt with Llama\n"
    )


def test_missing_final_newline_and_crlf() -> None:
    assert append_paragraphs("a\r\nb", ["S"]) == "a\r\nb\r\n\r\nS\r\n"


def test_notice_lines() -> None:
    assert append_lines("", ["one", "two"]) == "one\ntwo\n"
    assert append_lines("old", ["new"]) == "old\nnew\n"
