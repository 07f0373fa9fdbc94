"""`modelcheck lineage` exit codes usable in CI (0 no evidence, 1 consistent with
derivation or identical, 2 could not compare) and its JSON validated against
schemas/lineage.schema.json; the report states how to rerun it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from compliance.cli import main
from compliance.resources import data_dir
from tests.support import synth


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((data_dir("schemas") / "lineage.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """An MoE whose experts are stored in a layout that is not read: most of its bytes are
    not understood, so no negative verdict is possible."""
    moe = synth.independent_moe(synth.upcycle_moe(synth.base(1)))
    return synth.write_model(moe, tmp_path_factory.mktemp("w") / "w", experts="fused-transposed")


def _run(tmp_path, suspect, *against, fmt="json"):
    out = tmp_path / ("r.json" if fmt == "json" else "r.md")
    args = ["lineage", str(suspect)]
    for a in against:
        args += ["--against", str(a)]
    rc = main([*args, "--format", fmt, "-o", str(out)])
    return rc, out.read_text()


def test_exit_codes_follow_the_verdicts(models, wide, tmp_path, schema) -> None:
    rc, text = _run(tmp_path, models["other"], models["base"])
    assert rc == 0
    jsonschema.validate(json.loads(text), schema)
    rc, text = _run(tmp_path, models["ft"], models["base"], models["other"])
    assert rc == 1
    doc = json.loads(text)
    jsonschema.validate(doc, schema)
    assert doc["exit_code"] == 1
    rc, text = _run(tmp_path, wide, models["base"])
    assert rc == 2
    doc = json.loads(text)
    jsonschema.validate(doc, schema)
    assert doc["comparisons"][0]["verdict"]["kind"] == "not-verifiable"


def test_schema_rejects_a_report_it_does_not_describe(models, tmp_path, schema) -> None:
    _rc, text = _run(tmp_path, models["ft"], models["base"])
    doc = json.loads(text)
    doc["comparisons"][0]["verdict"]["kind"] = "copied"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_reports_state_how_to_rerun(models, tmp_path) -> None:
    from compliance import __version__

    _rc, text = _run(tmp_path, models["ft"], models["base"])
    doc = json.loads(text)
    assert doc["modelcheck"] == __version__ and doc["command"].startswith("modelcheck ")
    _rc, md = _run(tmp_path, models["ft"], models["base"], fmt="markdown")
    assert f"with modelcheck {__version__}; the whole run took " in md and "**Rerun:**" in md


def test_inputs_are_identified_by_file_hash(models, tmp_path) -> None:
    from compliance.weights import digests

    _rc, text = _run(tmp_path, models["ft"], models["base"])
    (c,) = json.loads(text)["comparisons"]
    (f,) = c["suspect"]["files"]
    raw = (models["ft"] / "model.safetensors").read_bytes()
    algo, h = digests.hasher()
    h.update(raw)
    assert f == {"path": "model.safetensors", "bytes": len(raw),
                 "digest": f"{algo}:{h.hexdigest()}"}
    assert len(c["candidate"]["files"]) == 2  # two shards
    _rc, md = _run(tmp_path, models["ft"], models["base"], fmt="markdown")
    assert f"`model.safetensors` ({len(raw):,} bytes, `{algo}:" in md
