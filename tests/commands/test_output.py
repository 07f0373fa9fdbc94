"""`-o FILE` of every command: never replace a non-regular target, write through a unique
temp file, errors are exit 2 with the path."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.commands.output import OutputError, atomic_output, write_output

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "llama31-finetune-apache"


def _one_line(capsys: pytest.CaptureFixture[str], *needles: str) -> None:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in lines[0], err


def test_write_output_replaces_a_regular_file(tmp_path):
    target = tmp_path / "r.md"
    target.write_text("old")
    write_output(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]  # no temp file left


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_target_is_refused_and_kept(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        write_output(fifo, "x")
    assert fifo.is_fifo()


def test_dev_null_is_refused_not_replaced(capsys):
    # as root the old code replaced the device node with a regular file
    before = os.stat(os.devnull)
    assert main(["audit", str(EXAMPLE), "-o", os.devnull]) == 2
    _one_line(capsys, os.devnull, "cannot write the report: it is not a regular file")
    after = os.stat(os.devnull)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


def test_a_directory_target_is_exit_2(tmp_path, capsys):
    assert main(["audit", str(EXAMPLE), "-o", str(tmp_path)]) == 2
    _one_line(capsys, str(tmp_path), "it is a directory")


def test_a_missing_parent_directory_is_exit_2(tmp_path, capsys):
    target = tmp_path / "no" / "such" / "r.md"
    assert main(["audit", str(EXAMPLE), "-o", str(target)]) == 2
    _one_line(capsys, "cannot write the report: no directory")
    assert not (tmp_path / "no").exists()


def test_an_error_while_writing_leaves_no_file(tmp_path):
    target = tmp_path / "r.md"
    with pytest.raises(RuntimeError), atomic_output(target) as (fd, _tmp):
        os.write(fd, b"half")
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


def test_concurrent_writers_never_share_a_temp_file(tmp_path):
    # every writer of a large fingerprint used `<out>.part`; concurrent runs broke each other
    target = tmp_path / "out.bin"
    payloads = [bytes([i]) * (1 << 20) for i in range(8)]
    errors: list[BaseException] = []

    def write(p: bytes) -> None:
        try:
            write_output(target, p)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert target.read_bytes() in payloads  # one whole payload, never a mix
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_fingerprint_to_dev_null_is_refused(tmp_path, capsys):
    model = tmp_path / "m"
    shutil.copytree(EXAMPLE, model)
    assert main(["fingerprint", str(model), "-o", os.devnull]) == 2
    _one_line(capsys, os.devnull, "cannot write the fingerprint")
