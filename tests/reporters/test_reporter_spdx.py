"""The SPDX 2.3 reporter: every example's document passes spdx-tools' own validator
(built, and again after a round trip through its JSON parser), and says what the
audit knows: lineage, declared / concluded licences, LicenseRefs, weight checksums."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from sbom_support import EXAMPLE_NAMES, EXAMPLES, audited

from compliance.errors import ConfigError
from compliance.report import Report
from compliance.reporters import spdx

pytest.importorskip("spdx_tools")


def _doc(example: str) -> dict:
    return json.loads(spdx.render(audited(example)))


def _packages(doc: dict) -> dict[str, dict]:
    return {p["name"]: p for p in doc["packages"]}


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_every_example_validates_built_and_after_a_round_trip(
    example: str, tmp_path: Path
) -> None:
    from spdx_tools.spdx.parser.parse_anything import parse_file

    document = spdx.build_document(audited(example))
    assert spdx.validation_messages(document) == []
    out = tmp_path / f"{example}.spdx.json"
    out.write_text(spdx.render(audited(example)), encoding="utf-8")
    assert spdx.validation_messages(parse_file(str(out))) == []


def test_the_validator_can_fail() -> None:
    from spdx_tools.spdx.model import Relationship, RelationshipType

    document = spdx.build_document(audited("llama31-finetune-apache"))
    document.relationships.append(
        Relationship("SPDXRef-Model", RelationshipType.DESCENDANT_OF, "SPDXRef-Nowhere")
    )
    assert spdx.validation_messages(document)


def test_lineage_is_descendant_of_with_the_relation_in_a_comment() -> None:
    doc = _doc("llama31-finetune-apache")
    packages = _packages(doc)
    model = packages["acme/SupportBot-8B"]
    instruct = packages["meta-llama/Llama-3.1-8B-Instruct"]
    base = packages["meta-llama/Llama-3.1-8B"]
    rels = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]): r
            for r in doc["relationships"]}
    first = rels[(model["SPDXID"], "DESCENDANT_OF", instruct["SPDXID"])]
    assert first["comment"].startswith("relation: finetune; known from card base_model")
    assert (instruct["SPDXID"], "DESCENDANT_OF", base["SPDXID"]) in rels
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", model["SPDXID"]) in rels
    assert instruct["downloadLocation"] == "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct"


def test_a_quantization_is_a_variant() -> None:
    doc = _doc("gguf-quant")
    assert [r["relationshipType"] for r in doc["relationships"]].count("VARIANT_OF") == 1


def test_declared_licence_and_no_conclusion_while_the_licence_is_wrong() -> None:
    model = _packages(_doc("llama31-finetune-apache"))["acme/SupportBot-8B"]
    assert model["licenseDeclared"] == "Apache-2.0"
    assert model["licenseConcluded"] == "NOASSERTION"


def test_concluded_licence_when_the_audit_is_sure() -> None:
    report = audited("qwen25-compliant")
    assert not [f for f in report.findings if f.category.startswith("license")]
    doc = _doc("qwen25-compliant")
    model = _packages(doc)[report.model_name]
    assert model["licenseConcluded"] == model["licenseDeclared"]
    assert model["licenseConcluded"].startswith("LicenseRef-")


def test_ai_licences_are_license_refs_with_name_text_and_url() -> None:
    doc = _doc("llama31-finetune-apache")
    refs = {e["licenseId"]: e for e in doc["hasExtractedLicensingInfos"]}
    llama = refs["LicenseRef-llama3.1"]
    assert llama["name"] == "Llama 3.1 Community License Agreement"
    assert llama["seeAlsos"] and llama["seeAlsos"][0].startswith("https://")
    assert llama["seeAlsos"][0] in llama["extractedText"]
    assert len(llama["extractedText"]) < 400  # a pointer, never the licence text


def test_weight_files_carry_their_checksums() -> None:
    doc = _doc("llama31-finetune-apache")
    data = (EXAMPLES / "llama31-finetune-apache" / "model.safetensors").read_bytes()
    (weights,) = doc["files"]
    assert weights["fileName"] == "./model.safetensors"
    sums = {c["algorithm"]: c["checksumValue"] for c in weights["checksums"]}
    assert sums == {
        "SHA1": hashlib.sha1(data).hexdigest(),
        "SHA256": hashlib.sha256(data).hexdigest(),
    }


def test_a_report_without_facts_still_validates(report: Report) -> None:
    # the hand-built report has no facts (no card, no files): NOASSERTION, no files
    document = spdx.build_document(report)
    assert spdx.validation_messages(document) == []
    assert document.files == []


def test_hostile_text_still_validates(hostile_report: Report) -> None:
    assert spdx.validation_messages(spdx.build_document(hostile_report)) == []
    assert "\u202e" not in spdx.render(hostile_report)


def test_missing_library_is_a_one_line_error_with_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, report: Report
) -> None:
    monkeypatch.setitem(sys.modules, "spdx_tools.spdx.model", None)
    with pytest.raises(ConfigError, match=r"pip install 'modelcheck\[sbom\]'"):
        spdx.render(report)


def test_same_audit_same_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    report = audited("llama31-finetune-apache")
    assert spdx.render(report) == spdx.render(report)
    assert json.loads(spdx.render(report))["creationInfo"]["created"] == "2023-11-14T22:13:20Z"


def test_checksums_never_follow_a_link_out_of_the_repo(tmp_path: Path) -> None:
    from compliance.reporters import sbom

    outside = tmp_path / "secret.safetensors"
    outside.write_bytes(b"x" * 64)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "model.safetensors").symlink_to(outside)
    (repo / "real.safetensors").write_bytes(b"y" * 64)
    assert sbom._hash_file(repo.resolve(), "model.safetensors") == {}
    assert sbom._hash_file(repo.resolve(), "real.safetensors")["SHA256"] == hashlib.sha256(
        b"y" * 64
    ).hexdigest()


def test_a_hub_cache_snapshot_may_link_into_its_blobs(tmp_path: Path) -> None:
    from compliance.reporters import sbom

    blobs = tmp_path / "models--org--m" / "blobs"
    snapshot = tmp_path / "models--org--m" / "snapshots" / "abc123"
    blobs.mkdir(parents=True)
    snapshot.mkdir(parents=True)
    (blobs / "deadbeef").write_bytes(b"w" * 32)
    (snapshot / "model.safetensors").symlink_to(blobs / "deadbeef")
    digests = sbom._hash_file(snapshot.resolve(), "model.safetensors")
    assert digests["SHA256"] == hashlib.sha256(b"w" * 32).hexdigest()
