from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from compliance.weights.files import LocalFiles
from compliance.weights.fingerprint import (
    META_KEY,
    SCHEMA,
    FingerprintError,
    FingerprintView,
    load_library,
    write_fingerprint,
)
from compliance.weights.safetensors_view import SafetensorsView
from compliance.weights.signals import SamplePlan
from compliance.weights.signals.base import role_kind
from compliance.weights.sketch import gram, project


@pytest.fixture(scope="module")
def fp(models, tmp_path_factory):
    out = tmp_path_factory.mktemp("fp") / "base.safetensors"
    view = SafetensorsView(LocalFiles(models["base"]))
    # sketch_dim 64 < hidden 128, so these fixtures' matrices are sketched
    info = write_fingerprint(view, out, SamplePlan(seed=3, sketch_dim=64), repo_id="org/base")
    return view, info, FingerprintView(out)


def test_round_trip_same_rows(fp):
    view, info, fpv = fp
    plan = fpv.plan
    assert plan.seed == 3
    assert (fpv.arch, fpv.n_layers, fpv.label) == ("llama", 6, "org/base")
    kinds = set()
    for req in plan.requests(view):
        role, layer, rows = req
        shape = view.shape(role, layer)
        whole = view.rows(role, layer, rows)
        if plan.sketched(role, shape):
            kinds.add("sketch")
            with pytest.raises(LookupError, match="sketch"):
                fpv.rows(role, layer, rows)
            got = fpv.sketch_rows(role, layer, rows, plan)
            np.testing.assert_allclose(got, project(whole, 3, 64), rtol=2e-3, atol=1e-6)
        elif role_kind(role) == "neuron":  # 8 bits with a per-row scale
            kinds.add("neuron")
            step = np.abs(whole).max(axis=1, keepdims=True) / 127
            err = np.abs(fpv.rows(role, layer, rows) - whole) / step
            assert err.max() <= 0.5001, (role, layer, err.max())
        else:
            np.testing.assert_array_equal(fpv.rows(role, layer, rows), whole)
        if len(shape) == 2:  # the Gram matrix of the unsketched rows, for invariant signals
            np.testing.assert_allclose(
                fpv.row_gram(role, layer, rows), gram(whole), rtol=1e-5, atol=1e-9
            )
            assert fpv.row_gram(role, layer, list(range(3))) is None  # other rows
        assert fpv.shape(role, layer) == view.shape(role, layer)
        assert fpv.digest(role, layer) == view.digest(role, layer)
    assert fpv.roles(2) == view.roles(2) and fpv.roles(None) == view.roles(None)
    assert kinds == {"sketch", "neuron"}


def test_a_sketch_is_only_served_to_a_plan_that_sketches_the_same_way(fp):
    view, _info, fpv = fp
    rows = fpv.plan.rows_for("attn.q", view.shape("attn.q", 1))
    with pytest.raises(LookupError, match="seed 3 and width 64"):
        fpv.sketch_rows("attn.q", 1, rows, SamplePlan(seed=3, sketch_dim=32))
    with pytest.raises(LookupError, match="seed 3 and width 64"):
        fpv.sketch_rows("attn.q", 1, rows, SamplePlan(seed=4, sketch_dim=64))


def test_fingerprint_is_small_and_bf16_rows_stay_bf16(fp):
    view, info, fpv = fp
    assert info.file_bytes < view.total_bytes
    header = fpv._header
    stored = {k: h["dtype"] for k, h in header.items() if "#" not in k}
    # whole rows stay BF16; sketches are F16; down projections 8-bit
    assert {d for k, d in stored.items() if k in fpv.meta["sketched"]} == {"F16"}
    assert {d for k, d in stored.items() if k.endswith("mlp.down")} == {"I8"}
    assert {d for k, d in stored.items()
            if k not in fpv.meta["sketched"] and not k.endswith("mlp.down")} == {"BF16"}
    assert fpv.meta["schema"] == SCHEMA and fpv.meta["config"]["hidden_size"] == 128
    assert fpv.tokenizer_digest and len(fpv.tokenizer_digest) == 64


def test_rows_outside_the_sample_raise_lookup_error(fp):
    view, _info, fpv = fp
    rows = fpv.plan.rows_for("mlp.up", view.shape("mlp.up", 0))
    missing = next(r for r in range(512) if r not in rows)
    with pytest.raises(LookupError, match="not in the sample"):
        fpv.sketch_rows("mlp.up", 0, [rows[0], missing], fpv.plan)
    with pytest.raises(LookupError):
        fpv.rows("mlp.up", 0, None)
    with pytest.raises(KeyError):
        fpv.rows("mlp.up", 77, [0])


