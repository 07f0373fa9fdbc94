"""`modelcheck scan --weights --fingerprints DIR`: children whose weights are consistent
with an undeclared base in the library are flagged; a declared one is not; without
--weights neither is; another library re-audits."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from family import BODY_OK, NOTICE
from hubrepos import LLAMA_LICENSE, card

from compliance.cli import main

pytestmark = [pytest.mark.hub]
pytest.importorskip("numpy")
pytest.importorskip("scipy")

from compliance.weights.compare import open_view  # noqa: E402
from compliance.weights.fingerprint import write_fingerprint  # noqa: E402
from tests.support import synth  # noqa: E402

BASE = "fam/Weights-base"
DECLARED = "fam/Weights-ft-declared"
HIDDEN = "fam/Weights-ft-hidden"
UNRELATED = "fam/Weights-unrelated"


def _repo(model: synth.SynthModel, meta: str, tmp: Path) -> dict[str, bytes | str]:
    d = synth.write_model(model, tmp, dtype="BF16")
    files: dict[str, bytes | str] = {p.name: p.read_bytes() for p in sorted(d.iterdir())}
    files.update({"README.md": card(meta, BODY_OK), "LICENSE": LLAMA_LICENSE, "NOTICE": NOTICE})
    return files


@pytest.fixture(scope="module")
def weight_family(family_hub, tmp_path_factory):
    root = tmp_path_factory.mktemp("weights")
    base = synth.base(11, hidden=64, n_layers=4, ffn=256, vocab=256)
    models = {
        BASE: (base, "license: llama3.1"),
        DECLARED: (synth.fine_tune(base, 0.1, seed=1), f"license: llama3.1\nbase_model: {BASE}"),
        HIDDEN: (synth.fine_tune(base, 0.1, seed=2), "license: llama3.1"),
        UNRELATED: (synth.base(12, hidden=64, n_layers=4, ffn=256, vocab=256), "license: mit"),
    }
    for repo_id, (model, meta) in models.items():
        family_hub.mirror.write(repo_id, _repo(model, meta, root / repo_id.replace("/", "_")))
    lib = root / "lib"
    lib.mkdir()
    base_dir = root / BASE.replace("/", "_")
    write_fingerprint(open_view(str(base_dir)), lib / "base.safetensors", repo_id=BASE)
    other = root / "lib2"
    other.mkdir()
    write_fingerprint(open_view(str(base_dir)), other / "base.safetensors", repo_id=BASE)
    unrelated_dir = root / UNRELATED.replace("/", "_")
    write_fingerprint(open_view(str(unrelated_dir)), other / "u.safetensors", repo_id=UNRELATED)
    ids = root / "ids.txt"
    ids.write_text("\n".join([*models, *family_hub.ids({"compliant"}, limit=2)]) + "\n")
    return ids, lib, other


def _scan(hub, monkeypatch, capsys, ids: Path, store: Path, *extra: str) -> str:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_TOKEN", "")
    args = ["scan", "--from", str(ids), "--store", str(store), "--rate", "0", *extra]
    assert main(args) == 0
    return capsys.readouterr().out


def _flagged(store: Path) -> dict[str, set[tuple[str, str]]]:
    """repo -> (rule id, ancestor) of its undeclared-base-model findings, latest results."""
    db = sqlite3.connect(store)
    try:
        rows = db.execute(
            "SELECT f.repo_id, f.rule_id, f.ancestor FROM findings f JOIN latest r "
            "ON f.repo_id = r.repo_id AND f.commit_sha = r.commit_sha "
            "AND f.tool_version = r.tool_version AND f.rules_digest = r.rules_digest "
            "WHERE f.category = 'undeclared-base-model'"
        ).fetchall()
        statuses = dict(db.execute("SELECT repo_id, status FROM latest").fetchall())
    finally:
        db.close()
    assert set(statuses.values()) == {"audited"}, statuses
    out: dict[str, set[tuple[str, str]]] = {}
    for repo, rule, ancestor in rows:
        out.setdefault(repo, set()).add((rule, ancestor))
    return out


def _requests(store: Path) -> dict[str, int]:
    db = sqlite3.connect(store)
    try:
        return dict(db.execute("SELECT repo_id, requests FROM latest").fetchall())
    finally:
        db.close()


def test_weights_flag_exactly_the_undeclared_child(hub, weight_family, tmp_path, monkeypatch,
                                                    capsys):
    ids, lib, other = weight_family
    plain = tmp_path / "plain.db"
    assert "6 repos: 6 audited" in _scan(hub, monkeypatch, capsys, ids, plain)
    assert _flagged(plain) == {}

    store = tmp_path / "weights.db"
    out = _scan(hub, monkeypatch, capsys, ids, store, "--weights", "--fingerprints", str(lib))
    assert "6 repos: 6 audited" in out
    assert _flagged(store) == {HIDDEN: {("weights/undeclared-base-model", BASE)}}
    # the weight reads are ranged requests through the scan's client, counted per repo
    plain_requests, weight_requests = _requests(plain), _requests(store)
    for repo in (BASE, DECLARED, HIDDEN, UNRELATED):
        assert weight_requests[repo] > plain_requests[repo]
    assert weight_requests[hub.ids({"compliant"}, limit=1)[0]] == plain_requests[
        hub.ids({"compliant"}, limit=1)[0]
    ]

    # same library: nothing to redo; another library: every repo is audited again
    out = _scan(hub, monkeypatch, capsys, ids, store, "--weights", "--fingerprints", str(lib))
    assert "0 audited, 6 unchanged" in out
    out = _scan(hub, monkeypatch, capsys, ids, store, "--weights", "--fingerprints", str(other))
    assert "6 repos: 6 audited" in out
    assert _flagged(store) == {HIDDEN: {("weights/undeclared-base-model", BASE)}}


def test_weights_options_are_checked(capsys, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("a/b\n")
    assert main(["scan", "--from", str(ids), "--fingerprints", str(tmp_path)]) == 2
    assert "--fingerprints needs --weights" in capsys.readouterr().err
    assert main(["scan", "--from", str(ids), "--weights"]) == 2
    assert "--weights needs --fingerprints" in capsys.readouterr().err
    missing = tmp_path / "nolib"
    assert main(["scan", "--from", str(ids), "--weights", "--fingerprints", str(missing)]) == 2
    assert "fingerprint library folder not found" in capsys.readouterr().err


def test_weights_without_the_extra_is_one_line_and_exit_2(capsys, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "numpy" else real(name, *a)
    )
    ids = tmp_path / "ids.txt"
    ids.write_text("a/b\n")
    store = tmp_path / "s.db"
    args = ["scan", "--from", str(ids), "--store", str(store), "--weights", "--fingerprints"]
    assert main([*args, str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "pip install 'modelcheck[weights]'" in err
    assert not store.exists()
