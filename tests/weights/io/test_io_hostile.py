"""Weight commands on broken and hostile inputs: one line on stderr, exit 2, no traceback,
no hang, nothing written but the output file."""

from __future__ import annotations

import json
import os
import shutil
import struct
import threading
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.weights.fingerprint import META_KEY


def _one_error(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in lines[0], err
    return lines[0]


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _header_file(path: Path, header_json: bytes, data: bytes = b"") -> None:
    path.write_bytes(struct.pack("<Q", len(header_json)) + header_json + data)


def test_lineage_and_fingerprint_accept_a_hugging_face_cache_snapshot(models, tmp_path):
    # snapshots/<commit>/ holds symlinks into ../../blobs; audit accepted it, lineage
    # and fingerprint refused it as "leaves the model directory"
    repo = tmp_path / "hub" / "models--org--base"
    blobs, snap = repo / "blobs", repo / "snapshots" / ("a" * 40)
    blobs.mkdir(parents=True)
    snap.mkdir(parents=True)
    for i, f in enumerate(sorted(models["base"].iterdir())):
        blob = blobs / f"{i:040x}"
        shutil.copyfile(f, blob)
        (snap / f.name).symlink_to(os.path.relpath(blob, snap))
    fp = tmp_path / "fp.safetensors"
    assert main(["fingerprint", str(snap), "-o", str(fp)]) == 0
    out = tmp_path / "r.json"
    assert main(["lineage", str(models["ft"]), "--against", str(snap),
                 "--format", "json", "-o", str(out)]) == 1
    doc = json.loads(out.read_text())
    assert doc["comparisons"][0]["verdict"]["kind"] == "consistent-with-derivation"


def test_a_symlink_out_of_a_plain_directory_is_still_refused(models, tmp_path, capsys):
    repo = _copy(models["ft"], tmp_path / "m")
    outside = tmp_path / "outside.safetensors"
    (repo / "model.safetensors").rename(outside)
    (repo / "model.safetensors").symlink_to(outside)
    assert main(["lineage", str(repo), "--against", str(models["base"])]) == 2
    _one_error(capsys, "no safetensors weights")  # the link is not listed, never read


def test_empty_safetensors_file_is_exit_2(models, tmp_path, capsys):
    # an interrupted download: exit 3 "cannot mmap an empty file"
    repo = _copy(models["ft"], tmp_path / "m")
    (repo / "model.safetensors").write_bytes(b"")
    assert main(["lineage", str(repo), "--against", str(models["base"])]) == 2
    _one_error(capsys, "model.safetensors", "empty")
    assert main(["fingerprint", str(repo), "-o", str(tmp_path / "fp")]) == 2
    _one_error(capsys, "model.safetensors")
    assert not (tmp_path / "fp").exists()


def _index_naming(repo: Path, target: str) -> None:
    (repo / "model.safetensors.index.json").write_text(
        json.dumps({"weight_map": {"model.embed_tokens.weight": target}})
    )


def test_index_naming_a_directory_is_exit_2(models, tmp_path, capsys):
    repo = _copy(models["ft"], tmp_path / "m")
    (repo / "shard").mkdir()
    _index_naming(repo, "shard")
    assert main(["lineage", str(repo), "--against", str(models["base"])]) == 2
    _one_error(capsys, "shard", "not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_index_naming_a_fifo_does_not_hang(models, tmp_path, capsys):
    repo = _copy(models["ft"], tmp_path / "m")
    os.mkfifo(repo / "pipe.safetensors")
    _index_naming(repo, "pipe.safetensors")
    result: list[int] = []
    t = threading.Thread(
        target=lambda: result.append(
            main(["lineage", str(repo), "--against", str(models["base"])])
        ),
        daemon=True,
    )
    t.start()
    t.join(60)
    if t.is_alive():  # free the thread: a writer unblocks a reader stuck in open()
        fd = os.open(repo / "pipe.safetensors", os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        pytest.fail("lineage hung on a FIFO named by the index")
    assert result == [2]
    _one_error(capsys, "pipe.safetensors")


def test_deeply_nested_header_is_exit_2_not_recursion_error(models, tmp_path, capsys):
    repo = _copy(models["ft"], tmp_path / "m")
    deep = b"[" * 100_000 + b"]" * 100_000
    _header_file(repo / "model.safetensors", b'{"a":' + deep + b"}")
    assert main(["lineage", str(repo), "--against", str(models["base"])]) == 2
    _one_error(capsys, "model.safetensors", "nesting")


def test_deeply_nested_config_is_exit_2_not_recursion_error(models, tmp_path, capsys):
    repo = _copy(models["ft"], tmp_path / "m")
    (repo / "config.json").write_text('{"a":' + "[" * 50_000 + "]" * 50_000 + "}")
    assert main(["lineage", str(repo), "--against", str(models["base"])]) == 2
    _one_error(capsys, "config.json", "nesting")


def test_audit_weights_with_a_deep_config_is_not_exit_3(models, tmp_path, capsys):
    repo = _copy(models["ft"], tmp_path / "m")
    (repo / "config.json").write_text('{"a":' + "[" * 50_000 + "]" * 50_000 + "}")
    (repo / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: org/base\n---\n# m\n")
    rc = main(["audit", str(repo), "--weights", "--format", "json"])
    assert rc in (0, 1), capsys.readouterr().err
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads unreadable files")
def test_unreadable_weight_file_is_exit_2_with_its_path(models, tmp_path, capsys):
    repo = _copy(models["ft"], tmp_path / "m")
    (repo / "model.safetensors").chmod(0)
    try:
        assert main(["lineage", str(repo), "--against", str(models["base"])]) == 2
    finally:
        (repo / "model.safetensors").chmod(0o644)
    _one_error(capsys, "model.safetensors")


def _fingerprint(models, tmp_path: Path) -> Path:
    fp = tmp_path / "base.safetensors"
    assert main(["fingerprint", str(models["base"]), "-o", str(fp)]) == 0
    return fp


def _rewrite_meta(fp: Path, change) -> None:
    raw = fp.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = json.loads(header["__metadata__"][META_KEY])
    change(meta)
    header["__metadata__"][META_KEY] = json.dumps(meta)
    body = json.dumps(header).encode()
    body += b" " * (n - len(body)) if len(body) <= n else b""
    assert len(body) == n, "test keeps the header length"
    fp.write_bytes(raw[:8] + body + raw[8 + n :])


@pytest.mark.parametrize(
    ("field", "value"),
    [("n_layers", 10**12), ("plan.rows_per_matrix", 10**12), ("plan.block_rows", 0)],
)
def test_fingerprint_metadata_out_of_range_is_exit_2(models, tmp_path, capsys, field, value):
    # n_layers 10**12 ended in MemoryError
    fp = _fingerprint(models, tmp_path)
    capsys.readouterr()

    def change(meta):
        if field.startswith("plan."):
            meta["plan"][field[5:]] = value
        else:
            meta[field] = value

    _rewrite_meta(fp, change)
    assert main(["lineage", str(models["ft"]), "--against", str(fp)]) == 2
    _one_error(capsys, str(fp), "outside")


def test_one_bad_file_in_a_fingerprint_library_is_skipped_with_a_note(models, tmp_path, capsys):
    lib = tmp_path / "lib"
    lib.mkdir()
    good = _fingerprint(models, lib)
    bad = lib / "bad.safetensors"
    shutil.copyfile(good, bad)
    _rewrite_meta(bad, lambda m: m.update(n_layers=10**12))
    capsys.readouterr()
    repo = _copy(models["ft"], tmp_path / "m")
    (repo / "README.md").write_text("---\nlicense: apache-2.0\nbase_model: org/base\n---\n# m\n")
    rc = main(["audit", str(repo), "--weights", "--fingerprints", str(lib), "--format", "json"])
    captured = capsys.readouterr()
    assert rc in (0, 1), captured.err
    weights = json.loads(captured.out)["weights"]
    assert any("bad.safetensors" in n and "skipped" in n for n in weights["notes"])
    assert weights["comparisons"], "the good fingerprint was still used"


@pytest.mark.parametrize("shape", [[2**62] * 17, [2**62] * 200_000])
def test_overflowing_shape_is_exit_2(models, tmp_path, capsys, shape):
    repo = _copy(models["ft"], tmp_path / "m")
    header = {"t": {"dtype": "F32", "shape": shape, "data_offsets": [0, 4]}}
    _header_file(repo / "model.safetensors", json.dumps(header).encode(), b"\0" * 4)
    assert main(["lineage", str(repo), "--against", str(models["base"])]) == 2
    _one_error(capsys, str(repo / "model.safetensors"))


def test_an_io_error_while_reading_weights_is_exit_2_with_the_path(
    models, tmp_path, capsys, monkeypatch
):
    # an unreadable weight file gave exit 3; root can read chmod-000 files, so the
    # read error is injected where the bytes are read
    import errno

    from compliance.weights import files

    def failing_pread(fd, n, offset):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(files.os, "pread", failing_pread)
    assert main(["lineage", str(models["ft"]), "--against", str(models["base"])]) == 2
    _one_error(capsys, str(models["ft"]), "could not be read (Input/output error)")


def test_a_path_too_long_for_the_file_system_is_exit_2_and_not_echoed_whole(models, capsys):
    long = "/tmp/" + "x" * 5000
    assert main(["lineage", long, "--against", str(models["base"])]) == 2
    line = _one_error(capsys, "xxxx")
    assert len(line) < 400
