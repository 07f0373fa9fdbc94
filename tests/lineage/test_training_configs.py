"""Training configs shown in the card (axolotl, LLaMA-Factory) name the trained base."""

from __future__ import annotations

from compliance.lineage.training_configs import config_bases
from tests.audit_support import audit_files, card

AXOLOTL = (
    "# acme-7b\n\naxolotl version: `0.4.0`\n```yaml\nbase_model: mistralai/Mistral-7B-v0.1\n"
    "model_type: MistralForCausalLM\ndatasets:\n  - path: acme/data\n```\n"
)


def test_config_bases():
    got = config_bases(AXOLOTL, first_line=10)
    assert [(c.value, c.key, c.line) for c in got] == [
        ("mistralai/Mistral-7B-v0.1", "base_model", 14)
    ]
    factory = "```yaml\nmodel_name_or_path: /data/models/Qwen2.5-7B-Instruct\nstage: sft\n```\n"
    assert config_bases(factory)[0].value == "/data/models/Qwen2.5-7B-Instruct"
    assert config_bases("base_model: a/b\n") == []  # outside a code block


def test_axolotl_card_without_front_matter_base(tmp_path):
    r = audit_files(tmp_path, {"README.md": card("license: apache-2.0", AXOLOTL)})
    (a,) = r.lineage.direct()
    assert a.repo_id == "mistralai/Mistral-7B-v0.1" and a.license == "apache-2.0"
    assert "training config" in a.known_from


def test_axolotl_block_is_not_misplaced_metadata(tmp_path):
    r = audit_files(tmp_path, {"README.md": AXOLOTL})
    assert r.declared_license is None
    assert not [f for f in r.findings if "Hub ignores it" in f.message]
