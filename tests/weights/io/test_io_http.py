from __future__ import annotations

import numpy as np
import pytest

from compliance.weights.files import HttpFiles, LocalFiles
from compliance.weights.safetensors_view import SafetensorsView
from tests.weights.io.httpserve import serve


@pytest.mark.parametrize("honour_range", [True, False])
def test_remote_rows_equal_local_rows(models, honour_range):
    local = SafetensorsView(LocalFiles(models["base"]))
    with serve(models["base"].parent, honour_range) as (url, _log):
        view = SafetensorsView(HttpFiles(url + "base/"), digest_max_bytes=0)
        assert view.arch == "llama" and view.n_layers == 6 and len(view.weight_files) == 2
        for role, layer, rows in [("attn.q", 0, [1, 2, 3]), ("mlp.down", 5, [0, 127]),
                                  ("embed", None, [511]), ("norm.mlp", 3, None)]:
            np.testing.assert_array_equal(view.rows(role, layer, rows),
                                          local.rows(role, layer, rows))
        assert view.digest("attn.q", 0) is None  # hashing remotely means downloading


def test_range_honoured_reads_only_the_rows(models):
    with serve(models["base"].parent, True) as (url, log):
        view = SafetensorsView(HttpFiles(url + "base/"), digest_max_bytes=0)
        before = view.bytes_read
        view.rows("mlp.up", 2, [5, 6, 7, 40])
        assert view.bytes_read - before == 4 * 128 * 2  # bf16 rows of 128, nothing more
        assert view.bytes_read < view.total_bytes / 10


def test_range_ignored_stops_once_the_span_has_arrived(models):
    shard = sorted(models["base"].glob("*.safetensors"))[0]
    size = shard.stat().st_size
    with serve(models["base"].parent, False) as (url, log):
        files = HttpFiles(url + "base/")
        view = SafetensorsView(files, digest_max_bytes=0)
        # a tensor in the first half of the first shard
        entry = sorted((e for e in view.entries.values() if e.file == shard.name),
                       key=lambda e: e.start)[len(view.file_tensors[shard.name]) // 4]
        assert entry.start + 256 + (16 << 10) < size // 2
        before = files.bytes_transferred
        raw = files.read(entry.file, entry.start, 256)
        pulled = files.bytes_transferred - before
        assert raw == shard.read_bytes()[entry.start : entry.start + 256]
        # everything up to the end of the span (plus at most one 16 KiB chunk), never the file
        assert entry.start + 256 <= pulled <= entry.start + 256 + (16 << 10)
        assert pulled < size // 2
        assert any(rng is not None for _p, rng, _n in log)  # Range was asked for


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A smaller pair than `models`, so a remote run makes few requests."""
    from tests.support import synth

    root = tmp_path_factory.mktemp("tiny")
    b = synth.base(5, hidden=64, n_layers=4, ffn=256, vocab=128)
    synth.write_model(b, root / "base", dtype="BF16")
    synth.write_model(synth.fine_tune(b, 0.1), root / "ft", dtype="BF16")
    return root


@pytest.mark.parametrize("honour_range", [True, False])
def test_lineage_with_a_remote_suspect(tiny, tmp_path, honour_range):
    import json

    from compliance.cli import main

    out = tmp_path / "r.json"
    with serve(tiny, honour_range) as (url, _log):
        rc = main(["lineage", url + "ft/", "--against", str(tiny / "base"), "--format", "json",
                   "-o", str(out)])
    assert rc == 1  # consistent with derivation
    (c,) = json.loads(out.read_text())["comparisons"]
    assert c["suspect"]["kind"] == "http"
    assert c["verdict"]["kind"] == "consistent-with-derivation"
    if honour_range:  # only the sampled rows (and headers, config, tokenizer) were read
        assert c["suspect"]["bytes_read"] < c["suspect"]["total_bytes"]
    else:  # index (absent), config, header, tokenizer, and ONE pass for every sampled row
        assert c["suspect"]["requests"] == 5
    assert c["candidate"]["requests"] is None  # a local directory: no HTTP
