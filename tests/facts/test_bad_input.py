"""Each hostile or broken input becomes a Problem (or, for a missing path, the
documented exception) and every other fact is still read."""

from __future__ import annotations

import json
import os
import struct

import pytest

from compliance import safeload
from compliance.errors import PathNotFoundError
from compliance.facts.read import read_facts
from compliance.sources.local import LocalSource

from .builders import gguf_kv_string, gguf_raw, messages, safetensors_bytes, write_repo

CONFIG = json.dumps({"model_type": "llama"})

BILLION_LAUGHS = """---
license: mit
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
# Bomb
"""


def test_front_matter_yaml_error_reports_readme_line(facts_of):
    readme = "---\nlicense: mit\ntags: [a, b\nbase_model: org/x\n---\n# Title\n"
    facts = facts_of({"README.md": readme, "config.json": CONFIG})
    [problem] = facts.problems
    assert problem.category == "metadata-invalid"
    assert problem.message.startswith("README.md:4: front matter is not valid YAML: ")
    assert problem.evidence.file == "README.md" and problem.evidence.line == 4
    assert facts.card.present and facts.card.metadata == {}
    assert facts.card.first_heading == "Title"  # the body is still read
    assert facts.config.model_type == "llama"


def test_yaml_alias_bomb_is_refused(facts_of):
    facts = facts_of({"README.md": BILLION_LAUGHS, "config.json": CONFIG})
    assert messages(facts) == [
        "README.md: front matter is not valid YAML: YAML refused: "
        "more than 100000 nodes once aliases are expanded"
    ]
    assert facts.card.metadata == {} and facts.card.first_heading == "Bomb"
    assert facts.config.model_type == "llama"


def test_recursive_alias_is_refused():
    loaded = safeload.load_yaml("a: &x [1, *x]\n", "f.yaml")
    assert loaded.value is None
    assert str(loaded.error) == "f.yaml: YAML refused: recursive alias *x"


def test_yaml_10k_deep_flow_nesting(facts_of):
    readme = "---\nx: " + "[" * 10_000 + "]" * 10_000 + "\n---\nbody\n"
    facts = facts_of({"README.md": readme, "config.json": CONFIG})
    [problem] = facts.problems
    assert problem.message.startswith("README.md")
    assert "front matter is not valid YAML" in problem.message
    assert "depth" in problem.message or "deeper" in problem.message
    assert facts.config.model_type == "llama"


def test_yaml_deep_block_nesting_hits_our_cap():
    text = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "leaf\n"
    loaded = safeload.load_yaml(text, ".modelcheck.yaml")
    assert str(loaded.error) == ".modelcheck.yaml: YAML refused: nesting deeper than 64 levels"


def test_alias_bomb_in_modelcheck_config(facts_of):
    bomb = BILLION_LAUGHS.split("---\n")[1]
    facts = facts_of({".modelcheck.yaml": bomb})
    assert facts.modelcheck_config == {}
    assert [p.evidence.file for p in facts.problems] == [".modelcheck.yaml"]


@pytest.mark.parametrize(
    "value",
    [
        "not a repo id",
        "org/../etc",
        "../secrets",
        "org/" + "n" * 97,
        "-org/name",
        "org/name/extra",
    ],
)
def test_invalid_base_model(facts_of, value):
    readme = f"---\nbase_model:\n- org/good\n- {json.dumps(value)}\n---\n"
    facts = facts_of({"README.md": readme})
    [problem] = facts.problems
    assert problem.message.startswith("README.md:2: base_model ")
    assert "is not a valid repo id" in problem.message
    assert problem.evidence.key == "card:base_model"
    assert facts.card.base_models == ["org/good"]


def test_base_model_wrong_type(facts_of):
    facts = facts_of({"README.md": "---\nbase_model: {org: x}\n---\n"})
    assert messages(facts) == ["README.md:2: `base_model` should be a string or a list of strings"]
    assert facts.card.base_models == []


def test_non_utf8_readme(facts_of):
    readme = b"---\nlicense: mit\n---\n# Caf\xe9\n"
    facts = facts_of({"README.md": readme, "config.json": CONFIG})
    [problem] = facts.problems
    assert problem.message == (
        "README.md:4: not valid UTF-8 (byte 26); read with replacement characters"
    )
    assert facts.card.license == "mit"
    assert facts.card.first_heading == "Caf\ufffd"


