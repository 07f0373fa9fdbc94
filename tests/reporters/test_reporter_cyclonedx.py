"""The CycloneDX 1.6 reporter: every example's BOM passes the library's own strict
JSON-schema validator, with the model as a machine-learning-model component, its
lineage in pedigree.ancestors, the card in modelCard and the findings as annotations."""

from __future__ import annotations

import hashlib
import json
import sys

import pytest
from sbom_support import EXAMPLE_NAMES, EXAMPLES, audited

from compliance.errors import ConfigError
from compliance.report import Report
from compliance.reporters import cyclonedx

pytest.importorskip("cyclonedx")


def _errors(text: str) -> list[str]:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    found = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
    return [str(e) for e in found or []]


def _bom(example: str) -> dict:
    return json.loads(cyclonedx.render(audited(example)))


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_every_example_validates_against_cyclonedx_1_6(example: str) -> None:
    text = cyclonedx.render(audited(example))
    assert json.loads(text)["specVersion"] == "1.6"
    assert _errors(text) == []


def test_the_validator_can_fail() -> None:
    bom = _bom("llama31-finetune-apache")
    bom["metadata"]["component"]["modelCard"]["modelParameters"]["approach"] = {"type": "guess"}
    bom["metadata"]["component"]["modelCard"]["notAField"] = 1
    assert _errors(json.dumps(bom))


def test_model_component_with_licence_hashes_and_hub_references() -> None:
    model = _bom("llama31-finetune-apache")["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    assert model["name"] == "acme/SupportBot-8B"
    assert model["licenses"] == [
        {"license": {"acknowledgement": "declared", "id": "Apache-2.0",
                     "url": model["licenses"][0]["license"]["url"]}}
    ]  # declared only: the audit is not sure of the licence, so nothing is "concluded"
    data = (EXAMPLES / "llama31-finetune-apache" / "model.safetensors").read_bytes()
    (weights,) = model["components"]
    assert weights["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(data).hexdigest()}]
    refs = {r["type"]: r["url"] for r in model["externalReferences"]}
    assert refs["website"] == "https://huggingface.co/acme/SupportBot-8B"


def test_concluded_licence_only_when_the_audit_is_sure() -> None:
    model = _bom("qwen25-compliant")["metadata"]["component"]
    acks = [lic["license"]["acknowledgement"] for lic in model["licenses"]]
    assert sorted(acks) == ["concluded", "declared"]


def test_ancestors_nest_in_pedigree() -> None:
    model = _bom("llama31-finetune-apache")["metadata"]["component"]
    (instruct,) = model["pedigree"]["ancestors"]
    assert instruct["name"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert instruct["type"] == "machine-learning-model"
    assert instruct["licenses"][0]["license"]["name"] == "Llama 3.1 Community License Agreement"
    (base,) = instruct["pedigree"]["ancestors"]
    assert base["name"] == "meta-llama/Llama-3.1-8B"
    props = {p["name"]: p["value"] for p in instruct["properties"]}
    assert props["modelcheck:relation"] == "finetune"


def test_model_card_holds_what_the_card_declares() -> None:
    card = _bom("llama31-finetune-apache")["metadata"]["component"]["modelCard"]
    assert card["modelParameters"]["task"] == "text-generation"
    assert card["modelParameters"]["modelArchitecture"] == "LlamaForCausalLM"
    props = [(p["name"], p["value"]) for p in card["properties"]]
    assert ("huggingface:license", "apache-2.0") in props
    assert ("huggingface:base_model", "meta-llama/Llama-3.1-8B-Instruct") in props


def test_findings_are_annotations_on_the_model() -> None:
    report = audited("llama31-finetune-apache")
    bom = _bom("llama31-finetune-apache")
    notes = bom["annotations"]
    assert len(notes) == len(report.findings)
    built = next(a for a in notes if "llama3.1/built-with" in a["text"])
    assert built["subjects"] == ["model"]
    assert built["text"].startswith("[error] llama3.1/built-with at README.md: ")
    assert "Fix: Add the sentence" in built["text"]


def test_hand_built_and_hostile_reports_validate(report: Report, hostile_report: Report) -> None:
    assert _errors(cyclonedx.render(report)) == []
    text = cyclonedx.render(hostile_report)
    assert _errors(text) == []
    assert "\u202e" not in text and "\\u001b" not in text


def test_waived_findings_say_so(report: Report) -> None:
    notes = json.loads(cyclonedx.render(report))["annotations"]
    waived = [a for a in notes if a["text"].startswith("[waived]")]
    assert len(waived) == 1 and "legal ticket 123" in waived[0]["text"]


def test_missing_library_is_a_one_line_error_with_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, report: Report
) -> None:
    monkeypatch.setitem(sys.modules, "cyclonedx.model.component", None)
    with pytest.raises(ConfigError, match=r"pip install 'modelcheck\[sbom\]'"):
        cyclonedx.render(report)