def _rewrite_meta(src, dst, **changes):
    raw = src.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = json.loads(header["__metadata__"][META_KEY])
    meta.update(changes)
    header["__metadata__"][META_KEY] = json.dumps(meta)
    hb = json.dumps(header).encode()
    hb += b" " * (-len(hb) % 8)
    dst.write_bytes(struct.pack("<Q", len(hb)) + hb + raw[8 + n :])


def test_wrong_schema_is_rejected_with_one_line(fp, tmp_path):
    _view, info, _fpv = fp
    bad = tmp_path / "future.safetensors"
    _rewrite_meta(__import__("pathlib").Path(info.path), bad, schema=SCHEMA + 1)
    with pytest.raises(FingerprintError) as exc:
        FingerprintView(bad)
    msg = str(exc.value)
    assert "\n" not in msg and "future.safetensors" in msg and f"schema {SCHEMA + 1}" in msg


def test_a_plain_checkpoint_is_not_a_fingerprint(models):
    with pytest.raises(FingerprintError, match="not a modelcheck fingerprint"):
        FingerprintView(models["ft"] / "model.safetensors")


def test_library_loads_fingerprints_and_notes_bad_ones(fp, tmp_path):
    _view, info, _ = fp
    import shutil

    shutil.copy(info.path, tmp_path / "a.safetensors")
    _rewrite_meta(__import__("pathlib").Path(info.path), tmp_path / "b.safetensors", schema=99)
    (tmp_path / "c.safetensors").write_bytes(b"junk")
    views, notes = load_library([tmp_path, tmp_path / "missing"])
    assert [v.path.name for v in views] == ["a.safetensors"]
    assert any("b.safetensors" in n for n in notes) and any("missing" in n for n in notes)


def test_fingerprint_is_a_valid_safetensors_file(models, tmp_path):
    from safetensors.numpy import load_file

    view = SafetensorsView(LocalFiles(models["other"]))  # f32 rows stay f32
    out = tmp_path / "other.safetensors"
    write_fingerprint(view, out)
    loaded = load_file(str(out))  # the reference parser accepts it (padded header)
    fpv = FingerprintView(out)
    rows = fpv.plan.rows_for("mlp.up", view.shape("mlp.up", 2))
    np.testing.assert_array_equal(loaded["2/mlp.up"], view.rows("mlp.up", 2, rows))
    assert list(loaded["2/mlp.up#rows"]) == rows


def test_undecoded_copy_equals_the_decode_encode_path(models, tmp_path):
    """Local rows are copied undecoded (copy_file_range, or pread/pwrite where the kernel
    refuses); the fingerprint must hold exactly what decoding and re-encoding would."""

    class NoRawCopy(SafetensorsView):
        def raw_rows(self, role, layer, rows=None):
            return None

    def stored(path):
        fpv = FingerprintView(path)
        return {k: fpv.rows(*_role_layer(k), fpv.plan.rows_for(_role_layer(k)[0],
                fpv.shape(*_role_layer(k)))) for k in fpv.meta["shapes"]}

    def _role_layer(key):
        where, role = key.split("/", 1)
        return role, None if where == "model" else int(where)

    for name in ("base", "other"):  # bf16 in 2 shards, f32
        kernel = write_fingerprint(SafetensorsView(LocalFiles(models[name])), tmp_path / "a")
        files = LocalFiles(models[name])
        files._kernel_copy = False
        fallback = write_fingerprint(SafetensorsView(files), tmp_path / "b")
        decoded = write_fingerprint(NoRawCopy(LocalFiles(models[name])), tmp_path / "c")
        assert kernel.file_bytes == fallback.file_bytes == decoded.file_bytes
        a, b, c = stored(kernel.path), stored(fallback.path), stored(decoded.path)
        assert a.keys() == c.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], c[k])
            np.testing.assert_array_equal(b[k], c[k])


def test_schema_1_fingerprint_scattered_rows_gets_a_one_line_error(fp, tmp_path):
    _view, info, _fpv = fp
    old = tmp_path / "old.safetensors"
    _rewrite_meta(__import__("pathlib").Path(info.path), old, schema=1)
    with pytest.raises(FingerprintError) as exc:
        FingerprintView(old)
    msg = str(exc.value)
    assert SCHEMA == 3 and "\n" not in msg and "schema 1 is not supported" in msg
    assert "modelcheck fingerprint" in msg


