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


def _kv_array(key: str, etype: int, count: int, body: bytes) -> bytes:
    k = key.encode()
    return struct.pack("<Q", len(k)) + k + struct.pack("<IIQ", 9, etype, count) + body


def _nested(levels: int, width: int) -> tuple[int, bytes]:
    """(element type, body) of `levels` nested arrays of `width` uint32s at the bottom."""
    if levels == 1:
        return 4, struct.pack(f"<{width}I", *range(width))
    etype, inner = _nested(levels - 1, width)
    one = struct.pack("<IQ", etype, width) + inner
    return 9, one * width


def _leaves(value) -> int:
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return 0 if value is None else 1


def test_kept_values_are_counted_across_nesting(tmp_path):
    # 64 arrays of 64 arrays of 64 values each passed the per-array limit of 64 and were
    # all kept: nested arrays multiplied into gigabytes for a 60 MB file
    import compliance.facts.gguf_header as g

    etype, body = _nested(3, 64)
    (tmp_path / "m.gguf").write_bytes(gguf_raw(kvs=[_kv_array("x.nested", etype, 64, body)]))
    weight, _facts, ctx, _ = _read(tmp_path, "m.gguf")
    assert not messages(ctx)
    assert 0 < _leaves(weight.metadata.get("x.nested")) <= g.KEEP_ELEMENTS


def _strings_file(path: Path, count: int) -> None:
    empty = struct.pack("<Q", 0)
    kvs = [gguf_kv_string("general.name", path.stem),
           _kv_array("tokenizer.ggml.tokens", 8, count, empty * count)]
    path.write_bytes(gguf_raw(kvs=kvs))


def test_audit_budget_is_shared_across_gguf_files(tmp_path):
    # 16 files of 7M empty strings took > 120 s: each file had its own budget
    from compliance.facts.gguf_header import GGUFBudget

    for i in range(3):
        _strings_file(tmp_path / f"q{i}.gguf", 600)
    source = LocalSource(tmp_path)
    ctx = RepoContext(source=source, files={f.path: f for f in source.list_files()})
    budget = GGUFBudget(elements_left=1000)
    results = [read_gguf(ctx, f"q{i}.gguf", ctx.files[f"q{i}.gguf"].size, budget)
               for i in range(3)]
    assert [w.header_ok for w, _ in results] == [True, False, False]
    assert [f.name for _, f in results] == ["q0", "q1", None]  # general.* read first
    assert len(ctx.notes) == 2 and all("budget" in n for n in ctx.notes)
    assert not ctx.problems  # a budget is not the file's fault


def test_audit_time_budget(tmp_path):
    from compliance.facts.gguf_header import GGUFBudget

    _strings_file(tmp_path / "q.gguf", 10)
    source = LocalSource(tmp_path)
    ctx = RepoContext(source=source, files={f.path: f for f in source.list_files()})
    weight, _ = read_gguf(ctx, "q.gguf", ctx.files["q.gguf"].size, GGUFBudget(seconds=-1.0))
    assert not weight.header_ok
    assert "budget" in ctx.notes[0]


def test_read_facts_shares_one_budget(tmp_path, monkeypatch):
    import compliance.facts.gguf_header as g
    from compliance.facts.read import read_facts

    monkeypatch.setattr(g, "AUDIT_ELEMENTS", 1000)
    for i in range(3):
        _strings_file(tmp_path / f"q{i}.gguf", 600)
    facts = read_facts(LocalSource(tmp_path))
    assert sum("budget" in n for n in facts.notes) == 2
