"""A derivative whose bases cannot be identified is never shown as a base model."""

from __future__ import annotations

import json

import pytest

from compliance.reporters import to_markdown
from tests.audit_support import audit_files, card


def _rules(report):
    return {f.rule_id for f in report.findings}


@pytest.mark.parametrize(
    "files",
    [
        {
            "README.md": card(
                "license: apache-2.0\ntags: [merge]", "A merge of Alpha, Beta and Gamma.\n"
            )
        },
        {"README.md": card("license: apache-2.0", "Trained from the weights of a big family.\n")},
        {
            "README.md": card("license: mit"),
            "adapter_config.json": json.dumps({"peft_type": "LORA"}),
        },
        {"README.md": card("license: mit"), "quantize_config.json": "{}"},
        {"README.md": card("license: mit\ntags: [moe]")},
    ],
)
def test_unidentified_derivative(tmp_path, files):
    report = audit_files(tmp_path / "acme-thing", files)
    assert "core/unidentified-base-model" in _rules(report)
    assert report.relation is not None
    text = to_markdown.render(report)
    assert "none (a base model)" not in text
    assert "unknown (no base model identified)" in text
    assert "✅" not in text.splitlines()[2]
    assert "Ancestor licences (no base model identified)" in text


def test_plain_original_is_not_flagged(tmp_path):
    report = audit_files(tmp_path / "acme-thing", {"README.md": card("license: mit", "# Acme\n")})
    assert "core/unidentified-base-model" not in _rules(report)
    assert report.relation is None


def test_catalog_model_shipping_its_own_gguf_is_not_flagged(tmp_path):
    files = {"README.md": card("license: gemma", "# gemma-2-9b-it\n"), "gemma-2-9b-it.gguf": ""}
    report = audit_files(tmp_path / "gemma-2-9b-it", files)
    assert "core/unidentified-base-model" not in _rules(report)


def test_identified_base_is_not_flagged(tmp_path):
    meta = "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\ntags: [merge]"
    report = audit_files(tmp_path / "x", {"README.md": card(meta)})
    assert "core/unidentified-base-model" not in _rules(report)


def test_catalog_model_on_another_vendors_base(tmp_path):
    from compliance.pipeline import AuditOptions, run_audit

    (tmp_path / "README.md").write_text(card("license: mit", "# DeepSeek-R1\n"), encoding="utf-8")
    opts = AuditOptions(
        target=str(tmp_path), resolve="catalog", name="deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
    )
    r = run_audit(opts)
    (a,) = r.lineage.direct()
    assert a.repo_id == "meta-llama/Llama-3.1-8B" and a.license == "llama3.1"


def test_vendor_own_chain_adds_nothing(tmp_path):
    from compliance.pipeline import AuditOptions, run_audit

    (tmp_path / "README.md").write_text(
        card("license: apache-2.0", "# Qwen2.5-7B-Instruct\n"), encoding="utf-8"
    )
    r = run_audit(
        AuditOptions(target=str(tmp_path), resolve="catalog", name="Qwen/Qwen2.5-7B-Instruct")
    )
    assert r.lineage.direct() == []


@pytest.mark.parametrize(
    ("body", "relation"),
    [
        ("We distilled it from a larger teacher.", "distilled"),
        ("Weights quantized to 4-bit with GPTQ.", "quantized"),
        ("This is a LoRA adapter trained on our data.", "adapter"),
        ("本模型经过蒸馏得到。", "distilled"),
        ("Trained for 3 epochs.", "finetune"),
    ],
)
def test_relation_from_prose_when_metadata_is_silent(tmp_path, body, relation):
    meta = "license: llama3.1\nbase_model: meta-llama/Llama-3.1-8B"
    report = audit_files(tmp_path, {"README.md": card(meta, body + "\n")})
    assert report.relation == relation


def test_merge_with_one_parent_identified_says_the_rest_are_unknown(tmp_path):
    body = "A merge of Alpha, Beta and [a/gamma-7b](https://huggingface.co/a/gamma-7b).\n"
    report = audit_files(
        tmp_path / "x", {"README.md": card("license: apache-2.0\ntags: [merge]", body)}
    )
    msgs = [f.message for f in report.findings if f.rule_id == "core/unidentified-base-model"]
    assert msgs and "names 3 models" in msgs[0] and "1 identified (`a/gamma-7b`)" in msgs[0]
    assert report.relation == "merge"
