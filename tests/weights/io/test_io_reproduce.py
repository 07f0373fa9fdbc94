"""A lineage report carries what a third party needs to rerun it and get the same numbers:
command line, modelcheck version, rules version, sampling-plan version, each input's
identity, bytes read, seed and wall time, in Markdown and in JSON."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest

from compliance.cli import main
from compliance.resources import data_dir
from compliance.sources.base import RepoFile
from compliance.sources.local import LocalSource
from compliance.weights import compare, provenance
from compliance.weights.labels import fmt_bytes
from compliance.weights.signals import SamplePlan


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((data_dir("schemas") / "lineage.schema.json").read_text(encoding="utf-8"))


def _lineage(tmp_path: Path, suspect, candidate, fmt: str) -> str:
    out = tmp_path / ("r.json" if fmt == "json" else "r.md")
    main(["lineage", str(suspect), "--against", str(candidate), "--format", fmt,
          "-o", str(out)])
    return out.read_text(encoding="utf-8")


def _hash(path: Path) -> str:
    from compliance.weights import digests

    algo, h = digests.hasher()
    h.update(path.read_bytes())
    return f"{algo}:{h.hexdigest()}"


@pytest.fixture(scope="module")
def local_reports(models, tmp_path_factory) -> tuple[dict, str]:
    tmp = tmp_path_factory.mktemp("repro")
    doc = json.loads(_lineage(tmp, models["ft"], models["base"], "json"))
    md = _lineage(tmp, models["ft"], models["base"], "markdown")
    return doc, md


def test_json_states_every_rerun_field(local_reports, models, schema) -> None:
    from compliance import __version__

    doc, _md = local_reports
    jsonschema.validate(doc, schema)
    assert doc["schema"] == 3 and doc["modelcheck"] == __version__
    assert doc["command"].startswith("modelcheck lineage ")
    assert str(models["ft"]) in doc["command"] and "--format json" in doc["command"]
    (c,) = doc["comparisons"]
    assert doc["wall_seconds"] >= c["seconds"] > 0
    assert c["rules_version"] == provenance.rules_version()
    plan = SamplePlan().as_dict()
    assert c["plan"] == plan and c["seed"] == plan["seed"] == 0
    assert c["plan_version"] == provenance.plan_version(plan)
    assert c["plan_version"].startswith(f"schema {plan['schema']}, seed 0, sha256:")
    for side, model in (("suspect", models["ft"]), ("candidate", models["base"])):
        info = c[side]
        assert 0 < info["bytes_read"] <= info["total_bytes"]
        files = sorted(model.glob("*.safetensors"))
        assert [f["path"] for f in info["files"]] == [p.name for p in files]
        assert [f["digest"] for f in info["files"]] == [_hash(p) for p in files]
        assert info["source_files"] is None and info["source_tensors"] is None


def test_markdown_states_every_rerun_field(local_reports, models) -> None:
    from compliance import __version__

    doc, md = local_reports
    (c,) = doc["comparisons"]
    rerun = md.split("**Rerun:**", 1)[1]
    assert "`modelcheck lineage " in rerun and "--format markdown" in rerun
    assert f"with modelcheck {__version__}; the whole run took " in rerun
    assert re.search(r"the whole run took \d+\.\d s\.", rerun)
    assert f"rules version `{c['rules_version']}`" in md
    assert f"plan version `{c['plan_version']}`" in md
    assert "sampling seed 0," in md
    for side in ("suspect", "candidate"):
        # bytes differ between the two runs only if reading differed: they must not
        assert f"read {fmt_bytes(c[side]['bytes_read'])}" in md
    for p in sorted(models["base"].glob("*.safetensors")):
        assert f"`{p.name}` ({p.stat().st_size:,} bytes, `{_hash(p)}`)" in md


def test_a_rerun_gives_the_same_numbers(local_reports, models, tmp_path) -> None:
    doc, _md = local_reports
    again = json.loads(_lineage(tmp_path, models["ft"], models["base"], "json"))
    (a,), (b,) = doc["comparisons"], again["comparisons"]
    assert [s["value"] for s in a["signals"]] == [s["value"] for s in b["signals"]]
    assert a["verdict"] == b["verdict"] and a["plan_version"] == b["plan_version"]
    for side in ("suspect", "candidate"):
        assert a[side]["bytes_read"] == b[side]["bytes_read"]
        assert a[side]["files"] == b[side]["files"]


def test_rules_version_follows_thresholds_and_rule_docs(monkeypatch) -> None:
    from compliance.weights import rule_docs
    from compliance.weights.signals import aligned_cosine

    before = provenance.rules_version()
    assert "aligned_cosine" in provenance.rules_material()["thresholds"]
    monkeypatch.setattr(provenance, "_RULES_VERSION", None)
    monkeypatch.setattr(aligned_cosine, "MIN_VALUE", aligned_cosine.MIN_VALUE + 0.01)
    moved = provenance.rules_version()
    assert moved != before
    monkeypatch.setattr(provenance, "_RULES_VERSION", None)
    monkeypatch.setattr(aligned_cosine, "MIN_VALUE", aligned_cosine.MIN_VALUE - 0.01)
    docs = {k: dict(v) for k, v in rule_docs.RULES.items()}
    docs["weights/undeclared-base-model"]["severity"] = "error"
    monkeypatch.setattr(rule_docs, "RULES", docs)
    assert provenance.rules_version() not in (before, moved)


def test_plan_version_follows_every_parameter() -> None:
    base = provenance.plan_version(SamplePlan().as_dict())
    schema = SamplePlan().schema
    assert provenance.plan_version(SamplePlan(seed=1).as_dict()).startswith(
        f"schema {schema}, seed 1,"
    )
    for change in (
        {"seed": 1},
        {"rows_per_matrix": 32},
        {"max_neurons": 512},
        {"sketch_dim": 128},
        {"neuron_layers": 4},
    ):
        assert provenance.plan_version(SamplePlan(**change).as_dict()) != base


def test_a_fingerprint_input_gives_its_digest_and_its_source(models, tmp_path, schema) -> None:
    fp = tmp_path / "base.safetensors"
    assert main(["fingerprint", str(models["base"]), "-o", str(fp), "--name", "org/base"]) == 0
    doc = json.loads(_lineage(tmp_path, models["ft"], fp, "json"))
    jsonschema.validate(doc, schema)
    cand = doc["comparisons"][0]["candidate"]
    assert cand["kind"] == "fingerprint"
    assert cand["files"] == [{"path": fp.name, "bytes": fp.stat().st_size, "digest": _hash(fp)}]
    shards = sorted(models["base"].glob("*.safetensors"))
    # local source files are named and sized; their content is identified by the digests
    # of every tensor, which the fingerprint holds
    assert cand["source_files"] == [
        {"path": p.name, "bytes": p.stat().st_size, "digest": None} for p in shards
    ]
    tensors = cand["source_tensors"]
    assert tensors["tensors"] > 10 and tensors["digest"].startswith("sha256:")
    # the CLI's default fingerprint holds no whole-tensor digests: its sampled rows' digests
    assert tensors["kind"] == "sampled rows"
    # the same weights give the same identity, other weights another
    fp2 = tmp_path / "again.safetensors"
    assert main(["fingerprint", str(models["base"]), "-o", str(fp2), "--name", "org/base"]) == 0
    fp3 = tmp_path / "ft.safetensors"
    assert main(["fingerprint", str(models["ft"]), "-o", str(fp3), "--name", "org/ft"]) == 0
    again = json.loads(_lineage(tmp_path, models["ft"], fp2, "json"))
    other = json.loads(_lineage(tmp_path, models["base"], fp3, "json"))
    assert again["comparisons"][0]["candidate"]["source_tensors"] == tensors
    assert other["comparisons"][0]["candidate"]["source_tensors"]["digest"] != tensors["digest"]
    md = _lineage(tmp_path, models["ft"], fp, "markdown")
    assert f"`{fp.name}` ({fp.stat().st_size:,} bytes, `{_hash(fp)}`)" in md
    first = shards[0]
    assert f"made from: `{first.name}` ({first.stat().st_size:,} bytes, `no file digest`)" in md
    assert (f"digest of its {tensors['tensors']:,} sampled-row digests "
            f"({', '.join(tensors['algorithms'])}): `{tensors['digest']}`") in md
    full = tmp_path / "full.safetensors"
    argv = ["fingerprint", str(models["base"]), "-o", str(full), "--full-digests"]
    assert main(argv) == 0
    whole = json.loads(_lineage(tmp_path, models["ft"], full, "json"))
    assert whole["comparisons"][0]["candidate"]["source_tensors"]["kind"] == "whole tensors"


class _LfsHub(LocalSource):
    """A local dir posing as a Hub repo pinned to a commit, listing LFS hashes."""

    kind = "hub"
    COMMIT = "4d5e6f" * 6 + "abcd"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.commit = self.COMMIT

    def list_files(self) -> list[RepoFile]:
        out = []
        for f in super().list_files():
            sha = None
            if f.path.endswith(".safetensors"):
                sha = hashlib.sha256((Path(self.root) / f.path).read_bytes()).hexdigest()
            out.append(RepoFile(path=f.path, size=f.size, lfs_sha256=sha))
        return out


def test_a_hub_input_gives_its_commit_and_lfs_hashes(models, tmp_path, monkeypatch, schema):
    monkeypatch.setattr(compare, "_default_hub_source", lambda _repo, _rev: _LfsHub(models["base"]))
    doc = json.loads(_lineage(tmp_path, models["ft"], "org/base", "json"))
    jsonschema.validate(doc, schema)
    cand = doc["comparisons"][0]["candidate"]
    assert cand["kind"] == "hub" and cand["revision"] == _LfsHub.COMMIT
    shards = sorted(models["base"].glob("*.safetensors"))
    assert cand["files"] == [
        {"path": p.name, "bytes": p.stat().st_size,
         "digest": "lfs-sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()}
        for p in shards
    ]
    md = _lineage(tmp_path, models["ft"], "org/base", "markdown")
    assert f"candidate `org/base` @ `{_LfsHub.COMMIT}` (hub," in md


def test_reports_say_where_thresholds_were_calibrated(models, tmp_path) -> None:
    from compliance.weights.provenance import CALIBRATION

    out = tmp_path / "r.json"
    main(["lineage", str(models["ft"]), "--against", str(models["base"]), "--format", "json",
          "-o", str(out)])
    assert json.loads(out.read_text())["calibration"] == CALIBRATION
    md = tmp_path / "r.md"
    main(["lineage", str(models["ft"]), "--against", str(models["base"]), "-o", str(md)])
    assert f"**Calibration:** {CALIBRATION}" in md.read_text()
    assert "synthetic fixtures" in CALIBRATION and "all-MiniLM-L6-v2" in CALIBRATION
    assert "benchmarks/calibrate_lineage.py" in CALIBRATION


def test_fingerprint_says_what_it_recorded(models, tmp_path, capsys) -> None:
    fp = tmp_path / "b.safetensors"
    assert main(["fingerprint", str(models["base"]), "-o", str(fp), "--name", "org/base"]) == 0
    err = capsys.readouterr().err
    doc = json.loads(_lineage(tmp_path, models["ft"], fp, "json"))
    cand = doc["comparisons"][0]["candidate"]
    line = next(ln for ln in err.splitlines() if ln.startswith(f"modelcheck: {fp}: records "))
    assert f"plan {doc['comparisons'][0]['plan_version']}" in line
    assert f"together {cand['source_tensors']['digest']}" in line
    assert "2 source files named" in line


def test_a_fingerprints_record_of_its_source_is_checked() -> None:
    good = {"path": "model.safetensors", "bytes": 10, "digest": "lfs-sha256:" + "ab" * 32}
    assert compare.recorded_files([good]) == [good]
    odd = compare.recorded_files([{"path": "m", "bytes": -5, "digest": "`rm -rf`"}])
    assert odd == [{"path": "m", "bytes": None, "digest": None}]
    assert compare.recorded_files([{"bytes": 1}]) is None
    assert compare.recorded_files([good] * (compare.MAX_RECORDED_FILES + 1)) is None
    assert compare.recorded_files("model.safetensors") is None
