"""Wording rules (lineage.md §5.4): templates carry statistic, n, null and limits; negatives
say which methods ran and that distillation is invisible; banned words never appear."""

from __future__ import annotations

import pytest

from compliance.weights.wording import BANNED, DISCLAIMER, banned_words, render
from tests.weights.fixtures import NEGATIVES, POSITIVES


@pytest.fixture(scope="module")
def texts(synthetic_run) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, names in (("pos", POSITIVES), ("neg", NEGATIVES)):
        for name in names:
            _m, results, verdict = synthetic_run(kind, name)
            out[name] = render(verdict, results, f"org/{name}", "org/base", "a" * 40, "b" * 40)
    return out


def test_banned_words_never_generated(texts: dict[str, list[str]]) -> None:
    for name, paras in texts.items():
        assert banned_words(paras, [f"org/{name}", "org/base"]) == [], name
        # labels aside, the generated text itself never uses them either
        assert all(not BANNED.search(p.replace(f"org/{name}", "")) for p in paras), name


def test_labels_are_masked_but_templates_are_not() -> None:
    assert banned_words(["`org/x-copy` is consistent with derivation"], ["org/x-copy"]) == []
    assert banned_words(["`org/x` was copied"], ["org/x"]) == ["copied"]


@pytest.mark.parametrize(
    "word",
    [
        "copied",
        "Copy",
        "stolen",
        "plagiarised",
        "fraudulent",
        "fabricated",
        "trained from scratch",
        "steals",
    ],
)
def test_banned_pattern_catches(word: str) -> None:
    assert BANNED.search(f"the model was {word}")


def test_positive_template(texts: dict[str, list[str]]) -> None:
    paras = texts["fine-tune-0.1"]
    assert paras[0].startswith(
        "The weights of `org/fine-tune-0.1@aaaaaaaaaaaa` are consistent "
        "with derivation from `org/base@bbbbbbbbbbbb`"
    )
    ev = [p for p in paras if p.startswith("Evidence: ")]
    assert ev
    for p in ev:  # statistic, n, null with source, robustness and limits
        assert " = " in p and "(n = " in p and "versus " in p and "(source: " in p
        assert "robust to" in p and "cannot detect" in p and "distillation" in p
    assert paras[-1] == DISCLAIMER
    nm = next(p for p in ev if "matched-neuron" in p)
    assert "Fisher p = " in nm and "exact under independent initialisation" in nm


def test_identical_is_the_only_plain_fact(texts: dict[str, list[str]]) -> None:
    assert "byte-identical" in texts["exact-copy"][0]
    assert "consistent with derivation" not in texts["exact-copy"][0]
    assert "byte-identical" not in texts["heavy-1.0"][0]


def test_negative_template(texts: dict[str, list[str]]) -> None:
    for name in NEGATIVES:
        head = texts[name][0]
        assert head.startswith("No weight evidence of derivation from `org/base@bbbbbbbbbbbb`")
        assert "these methods cannot detect distillation" in head
        assert "sampled aligned-tensor cosine" in head
        assert DISCLAIMER not in texts[name]
    # a dense suspect: the MoE signal is inapplicable, not "could not be computed"
    assert "could not be computed" not in texts["different-seed"][0]
    assert "MLP down-projection" in texts["independent-moe"][0]  # MoE suspect: S3 not computable


def test_context_is_labelled_not_evidence(texts: dict[str, list[str]]) -> None:
    ctx = [p for p in texts["same-stats-redraw"] if "σ correlation" in p]
    assert ctx and ctx[0].startswith("Context only, not evidence of derivation")
    assert "independent models trained with the same recipe score r ≈ 1" in ctx[0]


def test_subtype_phrases(texts: dict[str, list[str]]) -> None:
    assert "permutation of MLP neurons" in texts["neuron-permuted"][0]
    assert "depth pruning" in texts["pruned-every-2nd"][0]
    assert "upcycled" in texts["moe-upcycled"][0]
    assert "low-rank" in texts["lora-merge"][0]
