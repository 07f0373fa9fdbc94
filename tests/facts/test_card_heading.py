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


def test_generic_and_placeholder_headings_are_skipped():
    assert first_heading(["# Model Card for Model ID", "# Acme-7B"]) == "Acme-7B"
    assert first_heading(["# Uploaded model", "text"]) is None
    assert first_heading(["# Introduction", "# Model Overview"]) is None


def test_heading_decoration_and_model_card_for():
    assert first_heading(["# **Llama-3.1-Nemotron-8B**"]) == "Llama-3.1-Nemotron-8B"
    assert first_heading(["# Model Card for Llama-3-Zephyr"]) == "Llama-3-Zephyr"
    assert first_heading(["# [acme/Llama-3-X](https://huggingface.co/acme/Llama-3-X)"]) == (
        "acme/Llama-3-X"
    )
    assert first_heading(['# <img src="logo.png"> Gemma-Tiny']) == "Gemma-Tiny"


def test_generic_heading_with_odd_spacing_is_skipped():
    assert first_heading(["# Uploaded  model", "# Acme-7B"]) == "Acme-7B"
