"""HubSource against a real Hub-compatible server (olah) through huggingface_hub."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import pytest
from hubrepos import gguf_bytes, make_repo, safetensors_bytes
from hubserver import settings_for

from compliance.errors import ConfigError, OfflineError, RepoNotFoundError, SourceError
from compliance.facts.wanted import read_by_facts
from compliance.sources.base import Source
from compliance.sources.hub import HubSource, is_small_file

pytestmark = pytest.mark.hub

_n = itertools.count()

CARD = "---\nlicense: apache-2.0\nbase_model: src-org/parent\n---\n# A model\n"
LICENSE = "Apache License\nVersion 2.0, January 2004\n"


def _repo_id(prefix: str = "src") -> str:
    return f"{prefix}-org/model-{next(_n)}"


@pytest.fixture
def weights_repo(olah) -> tuple[str, str, bytes, bytes]:
    """A repo with a card, a licence, a config, a safetensors file and a 2 MB GGUF."""
    rid = _repo_id()
    st = safetensors_bytes(
        {"model.embed.weight": ("F32", (64, 16)), "lm_head.weight": ("F32", (64, 16))},
        {"format": "pt"},
    )
    gg = gguf_bytes(
        {"general.architecture": "llama", "general.license": "apache-2.0"},
        tensor_data=2 << 20,
    )
    commit = make_repo(
        olah.mirrors,
        rid,
        {"README.md": CARD, "LICENSE": LICENSE, "config.json": json.dumps({"model_type": "x"})},
        lfs={"model.safetensors": st, "model-Q4.gguf": gg},
    )
    return rid, commit, st, gg


def test_open_pins_revision_lists_files_and_caches_small_files(
    olah, tmp_path: Path, weights_repo
) -> None:
    rid, commit, st, gg = weights_repo
    src = HubSource.open(
        rid, settings=settings_for(olah.url, tmp_path / "hf"), wanted=read_by_facts
    )
    assert isinstance(src, Source)
    assert (src.kind, src.repo_id, src.revision, src.commit) == ("hub", rid, "main", commit)
    files = {f.path: f for f in src.list_files()}
    assert set(files) == {
        "README.md",
        "LICENSE",
        "config.json",
        "model.safetensors",
        "model-Q4.gguf",
    }
    assert files["model.safetensors"].size == len(st)
    assert files["model.safetensors"].lfs_sha256 == hashlib.sha256(st).hexdigest()
    assert files["model-Q4.gguf"].size == len(gg)
    assert files["README.md"].lfs_sha256 is None
    # the small files are in the normal HF cache layout, pinned to the commit
    snap = tmp_path / "hf" / f"models--{rid.replace('/', '--')}" / "snapshots" / commit
    assert sorted(p.name for p in snap.iterdir()) == ["LICENSE", "README.md", "config.json"]
    assert src.read_bytes("README.md", 1000) == CARD.encode()
    assert src.read_bytes("LICENSE", 7) == b"Apache "
    assert src.read_bytes("missing.txt", 10) is None


def test_weight_headers_by_bounded_range_reads(olah, tmp_path: Path, weights_repo) -> None:
    rid, _, st, gg = weights_repo
    src = HubSource.open(
        rid, settings=settings_for(olah.url, tmp_path / "hf"), wanted=read_by_facts
    )
    n = int.from_bytes(src.read_range("model.safetensors", 0, 8), "little")
    header = json.loads(src.read_range("model.safetensors", 8, n))
    assert header["lm_head.weight"]["shape"] == [64, 16]
    assert header["__metadata__"] == {"format": "pt"}
    assert src.read_range("model-Q4.gguf", 0, 4) == b"GGUF"
    assert src.read_range("model-Q4.gguf", 100, 50) == gg[100:150]
    # one request per file: the first touch reads a prefix that serves the
    # safetensors length *and* header, and the GGUF key/values
    assert src.counter.requests == 2
    assert src.counter.bytes < 100_000
    # olah ignores Range and streams whole files: the reader stops once it has
    # the bytes it needs, so a far range costs its offset, never the whole file
    far = 1 << 20
    assert src.read_range("model-Q4.gguf", far, 16) == gg[far : far + 16]
    assert src.counter.requests == 3
    assert src.counter.bytes < 100_000 + far + 64 * 1024 < len(gg)
    # nothing but the small files went to the cache: weights were never downloaded
    cached = [p.name for p in (tmp_path / "hf").rglob("*") if p.is_file()]
    assert "model.safetensors" not in cached and "model-Q4.gguf" not in cached


def test_read_range_past_end_is_short(olah, tmp_path: Path, weights_repo) -> None:
    rid, _, st, _ = weights_repo
    src = HubSource.open(
        rid, settings=settings_for(olah.url, tmp_path / "hf"), wanted=read_by_facts
    )
    assert src.read_range("model.safetensors", len(st) - 4, 100) == st[-4:]
    assert src.read_range("model.safetensors", len(st) + 10, 5) == b""
    with pytest.raises(SourceError, match="no such file"):
        src.read_range("nope.bin", 0, 1)


def test_many_ranges_of_a_weight_file_in_one_pass(olah, tmp_path: Path, weights_repo) -> None:
    rid, _, _, gg = weights_repo
    src = HubSource.open(
        rid, settings=settings_for(olah.url, tmp_path / "hf"), wanted=read_by_facts
    )
    before = src.counter.requests
    spans = [(i * 200_000, 32) for i in range(1, 10)] + [(len(gg) - 8, 100)]
    got = src.read_ranges("model-Q4.gguf", spans)
    assert got == [gg[s : s + n] for s, n in spans]
    assert got[-1] == gg[-8:]  # clipped at the end of the file
    assert src.counter.requests - before == 1  # olah ignores Range: one streamed pass


def test_explicit_revision_and_commit(olah, tmp_path: Path) -> None:
    rid = _repo_id()
    first = make_repo(olah.mirrors, rid, {"README.md": "---\nlicense: mit\n---\n"})
    second = make_repo(olah.mirrors, rid, {"README.md": "---\nlicense: apache-2.0\n---\n"})
    s = settings_for(olah.url, tmp_path / "hf")
    assert HubSource.open(rid, settings=s, wanted=read_by_facts).commit == second
    old = HubSource.open(rid, first, settings=s, wanted=read_by_facts)
    assert (old.revision, old.commit) == (first, first)
    assert b"mit" in (old.read_bytes("README.md", 100) or b"")


def test_missing_repo_and_revision(olah, tmp_path: Path) -> None:
    s = settings_for(olah.url, tmp_path / "hf")
    with pytest.raises(RepoNotFoundError, match=r"^nobody-org/none@main: repository not found"):
        HubSource.open("nobody-org/none", settings=s, wanted=read_by_facts)
    rid = _repo_id()
    make_repo(olah.mirrors, rid, {"README.md": "x"})
    with pytest.raises(RepoNotFoundError, match=r"@v9: revision not found"):
        HubSource.open(rid, "v9", settings=s, wanted=read_by_facts)
    with pytest.raises(ConfigError, match="not a Hub repo id"):
        HubSource.open("not a repo", settings=s, wanted=read_by_facts)


def test_offline_reads_the_cache_only_and_names_what_was_not_cached(
    olah, tmp_path: Path, weights_repo
) -> None:
    rid, commit, st, _ = weights_repo
    cache = tmp_path / "hf"
    HubSource.open(rid, settings=settings_for(olah.url, cache), wanted=read_by_facts)
    # offline, with an endpoint that would refuse connections: nothing may go out
    off = HubSource.open(
        rid, settings=settings_for("http://127.0.0.1:9", cache, offline=True), wanted=read_by_facts
    )
    assert off.commit == commit
    assert {f.path for f in off.list_files()} >= {"README.md", "model.safetensors"}
    assert off.read_bytes("README.md", 1000) == CARD.encode()
    with pytest.raises(OfflineError, match="model.safetensors is not cached"):
        off.read_range("model.safetensors", 0, 8)
    notes = " ".join(off.notes())
    assert "HF_HUB_OFFLINE=1" in notes and "model.safetensors" in notes
    with pytest.raises(OfflineError, match="not in the Hugging Face cache"):
        HubSource.open(
            "never-org/seen",
            settings=settings_for(olah.url, cache, offline=True),
            wanted=read_by_facts,
        )


def test_small_file_selection() -> None:
    # what to fetch up front is the caller's rule; the source only adds the size cap
    assert is_small_file("README.md", 10, read_by_facts)
    assert not is_small_file("README.md", 10, lambda path: False)
    assert not is_small_file("LICENSE", 50 << 20, read_by_facts)
    assert is_small_file("anything.bin", None, lambda path: True)


def test_long_header_costs_one_more_request_for_the_rest_only(olah, tmp_path: Path) -> None:
    rid = _repo_id()
    tensors = {
        f"model.layers.{i}.mlp.some_long_projection_name.weight": ("F32", (2, 2))
        for i in range(600)
    }
    st = safetensors_bytes(tensors)
    n = int.from_bytes(st[:8], "little")
    assert n + 8 > 16 << 10  # longer than the first read
    make_repo(olah.mirrors, rid, {"README.md": "x"}, lfs={"model.safetensors": st})
    src = HubSource.open(
        rid, settings=settings_for(olah.url, tmp_path / "hf"), wanted=read_by_facts
    )
    assert src.read_range("model.safetensors", 0, 8) == st[:8]
    assert json.loads(src.read_range("model.safetensors", 8, n)) == json.loads(st[8 : 8 + n])
    assert src.counter.requests == 2
    # the second request started where the first stopped (olah streams from 0, and
    # the reader skipped what it already had)
    assert src.read_range("model.safetensors", 100, 10) == st[100:110]
    assert src.counter.requests == 2


def test_unreadable_cached_weight_is_a_source_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cached copy that cannot be opened used to escape read_range as a bare OSError,
    # which the facts readers (they catch SourceError) let through as a traceback.
    from compliance.facts.read import read_facts
    from compliance.sources.base import RepoFile
    from compliance.sources.hub import HubSettings

    files = [RepoFile("model.safetensors", 1000)]
    settings = HubSettings(offline=True, cache_dir=str(tmp_path))
    src = HubSource("org/name", "main", "c" * 40, files, settings)
    monkeypatch.setattr(src, "_cached_path", lambda path: str(tmp_path))  # a directory
    with pytest.raises(SourceError, match=r"org/name: model\.safetensors: could not be read"):
        src.read_range("model.safetensors", 0, 8)
    problems = read_facts(src).problems
    assert [p.category for p in problems] == ["unverifiable"]
    assert "header could not be read" in problems[0].message
