"""Informal merge cards: "A merge of A, B, C and D made with mergekit", no base_model."""

from __future__ import annotations

from compliance.lineage.merge_sentence import merge_sentence_names
from tests.audit_support import audit_files, card


def test_names_listed_in_a_merge_sentence_are_counted() -> None:
    line = (
        "A merge of Mistral-7B-v0.1, Qwen2.5-7B-Instruct, FooBar-7B and Baz-7B made with mergekit."
    )
    assert merge_sentence_names(line) == [
        "Mistral-7B-v0.1", "Qwen2.5-7B-Instruct", "FooBar-7B", "Baz-7B"
    ]


def test_link_text_is_the_name_and_prose_is_not_a_list() -> None:
    line = "A merge of [org/A-7B](https://huggingface.co/org/A-7B) and org/B-7B using SLERP."
    assert merge_sentence_names(line) == ["org/A-7B", "org/B-7B"]
    assert merge_sentence_names("A merge of pre-trained language models.") == []
    assert merge_sentence_names("A merge of reasoning and chat models.") == []


def test_a_merge_naming_four_says_which_two_were_identified(tmp_path) -> None:
    body = (
        "A merge of Mistral-7B-v0.1, Qwen2.5-7B-Instruct, FooBar-7B and Baz-7B "
        "made with mergekit.\n"
    )
    report = audit_files(
        tmp_path / "x", {"README.md": card("license: apache-2.0\ntags: [merge]", body)}
    )
    parents = {a.repo_id for a in report.lineage.direct()}
    assert parents == {"mistralai/Mistral-7B-v0.1", "Qwen/Qwen2.5-7B-Instruct"}
    msgs = [f.message for f in report.findings if f.rule_id == "core/unidentified-base-model"]
    assert len(msgs) == 1
    assert "names 4 models" in msgs[0]
    assert "2 identified (`mistralai/Mistral-7B-v0.1`, `Qwen/Qwen2.5-7B-Instruct`)" in msgs[0]
    assert "the others could not be" in msgs[0]


def test_a_merge_whose_named_parents_are_all_identified_is_not_reported(tmp_path) -> None:
    body = "A merge of Mistral-7B-v0.1 and Qwen2.5-7B-Instruct made with mergekit.\n"
    report = audit_files(
        tmp_path / "x", {"README.md": card("license: apache-2.0\ntags: [merge]", body)}
    )
    assert not [f for f in report.findings if f.rule_id == "core/unidentified-base-model"]
