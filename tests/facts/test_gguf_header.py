from __future__ import annotations

import struct
from pathlib import Path

from compliance.facts.context import RepoContext
from compliance.facts.gguf_header import read_gguf
from compliance.sources.local import LocalSource

from .builders import gguf_file, gguf_kv_string, gguf_raw, messages


class RecordingSource(LocalSource):
    """Records every range read, to prove the reader stays in the header."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.ranges: list[tuple[str, int, int]] = []

    def read_range(self, path: str, start: int, length: int) -> bytes:
        self.ranges.append((path, start, length))
        return super().read_range(path, start, length)


def _read(root: Path, name: str):
    source = RecordingSource(root)
    ctx = RepoContext(source=source, files={f.path: f for f in source.list_files()})
    weight, facts = read_gguf(ctx, name, ctx.files[name].size)
    return weight, facts, ctx, source


def test_real_gguf_header(tmp_path):
    gguf_file(
        tmp_path / "model.gguf",
        {"general.source.repo_url": "https://huggingface.co/org/src"},
        base_models=[
            ("Llama 3.1 8B", "Meta Llama", "https://huggingface.co/meta-llama/Llama-3.1-8B")
        ],
    )
    weight, facts, ctx, _ = _read(tmp_path, "model.gguf")
    assert ctx.problems == [] and weight.header_ok
    assert facts.name == "Tiny Test Model"
    assert facts.license == "llama3.1"
    assert facts.architecture == "llama"
    assert facts.base_models == [
        {
            "name": "Llama 3.1 8B",
            "organization": "Meta Llama",
            "repo_url": "https://huggingface.co/meta-llama/Llama-3.1-8B",
        }
    ]
    assert weight.metadata["general.source.repo_url"] == "https://huggingface.co/org/src"
    assert "tokenizer.ggml.tokens" not in weight.metadata  # large arrays are skipped


def test_reader_never_reads_tensor_data(tmp_path):
    import gguf
    import numpy as np

    path = tmp_path / "big.gguf"
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("big")
    writer.add_tensor("w", np.zeros((512, 512), dtype=np.float32))  # 1 MiB of data
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    weight, facts, _, source = _read(tmp_path, "big.gguf")
    assert facts.name == "big" and weight.header_ok
    assert max(start + length for _, start, length in source.ranges) <= 64 << 10


def test_gguf_in_read_facts(facts_of, tmp_path):
    gguf_file(tmp_path / "q4.gguf")
    facts = facts_of({"q4.gguf": (tmp_path / "q4.gguf").read_bytes()})
    assert [w.format for w in facts.weights] == ["gguf"]
    assert facts.gguf[0].file == "q4.gguf" and facts.gguf[0].license == "llama3.1"


def test_big_endian_header(tmp_path):
    key, value = b"general.name", b"be"
    raw = b"GGUF" + struct.pack(">IQQ", 3, 0, 1)
    raw += struct.pack(">Q", len(key)) + key + struct.pack(">I", 8)
    raw += struct.pack(">Q", len(value)) + value
    (tmp_path / "be.gguf").write_bytes(raw)
    _, facts, ctx, _ = _read(tmp_path, "be.gguf")
    assert facts.name == "be" and ctx.problems == []


def test_truncated_and_bad_magic(facts_of):
    facts = facts_of(
        {
            "a.gguf": gguf_raw(kvs=[gguf_kv_string("general.name", "x")])[:-1],
            "b.gguf": b"GGML" + bytes(20),
            "c.gguf": gguf_raw(version=7),
        }
    )
    assert messages(facts) == [
        "a.gguf: GGUF header: string value needs 1 bytes at offset 56, past the end of the file",
        "b.gguf: GGUF header: not a GGUF file (bad magic)",
        "c.gguf: GGUF header: unsupported GGUF version 7",
    ]
    assert not any(w.header_ok for w in facts.weights)


class HubLikeSource(RecordingSource):
    """A local source that says it is a Hub source (where transfer is what counts)."""

    kind = "hub"


def test_hub_source_stops_at_the_tokenizer(tmp_path):
    import gguf

    path = tmp_path / "vocab.gguf"
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("with a vocab")
    writer.add_license("gemma")
    writer.add_array("tokenizer.ggml.tokens", [f"token-{i:06d}" for i in range(40_000)])
    writer.add_string("general.trailing", "after the vocab")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.close()

    local_weight, _, local_ctx, local_src = _read(tmp_path, "vocab.gguf")
    assert local_weight.metadata["general.trailing"] == "after the vocab"  # read it all
    assert local_ctx.notes == []

    source = HubLikeSource(tmp_path)
    ctx = RepoContext(source=source, files={f.path: f for f in source.list_files()})
    weight, facts = read_gguf(ctx, "vocab.gguf", ctx.files["vocab.gguf"].size)
    assert facts.name == "with a vocab" and facts.license == "gemma" and weight.header_ok
    assert "general.trailing" not in weight.metadata
    assert ctx.problems == []
    assert any("2 later keys not read" in n for n in ctx.notes), ctx.notes
    hub_bytes = sum(length for _, _, length in source.ranges)
    local_bytes = sum(length for _, _, length in local_src.ranges)
    assert hub_bytes < local_bytes
