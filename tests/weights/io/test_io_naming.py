"""Fingerprints are named by a repo id (`--name`, or found in the repo), never by a local
path, and a library folder reports what it loaded and why it skipped anything."""

from __future__ import annotations

import json
import shutil

import pytest

from compliance.cli import main
from compliance.facts.model import Facts, WeightFile
from compliance.lineage.model import Lineage
from compliance.sources.local import LocalSource
from compliance.weights.audit import weight_evidence
from compliance.weights.fingerprint import FingerprintView, load_library


def test_name_option_is_stored_and_used_by_the_library(models, tmp_path) -> None:
    fp = tmp_path / "lib" / "x.safetensors"
    fp.parent.mkdir()
    assert main(["fingerprint", str(models["base"]), "-o", str(fp), "--name", "org/base"]) == 0
    view = FingerprintView(fp)
    assert view.meta["repo_id"] == "org/base" and view.meta["name_source"] == "--name"
    facts = Facts(source_kind="local", label=str(models["ft"]), repo_id="org/ft", revision=None,
                  commit=None, weights=[WeightFile("model.safetensors", "safetensors", None)])
    lineage = Lineage(model="org/ft", relation=None, relation_source=None, ancestors=[])
    _section, findings = weight_evidence(facts, lineage, LocalSource(models["ft"]),
                                         [tmp_path / "lib"])
    assert [f.ancestor for f in findings] == ["org/base"]
    assert "declare it in the model card's base_model" in findings[0].fix


def test_bad_name_is_a_usage_error(models, tmp_path, capsys) -> None:
    rc = main(["fingerprint", str(models["base"]), "-o", str(tmp_path / "f.safetensors"),
               "--name", "not a repo"])
    assert rc == 2
    assert "--name" in capsys.readouterr().err


def test_default_name_comes_from_modelcheck_yaml(models, tmp_path) -> None:
    model = tmp_path / "m"
    shutil.copytree(models["base"], model)
    (model / ".modelcheck.yaml").write_text("repo_id: acme/base-7b\n")
    fp = tmp_path / "f.safetensors"
    assert main(["fingerprint", str(model), "-o", str(fp)]) == 0
    view = FingerprintView(fp)
    assert view.label == "acme/base-7b"
    assert "repo_id" in view.meta["name_source"]


def test_unnamed_local_fingerprint_is_not_labelled_by_its_path(models, tmp_path, capsys) -> None:
    fp = tmp_path / "f.safetensors"
    assert main(["fingerprint", str(models["base"]), "-o", str(fp)]) == 0
    assert "give --name ORG/NAME" in capsys.readouterr().err
    view = FingerprintView(fp)
    assert view.meta["repo_id"] is None
    assert view.label == "fingerprint f.safetensors"
    assert str(models["base"]) not in view.label


def test_library_lists_loaded_and_skipped_files(models, tmp_path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    assert main(["fingerprint", str(models["base"]), "-o", str(lib / "a.safetensors"),
                 "--name", "org/base"]) == 0
    shutil.copy(models["other"] / "model.safetensors", lib / "weights.safetensors")
    (lib / "bad.safetensors").write_bytes(b"\x08" + b"\x00" * 7 + b'{"__metadata__":{}}')
    (lib / "README.md").write_text("notes")
    _views, notes = load_library([lib])
    text = json.dumps(notes)
    assert notes[0].endswith("loaded 1 fingerprint(s): org/base (a.safetensors)")
    assert "weights.safetensors: skipped, a .safetensors file that is not a fingerprint" in text
    assert "bad.safetensors: skipped" in text
    assert "README.md" in text


@pytest.mark.parametrize("dup", [True])
def test_duplicate_names_are_reported(models, tmp_path, dup) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    for n in ("a", "b"):
        assert main(["fingerprint", str(models["base"]), "-o", str(lib / f"{n}.safetensors"),
                     "--name", "org/base"]) == 0
    facts = Facts(source_kind="local", label=str(models["ft"]), repo_id="org/ft", revision=None,
                  commit=None, weights=[WeightFile("model.safetensors", "safetensors", None)])
    lineage = Lineage(model="org/ft", relation=None, relation_source=None, ancestors=[])
    section, _ = weight_evidence(facts, lineage, LocalSource(models["ft"]), [lib])
    assert any("b.safetensors: skipped, org/base is already loaded from a.safetensors" in n
               for n in section.notes)
