"""What `bytes_read` counts: distinct bytes of the weight files, each once; hashing is
reported apart (`bytes_hashed`). A full local read is exactly 100 %, never more."""

from __future__ import annotations

import numpy as np

from compliance.weights.compare import compare_many, open_view
from compliance.weights.files import Coverage, LocalFiles
from compliance.weights.safetensors_view import SafetensorsView
from compliance.weights.signals import identical_tensors
from tests.support.memview import MemView


def test_coverage_counts_each_byte_once():
    c = Coverage()
    c.add("a", 10, 10)  # [10, 20)
    c.add("a", 15, 10)  # [15, 25): 5 new
    c.add("a", 0, 5)  # [0, 5)
    c.add("a", 5, 5)  # touches both neighbours: [0, 25)
    c.add("a", 2, 3)  # inside
    c.add("b", 0, 7)
    assert c.total(["a"]) == 25 and c.total() == 32
    c.add("a", 30, 5)
    c.add("a", 0, 100)
    assert c.total(["a"]) == 100


def test_full_local_comparison_reads_at_most_100_percent(models):
    # a model against itself: every non-trivial tensor's sampled blocks match, so every one
    # is hashed whole, on top of its planned rows: the same bytes, counted once
    a, b = open_view(str(models["base"])), open_view(str(models["base"]))
    (comp,) = compare_many(a, [b])
    for info in (comp.suspect, comp.candidate):
        assert info.total_bytes and info.bytes_read <= info.total_bytes
        assert info.bytes_read > 0.99 * info.total_bytes
        assert 0 < info.bytes_hashed <= info.total_bytes
    # rows sampled again after hashing add nothing
    before = a.bytes_read
    a.rows("mlp.down", 2, [0, 1, 2])
    assert a.bytes_read == before


def test_a_fine_tune_is_settled_by_its_sampled_blocks_without_hashing(models):
    a, b = open_view(str(models["ft"])), open_view(str(models["base"]))
    (comp,) = compare_many(a, [b])
    s1 = comp.signal("identical_tensors")
    assert s1.computable and s1.value == 0 and s1.details["whole_tensor_digests"] == 0
    assert comp.suspect.bytes_hashed == 0 and comp.candidate.bytes_hashed == 0
    assert comp.suspect.bytes_read < comp.suspect.total_bytes


def test_rows_then_digest_of_the_same_tensor_counts_the_tensor_once(models):
    view = SafetensorsView(LocalFiles(models["other"]))
    start = view.bytes_read
    assert start > 0  # the headers
    view.rows("mlp.up", 1, [0, 5])
    view.digest("mlp.up", 1)
    nbytes = int(np.prod(view.shape("mlp.up", 1))) * 4
    assert view.bytes_read - start == nbytes
    assert view.bytes_hashed == nbytes


def test_header_read_of_a_local_file_is_only_the_header(models):
    view = SafetensorsView(LocalFiles(models["other"]))
    assert view.bytes_read == sum(
        min(e.start for e in view.entries.values() if e.file == f) for f in view.weight_files
    )


def test_mixed_digest_algorithms_are_never_called_different_nor_byte_identical():
    rng = np.random.default_rng(0)
    t = {("attn.q", 0): rng.standard_normal((128, 256)).astype(np.float32)}
    a, b = MemView(t), MemView(t)
    b.digest = lambda role, layer: "sha256:" + "0" * 64  # type: ignore[method-assign]
    a.digest = lambda role, layer: "blake3:" + "1" * 64  # type: ignore[method-assign]
    from compliance.weights.signals import SamplePlan

    r = identical_tensors.compute(a, b, SamplePlan())
    # the sampled blocks are equal; the whole tensors cannot be checked
    assert r.computable and r.value == 1 and r.details["n_identical"] == 0
    assert "byte" not in r.statistic.split("(")[0] and "sampled" in r.statistic
    assert not r.details["all_identical"]
    assert any("different algorithms" in why for why in r.details["unchecked_because"])
