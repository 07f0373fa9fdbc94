"""read_by_facts: the files the facts readers read, which a source may fetch up front."""

from __future__ import annotations

from compliance.facts.wanted import read_by_facts


def test_the_files_the_readers_read() -> None:
    assert read_by_facts("README.md") and read_by_facts("readme.md")
    assert read_by_facts("LICENSE.txt") and read_by_facts("original/LICENSE")
    assert read_by_facts("USE_POLICY.md") and read_by_facts("NOTICE")
    assert read_by_facts("adapter/adapter_config.json")
    assert read_by_facts("model.safetensors.index.json")
    for read in ("config.json", "generation_config.json", ".modelcheck.yaml", ".modelcheck.yml"):
        assert read_by_facts(read)
    assert read_by_facts("LLAMA_USE_POLICY.md") and read_by_facts("sub/NOTICE.txt")
    assert read_by_facts("sub/model.safetensors.index.json")


def test_files_no_reader_reads() -> None:
    # sub-folder configs (a diffusers repo has one per component) and RESPONSIBLE_USE
    # files are never read: fetching them up front costs a HEAD and a GET each for nothing
    for unread in ("text_encoder/config.json", "sub/mergekit_config.yml", "sub/.modelcheck.yml"):
        assert not read_by_facts(unread)
    assert not read_by_facts("RESPONSIBLE_USE_GUIDE.md")
    assert not read_by_facts("docs/README.md") and not read_by_facts("a/b/LICENSE")
    assert not read_by_facts("model.safetensors") and not read_by_facts("tokenizer.json")
