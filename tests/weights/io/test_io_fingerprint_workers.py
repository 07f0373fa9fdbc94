"""Fingerprints encode sampled rows on worker threads and write them in plan order: the
stored bytes do not depend on how many workers ran (only "created" differs)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from compliance.weights import fingerprint
from compliance.weights.compare import open_view
from compliance.weights.fingerprint import META_KEY, FingerprintView, write_fingerprint
from compliance.weights.signals import SamplePlan


def _content(path: Path) -> tuple[dict, dict, bytes]:
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    meta = json.loads(header.pop("__metadata__")[META_KEY])
    del meta["created"]
    return header, meta, raw[8 + n :]


@pytest.mark.parametrize(
    ("plan", "digests"),
    [(SamplePlan(sketch_dim=64, neuron_layers=3), False), (SamplePlan(), True)],
)
def test_stored_bytes_do_not_depend_on_the_workers(models, tmp_path, monkeypatch, plan,
                                                   digests) -> None:
    got = []
    for cores in (1, 4):
        monkeypatch.setattr(fingerprint.os, "cpu_count", lambda c=cores: c)
        out = tmp_path / f"{cores}.safetensors"
        write_fingerprint(open_view(str(models["base"])), out, plan, digests=digests)
        got.append(_content(out))
    assert got[0] == got[1]
    header, meta, data = got[0]
    assert meta["samples"] and len(data) > 10_000
    assert (len(meta["digests"]) > 0) == digests
    sketched = plan.sketch_dim < 128  # the fixtures are 128 wide
    assert (len(meta["sketched"]) > 0) == sketched
    assert FingerprintView(tmp_path / "4.safetensors").holds_sketch("attn.q", 1) == sketched


def test_an_encoding_error_is_raised_not_lost(models, tmp_path, monkeypatch) -> None:
    def broken(*_args, **_kw):
        raise ValueError("cannot encode")

    monkeypatch.setattr(fingerprint, "_encoded", broken)
    out = tmp_path / "x.safetensors"
    with pytest.raises(ValueError, match="cannot encode"):
        write_fingerprint(open_view(str(models["base"])), out, SamplePlan())
    assert not out.exists()
    assert not list(tmp_path.glob(".fp-*"))  # no temporary file left behind
