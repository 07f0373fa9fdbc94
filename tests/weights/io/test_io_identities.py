"""The report's file digests, hashed on a background thread while the signals run, are
the digests of the files, and those reads do not count as bytes the signals read."""

from __future__ import annotations

import pytest

from compliance.weights import compare, digests
from compliance.weights.identities import BackgroundIdentities


def _whole(path) -> str:
    algo, h = digests.hasher()
    h.update(path.read_bytes())
    return f"{algo}:{h.hexdigest()}"


def test_background_digests_are_the_files_digests(models) -> None:
    a, b = compare.open_view(str(models["ft"])), compare.open_view(str(models["base"]))
    inline = compare.file_identities(compare.open_view(str(models["ft"])))
    got = BackgroundIdentities([a, b, a])  # a view listed twice is hashed once
    assert got.get(a) == inline
    for d, view in (("ft", a), ("base", b)):
        want = [
            {"path": p.name, "bytes": p.stat().st_size, "digest": _whole(p)}
            for p in sorted(models[d].glob("*.safetensors"))
        ]
        assert got.get(view) == want
    assert a.bytes_read < sum(f["bytes"] for f in inline)  # the headers, not the files


def test_a_comparison_reports_what_its_signals_read(models) -> None:
    (comp,) = compare.compare_many(
        compare.open_view(str(models["ft"])), [compare.open_view(str(models["base"]))]
    )
    for info, d in ((comp.suspect, "ft"), (comp.candidate, "base")):
        files = sorted(models[d].glob("*.safetensors"))
        assert info.files == [
            {"path": p.name, "bytes": p.stat().st_size, "digest": _whole(p)} for p in files
        ]
        assert 0 < info.bytes_read < sum(p.stat().st_size for p in files)


def test_a_hashing_error_reaches_the_caller(models, tmp_path) -> None:
    class Broken:
        files = None
        weight_files = ["x"]

        def __getattr__(self, name):
            raise OSError("disk gone")

    view = Broken()
    view.files = view  # size() raises on the background thread
    with pytest.raises(OSError, match="disk gone"):
        BackgroundIdentities([view]).get(view)
