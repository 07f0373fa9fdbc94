from __future__ import annotations

import json

from compliance.facts.read import read_facts
from compliance.sources.local import LocalSource

from .builders import messages, write_repo


def test_config_fields(facts_of):
    config = {
        "architectures": ["LlamaForCausalLM", 3],
        "model_type": "llama",
        "_name_or_path": "meta-llama/Llama-3.1-8B",
        "quantization_config": {"quant_method": "gptq", "bits": 4},
    }
    facts = facts_of(
        {
            "config.json": json.dumps(config),
            "generation_config.json": json.dumps({"temperature": 0.6}),
        }
    )
    assert facts.config.present
    assert facts.config.architectures == ["LlamaForCausalLM"]
    assert facts.config.model_type == "llama"
    assert facts.config.name_or_path == "meta-llama/Llama-3.1-8B"
    assert facts.config.quantization == {"quant_method": "gptq", "bits": 4}
    assert facts.config.data["model_type"] == "llama"
    assert facts.generation_config == {"temperature": 0.6}
    assert facts.problems == []


def test_config_not_an_object(facts_of):
    facts = facts_of({"config.json": "[1, 2]"})
    assert not facts.config.present
    assert messages(facts) == ["config.json: not a JSON object; ignored"]


def test_adapters_root_and_one_level(facts_of):
    adapter = {"base_model_name_or_path": "meta-llama/Llama-3.1-8B", "peft_type": "LORA"}
    facts = facts_of(
        {
            "adapter_config.json": json.dumps(adapter),
            "checkpoint-1/adapter_config.json": json.dumps({"peft_type": "IA3"}),
            "a/b/adapter_config.json": json.dumps(adapter),  # two levels down: ignored
        }
    )
    assert [(a.file, a.base_model, a.peft_type) for a in facts.adapters] == [
        ("adapter_config.json", "meta-llama/Llama-3.1-8B", "LORA"),
        ("checkpoint-1/adapter_config.json", None, "IA3"),
    ]


def test_mergekit_config(facts_of):
    recipe = """
slices:
  - sources:
      - model: org/a
        layer_range: [0, 16]
      - model: org/b
        layer_range: [0, 16]
merge_method: passthrough
dtype: bfloat16
"""
    moe = "base_model: org/base\ngate_mode: hidden\nexperts:\n  - source_model: org/x\n"
    facts = facts_of({"mergekit_config.yml": recipe, "mergekit_config.yaml": moe})
    first, second = facts.merges
    assert (first.file, first.merge_method, first.models) == (
        "mergekit_config.yml",
        "passthrough",
        ["org/a", "org/b"],
    )
    assert (second.merge_method, second.base_model, second.models) == ("moe", "org/base", ["org/x"])


def test_license_files(tmp_path):
    files = {
        "LICENSE": "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT",
        "NOTICE.txt": "Notice text",
        "USE_POLICY.md": "policy",
        "original/Acceptable_Use_Policy.md": "policy",
        "licence-mit.md": "MIT",
        "COPYING": "GPL",
        "deep/er/LICENSE": "too deep",
        "README.md": "# x\n",
    }
    facts = read_facts(LocalSource(write_repo(tmp_path, files)))
    got = {(f.path, f.kind, f.text) for f in facts.license_files}
    assert got == {
        ("LICENSE", "license", "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT"),
        ("NOTICE.txt", "notice", "Notice text"),
        ("USE_POLICY.md", "use-policy", "policy"),
        ("original/Acceptable_Use_Policy.md", "use-policy", "policy"),
        ("licence-mit.md", "license", "MIT"),
        ("COPYING", "license", "GPL"),
    }


def test_modelcheck_config(facts_of):
    facts = facts_of({".modelcheck.yaml": "repo_id: org/name\nfail_on: warning\n"})
    assert facts.modelcheck_config == {"repo_id": "org/name", "fail_on": "warning"}
    bad = facts_of({".modelcheck.yaml": "- just\n- a list\n"})
    assert bad.modelcheck_config == {}
    assert messages(bad) == [".modelcheck.yaml: not a YAML mapping; ignored"]


def test_mlx_quantization_key_is_quantization_evidence(facts_of):
    mlx = {"model_type": "llama", "quantization": {"group_size": 64, "bits": 4}}
    facts = facts_of({"config.json": json.dumps(mlx)})
    assert facts.config.quantization == {"group_size": 64, "bits": 4}
    assert facts.config.quantization_key == "quantization"
    # both keys (newer mlx-lm): the transformers key wins
    both = dict(mlx, quantization_config={"quant_method": "awq", "bits": 4})
    facts = facts_of({"config.json": json.dumps(both)})
    assert facts.config.quantization_key == "quantization_config"
    # an unrelated `quantization` value (no bit width) is not evidence
    other = {"model_type": "llama", "quantization": {"note": "none"}}
    assert facts_of({"config.json": json.dumps(other)}).config.quantization is None