def test_50_mb_readme_is_read_with_a_cap(tmp_path):
    root = write_repo(tmp_path, {"config.json": CONFIG})
    with open(root / "README.md", "wb") as fh:
        # an odd-length prefix, so the 1 MiB cap falls inside a two-byte "é"
        fh.write(b"---\nlicense: mit\n---\n# Huge!\n" + "é".encode() * 600_000)
        fh.truncate(50 << 20)  # sparse: instant, 50 MB as far as anyone can tell
    facts = read_facts(LocalSource(root))
    assert facts.card.truncated
    assert facts.card.license == "mit"
    assert len(facts.card.body.encode()) < 1 << 20
    assert "README.md is larger than 1048576 bytes; only its start was read." in facts.notes
    assert facts.problems == []  # the cut did not split a UTF-8 sequence into a false error
    assert facts.config.model_type == "llama"


def test_config_not_json(facts_of):
    facts = facts_of({"config.json": "{model_type: llama", "README.md": "# t\n"})
    assert messages(facts) == [
        "config.json:1: not valid JSON: Expecting property name enclosed in double quotes"
    ]
    assert not facts.config.present and facts.card.first_heading == "t"


def test_config_json_bomb(facts_of):
    facts = facts_of({"config.json": "[" * 100_000 + "]" * 100_000, "README.md": "# t\n"})
    assert messages(facts) == ["config.json: JSON refused: nesting deeper than 64 levels"]
    assert facts.card.first_heading == "t"


def test_json_bomb_inside_strings_is_not_depth():
    loaded = safeload.load_json(json.dumps({"a": "[" * 1000}), "x.json")
    assert loaded.error is None and loaded.value == {"a": "[" * 1000}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            struct.pack("<Q", 1 << 40) + b"{}",
            "header length 1099511627776 exceeds the format's limit of 100000000 bytes",
        ),
        (
            struct.pack("<Q", 4096) + b"{}      ",
            "header length 4096 exceeds the file size (16 bytes)",
        ),
        (b"\x01\x02", "file is 2 bytes, shorter than the 8-byte length prefix"),
        (struct.pack("<Q", 8) + b"not json", "not valid JSON: Expecting value"),
        (struct.pack("<Q", 8) + b"[1,2,3] ", "not a JSON object"),
    ],
)
def test_safetensors_header_lies_about_length(facts_of, content, message):
    facts = facts_of({"model.safetensors": content, "config.json": CONFIG})
    assert messages(facts) == [f"model.safetensors: safetensors header: {message}"]
    assert facts.weights[0].format == "safetensors" and not facts.weights[0].header_ok
    assert facts.config.model_type == "llama"


def test_safetensors_offsets_past_end_of_file(facts_of):
    header = {"w": {"dtype": "F32", "shape": [1000], "data_offsets": [0, 4000]}}
    facts = facts_of({"model.safetensors": safetensors_bytes({}, header=header, data_len=16)})
    assert messages(facts) == [
        "model.safetensors: safetensors header: tensor 'w': data ends at 4000, "
        "past the data section (16 bytes)"
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (gguf_raw(kv_count=(1 << 63)), "absurd key/value count 9223372036854775808"),
        (
            gguf_raw(tensors=(1 << 62), kvs=[gguf_kv_string("general.name", "x")]),
            "absurd tensor count 4611686018427387904",
        ),
        (
            gguf_raw(kv_count=1) + struct.pack("<Q", 1 << 60),
            "key length 1152921504606846976 exceeds the format's limit of 65535",
        ),
        (
            gguf_raw(kv_count=1) + struct.pack("<Q", 1) + b"k" + struct.pack("<IQ", 8, 1 << 62),
            "string value needs 4611686018427387904 bytes at offset 45, past the end of the file",
        ),
        (
            gguf_raw(kv_count=1) + struct.pack("<Q", 1) + b"k" + struct.pack("<IIQ", 9, 8, 1 << 61),
            "array of 2305843009213693952 elements cannot fit in the rest of the file",
        ),
        (
            gguf_raw(kv_count=1) + struct.pack("<Q", 1) + b"k" + struct.pack("<IIQ", 9, 6, 1 << 61),
            "array of 2305843009213693952 elements needs 9223372036854775808 bytes at offset 49, "
            "past the end of the file",
        ),
        (
            gguf_raw(kv_count=1) + struct.pack("<Q", 1) + b"k" + struct.pack("<I", 99),
            "unknown value type 99",
        ),
    ],
)
def test_gguf_absurd_counts(facts_of, raw, message):
    facts = facts_of({"model.gguf": raw, "config.json": CONFIG})
    assert messages(facts) == [f"model.gguf: GGUF header: {message}"]
    assert facts.config.model_type == "llama"


