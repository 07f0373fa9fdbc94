"""CycloneDX 1.6 JSON reporter (an ML-BOM), built with cyclonedx-python-lib.

The model is `metadata.component`, a `machine-learning-model` with its declared
licence (and the concluded one where the audit is sure), its weight files (with
SHA-256 on local audits) and references to its Hub repo and commit; its ancestors
are `pedigree.ancestors` (nested as deep as the lineage goes). The library has no
`modelCard` and no `annotations`, so both are added to the serialised JSON: the
model card with what the card declares, and one annotation per finding.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from compliance import __version__
from compliance.report import Finding, Report, finding_sort_key
from compliance.reporters import sbom
from compliance.reporters.escape import clean
from compliance.reporters.locate import fingerprint, locate

FMT = "cyclonedx"
MODEL_REF = "model"
TOOL_REF = "modelcheck"
_REF_UNSAFE = re.compile(r"[^A-Za-z0-9._/-]+")


def _ref(kind: str, value: str) -> str:
    return f"{kind}:" + (_REF_UNSAFE.sub("-", value) or "x")


class _Builder:
    def __init__(self, report: Report) -> None:
        self.c = sbom.need("cyclonedx.model.component", FMT)
        self.lic = sbom.need("cyclonedx.model.license", FMT)
        self.model = sbom.need("cyclonedx.model", FMT)
        self.report = report

    def licenses(self, info: sbom.LicenseInfo | None, acknowledgement: str) -> list[Any]:
        if info is None:
            return []
        ack = self.lic.LicenseAcknowledgement(acknowledgement)
        url = self.model.XsUri(info.url) if info.url else None
        if info.is_ref:
            return [self.lic.DisjunctiveLicense(name=info.name, url=url, acknowledgement=ack)]
        return [self.lic.DisjunctiveLicense(id=info.expression, url=url, acknowledgement=ack)]

    def hub_refs(self, repo_id: str | None, commit: str | None) -> list[Any]:
        m = self.model
        refs = []
        site = sbom.hub_url(repo_id)
        if site:
            website = m.ExternalReferenceType.WEBSITE
            refs.append(m.ExternalReference(type=website, url=m.XsUri(site)))
            refs.append(
                m.ExternalReference(
                    type=m.ExternalReferenceType.VCS,
                    url=m.XsUri(sbom.hub_url(repo_id, commit) or site),
                    comment=f"commit {commit}" if commit else None,
                )
            )
        return refs

    def ancestor(self, a: Any, children: dict[str, list[Any]]) -> Any:
        c, m = self.c, self.model
        info = sbom.license_for(a.license)
        nested = [self.ancestor(x, children) for x in children.get(a.repo_id.lower(), [])]
        props = [
            m.Property(name="modelcheck:relation", value=a.relation or "unknown"),
            m.Property(name="modelcheck:known-from", value=clean(a.known_from or "", 300)),
            m.Property(name="modelcheck:license-source", value=a.license_source or "unknown"),
            m.Property(name="modelcheck:resolution", value=a.resolution),
        ]
        return c.Component(
            type=c.ComponentType.MACHINE_LEARNING_MODEL,
            name=clean(a.repo_id, 200),
            version=a.revision or None,
            bom_ref=_ref("ancestor", f"{a.child}>{a.repo_id}"),
            licenses=self.licenses(info, "declared"),
            external_references=self.hub_refs(a.repo_id, a.revision),
            properties=[p for p in props if p.value],
            pedigree=c.Pedigree(ancestors=nested) if nested else None,
        )

    def weight_files(self) -> list[Any]:
        c, m = self.c, self.model
        out = []
        for w in sbom.weight_checksums(self.report):
            sha256 = w.digests.get("SHA256")
            hashes = [m.HashType(alg=m.HashAlgorithm.SHA_256, content=sha256)] if sha256 else []
            out.append(
                c.Component(
                    type=c.ComponentType.FILE,
                    name=w.path,
                    bom_ref=_ref("file", w.path),
                    hashes=hashes,
                    properties=[m.Property(name="modelcheck:size", value=str(w.size))]
                    if w.size is not None
                    else [],
                )
            )
        return out

    def bom(self) -> Any:
        c, m, report = self.c, self.model, self.report
        from cyclonedx.model.bom import Bom

        lineage = report.lineage
        children: dict[str, list[Any]] = {}
        direct: list[Any] = []
        model_names = {report.model_name.lower(), str(getattr(lineage, "model", "")).lower()}
        for a in lineage.ancestors if lineage is not None else []:
            if a.depth == 1 or str(a.child).lower() in model_names:
                direct.append(a)
            else:
                children.setdefault(str(a.child).lower(), []).append(a)
        counts = report.counts()
        rid = sbom.hub_id(report)
        model = c.Component(
            type=c.ComponentType.MACHINE_LEARNING_MODEL,
            name=clean(report.model_name, 200) or "model",
            version=report.commit or None,
            bom_ref=MODEL_REF,
            licenses=self.licenses(sbom.declared_license(report), "declared")
            + self.licenses(sbom.concluded_license(report), "concluded"),
            external_references=self.hub_refs(rid, report.commit),
            pedigree=c.Pedigree(ancestors=[self.ancestor(a, children) for a in direct])
            if direct
            else None,
            components=self.weight_files(),
            properties=[
                m.Property(name="modelcheck:relation", value=report.relation or "base"),
                *(
                    m.Property(name=f"modelcheck:findings:{k}", value=str(v))
                    for k, v in counts.items()
                ),
            ],
        )
        # the same audit gives the same serial number (a fresh BOM gets a fresh one)
        bom = Bom(serial_number=uuid.UUID(sbom.document_key(report)[:32], version=5))
        bom.metadata.component = model
        bom.metadata.timestamp = sbom.created_at()
        bom.metadata.tools.components.add(
            c.Component(
                type=c.ComponentType.APPLICATION,
                name="modelcheck",
                version=__version__,
                bom_ref=TOOL_REF,
            )
        )
        return bom


def model_card(report: Report) -> dict[str, Any]:
    """CycloneDX `modelCard` from what the card and config declare (nothing inferred)."""
    facts = report.facts
    card = getattr(facts, "card", None)
    config = getattr(facts, "config", None)
    params: dict[str, Any] = {}
    if card is not None:
        task = card.text("pipeline_tag")
        if task:
            params["task"] = clean(task, 200)
        datasets = [
            {"type": "dataset", "name": clean(d, 200)} for d in card.strings("datasets")[:50]
        ]
        if datasets:
            params["datasets"] = datasets
    if config is not None:
        if config.model_type:
            params["architectureFamily"] = clean(config.model_type, 200)
        if config.architectures:
            params["modelArchitecture"] = clean(config.architectures[0], 200)
    props = []
    if card is not None:
        for key in ("license", "license_name", "license_link", "base_model_relation",
                    "library_name", "model_name"):
            value = card.text(key)
            if value:
                props.append({"name": f"huggingface:{key}", "value": clean(value, 500)})
        for key in ("base_model", "language", "tags"):
            for value in card.strings(key)[:50]:
                props.append({"name": f"huggingface:{key}", "value": clean(value, 500)})
    out: dict[str, Any] = {"bom-ref": "model-card"}
    if params:
        out["modelParameters"] = params
    if props:
        out["properties"] = props
    return out


def _annotation(f: Finding, timestamp: str) -> dict[str, Any]:
    state = "waived" if f.waived else f.severity.value
    loc = locate(f).label
    text = f"[{state}] {f.rule_id} at {loc}: {f.message}"
    if f.fix:
        text += f" Fix: {f.fix}"
    if f.waived and f.waiver_reason:
        text += f" Waived: {f.waiver_reason}"
    return {
        "bom-ref": f"finding:{fingerprint(f)}",
        "subjects": [MODEL_REF],
        "annotator": {"component": {"type": "application", "name": "modelcheck",
                                    "version": __version__}},
        "timestamp": timestamp,
        "text": clean(text, 2000),
    }


def to_dict(report: Report) -> dict[str, Any]:
    from cyclonedx.output.json import JsonV1Dot6

    builder = _Builder(report)
    data: dict[str, Any] = json.loads(JsonV1Dot6(builder.bom()).output_as_string())
    data["metadata"]["component"]["modelCard"] = model_card(report)
    timestamp = data["metadata"]["timestamp"]
    findings = sorted(report.findings, key=finding_sort_key)
    seen: set[str] = set()
    annotations = []
    for f in findings:
        a = _annotation(f, timestamp)
        if a["bom-ref"] not in seen:  # bom-refs must be unique
            seen.add(a["bom-ref"])
            annotations.append(a)
    if annotations:
        data["annotations"] = annotations
    return data


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