def test_schema_2_fingerprint_whole_rows_gets_a_one_line_error(fp, tmp_path):
    _view, info, _fpv = fp
    old = tmp_path / "old2.safetensors"
    _rewrite_meta(__import__("pathlib").Path(info.path), old, schema=2)
    with pytest.raises(FingerprintError) as exc:
        FingerprintView(old)
    msg = str(exc.value)
    assert "\n" not in msg and "schema 2 is not supported" in msg and "regenerate" in msg


@pytest.mark.parametrize(
    "changes",
    [
        {"plan": {"block_rows": "16"}},
        {"n_layers": "six"},
        {"shapes": {"0/attn.q": 5}},
        {"shapes": {"attn.q": [5, 5]}},
        {"digests": {"0/attn.q": 7}},
    ],
    ids=["plan-field", "n-layers", "shape", "key", "digest"],
)
def test_malformed_metadata_is_a_one_line_error(fp, tmp_path, changes):
    # was an internal error (TypeError/ValueError traceback) at first use
    _view, info, _ = fp
    bad = tmp_path / "bad.safetensors"
    _rewrite_meta(__import__("pathlib").Path(info.path), bad, **changes)
    with pytest.raises(FingerprintError, match="malformed") as exc:
        FingerprintView(bad)
    assert "\n" not in str(exc.value) and "bad.safetensors" in str(exc.value)


def test_metadata_that_is_not_an_object_is_a_one_line_error(fp, tmp_path):
    _view, info, _ = fp
    raw = __import__("pathlib").Path(info.path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header["__metadata__"][META_KEY] = "[2]"
    hb = json.dumps(header).encode()
    hb += b" " * (-len(hb) % 8)
    bad = tmp_path / "list.safetensors"
    bad.write_bytes(struct.pack("<Q", len(hb)) + hb + raw[8 + n :])
    with pytest.raises(FingerprintError, match="malformed"):
        FingerprintView(bad)


def test_truncated_fingerprint_is_a_one_line_error(fp, tmp_path):
    # was "ValueError: cannot reshape array" when the first missing tensor was read
    _view, info, _ = fp
    raw = __import__("pathlib").Path(info.path).read_bytes()
    bad = tmp_path / "cut.safetensors"
    bad.write_bytes(raw[: len(raw) - 100])
    with pytest.raises(FingerprintError, match="truncated"):
        FingerprintView(bad)


def test_a_gram_of_the_wrong_size_is_not_served(fp, tmp_path):
    """A hostile file that files the embedding's 256 x 256 Gram under a 64-row matrix."""
    view, info, fpv = fp
    raw = __import__("pathlib").Path(info.path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header["1/attn.q#gram"] = header["model/embed#gram"]
    hb = json.dumps(header).encode()
    hb += b" " * (-len(hb) % 8)
    bad = tmp_path / "bad-gram.safetensors"
    bad.write_bytes(struct.pack("<Q", len(hb)) + hb + raw[8 + n :])
    rows = fpv.plan.rows_for("attn.q", view.shape("attn.q", 1))
    assert fpv.row_gram("attn.q", 1, rows) is not None
    assert FingerprintView(bad).row_gram("attn.q", 1, rows) is None


def test_identical_samples_are_found_through_sketched_and_8_bit_storage(models, tmp_path):
    """A fingerprint stores sketches and 8-bit rows, which cannot be hashed back into the
    sampled values; it records their digests before storing them, so the live model it was
    made from still matches sample for sample, and a fine-tune matches nothing."""
    from compliance.weights.signals import identical_tensors

    plan = SamplePlan(seed=3, sketch_dim=64)
    live = SafetensorsView(LocalFiles(models["base"]))
    # the CLI's default: sampled rows only, no whole-tensor digests
    write_fingerprint(live, tmp_path / "fp.safetensors", plan, digests=False)
    fview = FingerprintView(tmp_path / "fp.safetensors")
    same = identical_tensors.compute(live, fview, plan)
    assert same.computable and same.fires
    assert same.details["n_sampled_identical"] == same.details["compared"] > 0
    assert same.details["n_identical"] == 0  # no whole digests stored: never "byte-identical"
    ft = SafetensorsView(LocalFiles(models["ft"]))
    other = identical_tensors.compute(ft, fview, plan)
    assert not other.fires and other.details["n_sampled_identical"] == 0