def test_gguf_absurd_tensor_count_still_reads_kv(facts_of):
    raw = gguf_raw(tensors=(1 << 62), kvs=[gguf_kv_string("general.license", "mit")])
    facts = facts_of({"model.gguf": raw})
    assert facts.gguf[0].license == "mit"


def test_symlink_outside_repo_is_not_followed(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nlicense: stolen\n---\n")
    root = write_repo(tmp_path / "repo", {"config.json": CONFIG})
    os.symlink(secret, root / "README.md")
    os.symlink(secret, root / "model.safetensors")
    facts = read_facts(LocalSource(root))
    assert not facts.card.present and facts.card.metadata == {}
    assert sorted(messages(facts)) == [
        "README.md: symbolic link to a path outside the repository; not read",
        "model.safetensors: symbolic link to a path outside the repository; not read",
    ]
    assert facts.config.model_type == "llama"


def test_path_that_does_not_exist(tmp_path):
    with pytest.raises(PathNotFoundError, match="no such file or directory"):
        read_facts(LocalSource(tmp_path / "missing"))


def test_mergekit_block_that_does_not_parse(facts_of):
    readme = "# Merge\n\n```yaml\nmodels:\n  - model: [unclosed\n```\n"
    facts = facts_of({"README.md": readme})
    [problem] = facts.problems
    assert problem.message.startswith("README.md:6: ")
    assert problem.message.endswith("(mergekit YAML block)")
    assert facts.merges == []


def _all_notes(facts) -> str:
    return " ".join(facts.notes)


def test_many_licence_files_are_read_within_the_audit_budget(tmp_path):
    # 300 licence files of 600 KB one folder down (sparse: nothing on disk). Each is
    # under its own cap; together they are 180 MB, past the 64 MiB read budget.
    root = write_repo(tmp_path / "repo", {"README.md": "---\nlicense: mit\n---\n"})
    for i in range(300):
        (root / f"d{i:03}").mkdir()
        with (root / f"d{i:03}" / "LICENSE").open("wb") as fh:
            fh.truncate(600_000)
    facts = read_facts(LocalSource(root))
    read = sum(len(f.text) for f in facts.license_files)
    assert read <= (64 << 20) + 600_000  # the budget plus at most one file's cap
    assert len(facts.license_files) < 300
    notes = _all_notes(facts)
    assert "Read budget" in notes and "MODELCHECK_MAX_READ_BYTES" in notes
    assert "d299/LICENSE" in notes or "more" in notes


def test_many_licence_files_within_the_file_count_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELCHECK_MAX_READ_FILES", "50")
    root = write_repo(tmp_path / "repo", {"README.md": "---\nlicense: mit\n---\n"})
    for i in range(120):
        (root / f"d{i:03}").mkdir()
        (root / f"d{i:03}" / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    facts = read_facts(LocalSource(root))
    assert len(facts.license_files) <= 50
    assert "120" not in _all_notes(facts) and "files not read" in _all_notes(facts)


def test_many_shards_with_big_headers_stop_at_the_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELCHECK_MAX_READ_BYTES", str(4 << 20))
    header = json.dumps({"__metadata__": {"pad": "x" * (1 << 20)}}).encode()
    blob = struct.pack("<Q", len(header)) + header
    files: dict[str, str | bytes] = {"README.md": "---\nlicense: mit\n---\n"}
    files.update({f"model-{i:05}-of-00030.safetensors": blob for i in range(30)})
    facts = read_facts(LocalSource(write_repo(tmp_path / "repo", files)))
    unread = [p for p in facts.problems if "read budget" in p.message]
    assert 20 <= len(unread) < 30
    assert "Read budget" in _all_notes(facts)


def test_a_bad_budget_variable_is_a_config_error(tmp_path, monkeypatch):
    from compliance.errors import ConfigError

    monkeypatch.setenv("MODELCHECK_MAX_READ_BYTES", "lots")
    root = write_repo(tmp_path / "repo", {"README.md": "# x\n"})
    with pytest.raises(ConfigError, match="MODELCHECK_MAX_READ_BYTES"):
        LocalSource(root)
