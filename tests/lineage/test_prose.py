"""Card prose: conservative base-model extraction with line numbers."""

from __future__ import annotations

from compliance.lineage.prose import find_bases


def found(body, **kw):
    return [(b.repo_id, b.relation, b.line) for b in find_bases(body, **kw)]


def test_finetune_phrases():
    body = "# X\n\nThis model is a fine-tuned version of [Qwen/Qwen2.5-7B](https://huggingface.co/Qwen/Qwen2.5-7B).\n"
    assert found(body) == [("Qwen/Qwen2.5-7B", "finetune", 3)]
    assert found("Finetuned from `meta-llama/Llama-3.1-8B` on our data.") == [
        ("meta-llama/Llama-3.1-8B", "finetune", 1)
    ]


def test_quantized_and_thebloke_style():
    body = "This repo contains GGUF format model files for [Meta's Llama 2 7B](https://huggingface.co/meta-llama/Llama-2-7b-hf)."
    assert found(body) == [("meta-llama/Llama-2-7b-hf", "quantized", 1)]
    assert found("A quantized version of mistralai/Mistral-7B-v0.1.")[0][:2] == (
        "mistralai/Mistral-7B-v0.1",
        "quantized",
    )


def test_merge_sentence_and_mergekit_list():
    body = (
        "This is a merge of pre-trained language models.\n"
        "This model was merged using the SLERP merge method using "
        "[a/base-1](https://huggingface.co/a/base-1) as a base.\n"
        "The following models were included in the merge:\n"
        "* [b/model-2](https://huggingface.co/b/model-2)\n"
        "* c/model-3\n"
        "\n"
        "Unrelated text mentioning d/model-4.\n"
    )
    got = found(body, first_line=10)
    assert ("a/base-1", "merge", 11) in got
    assert ("b/model-2", "merge", 13) in got
    assert all(r != "d/model-4" for r, _, _ in got)


def test_conservative():
    assert found("Trained on HuggingFaceH4/ultrachat_200k.") == []  # datasets are not bases
    assert found("Based on and/or inspired by earlier work.") == []
    assert found("It is based on the Llama architecture.") == []
    assert found("```\nfine-tuned from a/b\n```\n") == []  # code blocks skipped
    assert found("Fine-tuned from https://huggingface.co/datasets/x/y") == []
    assert found("fine-tuned from acme/model", exclude=["ACME/model"]) == []


def test_links_to_code_repos_are_not_bases():
    body = "Trained with a recipe based on [hiyouga/LLaMA-Factory](https://github.com/hiyouga/LLaMA-Factory)."
    assert found(body) == []
    body = "Fine-tuned from [Qwen/Qwen2.5-7B](https://huggingface.co/Qwen/Qwen2.5-7B)."
    assert found(body) == [("Qwen/Qwen2.5-7B", "finetune", 1)]
