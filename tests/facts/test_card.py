from __future__ import annotations

from compliance.facts.card import REGEX_YAML_BLOCK, first_heading
from compliance.facts.model import Card

from .builders import messages

CARD = """---
license: llama3.1
base_model:
- meta-llama/Llama-3.1-8B
- not a repo id
base_model_relation: finetune
model_name: Llama-3.1-Foo
tags: [text-generation, llama]
datasets: org/data
pipeline_tag: text-generation
library_name: transformers
model-index:
- name: Llama-3.1-Foo
  results: []
---

```bash
# not a heading
```

# Llama-3.1-Foo

Built with Llama.

## Merge

```yaml
models:
  - model: org/a
  - model: org/b
merge_method: slerp
base_model: org/a
```
"""


def test_front_matter_and_lines(facts_of):
    card = facts_of({"README.md": CARD}).card
    assert card.present and card.path == "README.md"
    assert card.license == "llama3.1"
    assert card.metadata_lines["license"] == 2
    assert card.metadata_lines["base_model"] == 3
    assert card.metadata_lines["model-index"] == 12
    assert card.body_start_line == 16
    assert card.body.startswith("\n```bash")


def test_accessors_normalise(facts_of):
    card = facts_of({"README.md": CARD}).card
    assert card.base_models == ["meta-llama/Llama-3.1-8B"]
    assert card.metadata["base_model"][1] == "not a repo id"  # raw metadata kept as parsed
    assert card.datasets == ["org/data"]
    assert card.tags == ["text-generation", "llama"]
    assert card.model_name == "Llama-3.1-Foo"
    assert card.model_index_names == ["Llama-3.1-Foo"]


def test_licence_accessors():
    card = Card(
        present=True,
        metadata={"license": [" Other "], "license_name": " Acme-1 ", "license_link": 3},
    )
    assert (card.license, card.license_id, card.license_name) == ("Other", "other", "Acme-1")
    assert card.license_link is None  # not text: reported when read, never interpreted
    assert card.declared_license == "other (Acme-1)"
    assert card.named_license == "Acme-1"
    two = Card(present=True, metadata={"license": ["mit", "apache-2.0"]})
    assert two.license is None and two.declared_license == "mit, apache-2.0"
    assert Card(metadata={"license": "  "}).declared_license is None
    assert Card(metadata={"license": "other"}).named_license is None


def test_base_model_accessors():
    card = Card(
        metadata={"base_model": ["org/a", " not an id ", "org/a"], "base_model_relation": "merge"}
    )
    assert card.base_models == ["org/a"]
    assert card.base_model_entries == ["org/a", "not an id", "org/a"]
    assert card.base_model_relation == "merge"
    assert Card(metadata={"language": "en"}).language == ["en"]


def test_first_heading_skips_code_blocks(facts_of):
    assert facts_of({"README.md": CARD}).card.first_heading == "Llama-3.1-Foo"
    assert first_heading(["Title", "=====", "# Later"]) == "Title"
    assert first_heading(["## Sub", "#NoSpace"]) is None


def test_invalid_base_model_reported_with_line(facts_of):
    facts = facts_of({"README.md": CARD})
    [problem] = [p for p in facts.problems if p.evidence.key == "card:base_model"]
    assert problem.category == "metadata-invalid"
    assert problem.message.startswith(
        "README.md:3: base_model 'not a repo id' is not a valid repo id"
    )
    assert problem.evidence.line == 3


def test_merge_block_in_card(facts_of):
    [merge] = facts_of({"README.md": CARD}).merges
    assert merge.file == "README.md"
    assert merge.line == 27  # the opening fence
    assert merge.merge_method == "slerp"
    assert merge.models == ["org/a", "org/b"]
    assert merge.base_model == "org/a"


def test_lowercase_readme_and_no_front_matter(facts_of):
    card = facts_of({"readme.md": "# Title\n\ntext\n"}).card
    assert card.present and card.path == "readme.md"
    assert card.metadata == {} and card.first_heading == "Title"
    assert card.body_start_line == 1


def test_wrong_types_are_reported(facts_of):
    facts = facts_of(
        {"README.md": "---\nlicense: {a: 1}\nmodel_name: [x]\nbase_model_relation: fork\n---\n"}
    )
    text = " | ".join(messages(facts))
    assert "README.md:2: `license` should be a string or a list of strings" in text
    assert "README.md:3: `model_name` should be a string, found a list" in text
    assert "README.md:4: base_model_relation 'fork' is not one of" in text
    assert facts.card.model_name is None


def test_front_matter_not_a_mapping(facts_of):
    facts = facts_of({"README.md": "---\n- a\n- b\n---\nbody\n"})
    assert messages(facts) == ["README.md:2: front matter is not a mapping (found a list)"]
    assert facts.card.body == "body\n"


def test_unclosed_front_matter(facts_of):
    facts = facts_of({"README.md": "---\nlicense: mit\n\n# Title\n"})
    assert messages(facts) == ["README.md:1: front matter starts with `---` but is never closed"]


def test_regex_matches_hub_behaviour():
    # The Hub tolerates leading blank lines and trailing spaces after the closing fence.
    m = REGEX_YAML_BLOCK.search("\n---\r\nlicense: mit\r\n---  \r\nbody")
    assert m is not None and m.group(2) == "license: mit"
    assert REGEX_YAML_BLOCK.search("text\n---\nlicense: mit\n---\n") is None


def test_crlf_card_lines(facts_of):
    card = facts_of({"README.md": b"---\r\nlicense: mit\r\ntags: [a]\r\n---\r\n\r\n# T\r\n"}).card
    assert card.metadata_lines == {"license": 2, "tags": 3}
    assert card.body_start_line == 5 and card.first_heading == "T"
