from __future__ import annotations

import numpy as np
import pytest
from safetensors.numpy import load_file

from compliance.weights.files import LocalFiles
from compliance.weights.safetensors_view import (
    SafetensorsView,
    WeightsFormatError,
    _runs,
)


class CountingFiles(LocalFiles):
    """LocalFiles that records every data read (path, start, length); the local pread
    fast path is switched off so reads go through `read` as they do remotely."""

    read_spans = None

    def __init__(self, root):
        super().__init__(root)
        self.calls: list[tuple[str, int, int]] = []

    def read(self, path, start, length):
        self.calls.append((path, start, length))
        return super().read(path, start, length)


def _reference(model_dir):
    out = {}
    for f in sorted(model_dir.glob("*.safetensors")):
        out.update(load_file(str(f)))
    return out


def test_sharded_index_and_rows_match_reference(models):
    view = SafetensorsView(LocalFiles(models["ft"]))
    base = SafetensorsView(LocalFiles(models["base"]))
    assert len(base.weight_files) == 2 and base.arch == "llama" and base.n_layers == 6
    ref = _reference(models["other"])
    other = SafetensorsView(LocalFiles(models["other"]))
    want = ref["model.layers.4.mlp.down_proj.weight"]
    np.testing.assert_array_equal(other.rows("mlp.down", 4, [9, 0, 9, 100]), want[[9, 0, 9, 100]])
    np.testing.assert_array_equal(other.rows("norm.attn", 2), ref[
        "model.layers.2.input_layernorm.weight"][None, :])
    assert view.shape("mlp.up", 0) == (512, 128)
    with pytest.raises(KeyError):
        view.rows("attn.q", 99)


def test_row_reads_are_coalesced_and_counted(models):
    files = CountingFiles(models["other"])
    view = SafetensorsView(files)
    after_headers = view.bytes_read
    files.calls.clear()
    got = view.rows("mlp.up", 1, [8, 3, 4, 5, 20, 21])
    assert got.shape == (6, 128)
    row_bytes = 128 * 4
    # rows 3-5, 8 and 20-21: three contiguous spans, one read each
    assert [c[2] for c in files.calls] == [3 * row_bytes, row_bytes, 2 * row_bytes]
    assert view.bytes_read - after_headers == 6 * row_bytes
    ref = _reference(models["other"])["model.layers.1.mlp.up_proj.weight"]
    np.testing.assert_array_equal(got, ref[[8, 3, 4, 5, 20, 21]])


def test_gap_coalescing_reads_a_few_extra_rows_in_one_span(models):
    files = CountingFiles(models["other"])
    view = SafetensorsView(files, max_gap_bytes=2 * 128 * 4)
    files.calls.clear()
    got = view.rows("mlp.up", 1, [0, 3, 10])
    assert [c[2] for c in files.calls] == [4 * 512, 512]  # 0..3 together (gap of 2 rows), 10 alone
    ref = _reference(models["other"])["model.layers.1.mlp.up_proj.weight"]
    np.testing.assert_array_equal(got, ref[[0, 3, 10]])


def test_runs_helper():
    assert _runs(np.array([1, 2, 3, 7]), 0) == [(1, 3, 0), (7, 1, 3)]
    assert _runs(np.array([1, 3]), 1) == [(1, 3, 0)]
    assert _runs(np.array([], dtype=np.int64), 0) == []


def test_digest_names_its_algorithm_and_hashes_the_raw_bytes(models):
    from compliance.weights import digests

    view = SafetensorsView(LocalFiles(models["other"]))
    arr = _reference(models["other"])["model.layers.0.attn.q_proj.weight".replace(
        "attn.q_proj", "self_attn.q_proj")]
    algo, h = digests.hasher()
    h.update(arr.astype("<f4").tobytes())
    assert view.digest("attn.q", 0) == f"{algo}:{h.hexdigest()}"
    assert digests.algorithm_of(view.digest("attn.q", 0)) == digests.algorithm()
    remote_like = SafetensorsView(LocalFiles(models["other"]), digest_max_bytes=0)
    assert remote_like.digest("attn.q", 0) is None


def test_bad_header_is_a_one_line_error(tmp_path):
    bad = b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}xxxxxx"
    (tmp_path / "model.safetensors").write_bytes(bad)
    with pytest.raises(WeightsFormatError) as exc:
        SafetensorsView(LocalFiles(tmp_path))
    assert "model.safetensors" in str(exc.value) and "\n" not in str(exc.value)


def test_fetch_many_equals_rows(models):
    view = SafetensorsView(LocalFiles(models["base"]))
    reqs = [("attn.q", 0, [1, 2]), ("mlp.down", 5, [7]), ("norm.final", None, None)]
    for (role, layer, rows), got in zip(reqs, view.fetch_many(reqs), strict=True):
        np.testing.assert_array_equal(got, view.rows(role, layer, rows))


def test_mmap_gather_path_counts_only_the_rows(models):
    files = LocalFiles(models["other"])
    view = SafetensorsView(files)
    before = view.bytes_read
    got = view.rows("mlp.down", 3, [5, 1, 5, 100])
    assert view.bytes_read - before == 3 * 512 * 4  # unique rows of 512 f32
    ref = _reference(models["other"])["model.layers.3.mlp.down_proj.weight"]
    np.testing.assert_array_equal(got, ref[[5, 1, 5, 100]])
