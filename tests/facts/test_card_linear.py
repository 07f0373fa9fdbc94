"""The first-heading scan is linear in the line length (hostile cards must not hang)."""

from __future__ import annotations

from compliance.facts.card import first_heading
from tests.timebound import runs_within


def test_heading_with_a_long_run_of_spaces_is_linear():
    code = (
        "from compliance.facts.card import first_heading\n"
        "assert first_heading(['# x' + ' ' * 1_000_000 + 'y']).startswith('x')\n"
    )
    assert runs_within(code)


def test_closing_hashes_are_removed():
    assert first_heading(["# Title ##"]) == "Title"
    assert first_heading(["# C# #"]) == "C#"
    assert first_heading(["  # Spaced   "]) == "Spaced"
    assert first_heading(["#NoSpace", "# Real"]) == "Real"
