"""SPDX 2.3 JSON reporter, built and validated with spdx-tools.

A package for the model and one per ancestor; lineage as DESCENDANT_OF (VARIANT_OF
for a quantization) with the relation and how it is known in the comment; the
declared licence from the card, the concluded licence only where the audit is sure
(else NOASSERTION); AI licences as LicenseRef-… with a name, a one-line text and the
licence URL; weight files (local audits) with SHA-1 and SHA-256.

SPDX 3 is not offered: spdx-tools 0.8 writes SPDX 3 JSON-LD against a pre-release
model (its own context file, not the published 3.0.1 one) and validates it only
through SHACL, so an AI-profile `AIPackage` it writes is not a valid SPDX 3.0.1
document (docs in README.md, "SBOMs").
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

from compliance import __version__
from compliance.report import Report
from compliance.reporters import sbom
from compliance.reporters.escape import clean

FMT = "spdx"
NAMESPACE = "https://spdx.org/spdxdocs/modelcheck"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
QUANTIZED = frozenset({"quantized"})


def _spdx_id(kind: str, value: str) -> str:
    return f"SPDXRef-{kind}-" + (_ID_UNSAFE.sub("-", value).strip("-") or "x")


def _namespace(report: Report) -> str:
    """Unique per model, commit and finding set, and the same for the same audit."""
    name = _ID_UNSAFE.sub("-", clean(report.model_name, 100)).strip("-") or "model"
    return f"{NAMESPACE}/{name}-{sbom.document_key(report)[:16]}"


class _Builder:
    def __init__(self, report: Report) -> None:
        self.m = sbom.need("spdx_tools.spdx.model", FMT)
        from license_expression import get_spdx_licensing

        self.licensing = get_spdx_licensing()
        self.report = report
        self.extracted: dict[str, Any] = {}

    def expression(self, info: sbom.LicenseInfo | None) -> Any:
        if info is None:
            return self.m.SpdxNoAssertion()
        if info.is_ref and info.expression not in self.extracted:
            self.extracted[info.expression] = self.m.ExtractedLicensingInfo(
                license_id=info.expression,
                extracted_text=info.extracted_text,
                license_name=info.name,
                cross_references=[info.url] if info.url else [],
            )
        return self.licensing.parse(info.expression)

    def model_package(self, files: list[Any]) -> Any:
        m, report = self.m, self.report
        rid = sbom.hub_id(report)
        url = sbom.hub_url(rid, report.commit) if report.source_kind == "hub" else None
        refs = []
        if rid:
            refs.append(
                m.ExternalPackageRef(
                    m.ExternalPackageRefCategory.OTHER, "huggingface", sbom.hub_url(rid) or rid
                )
            )
        declared = sbom.declared_license(report)
        concluded = sbom.concluded_license(report)
        counts = report.counts()
        return m.Package(
            spdx_id="SPDXRef-Model",
            name=clean(report.model_name, 200) or "model",
            download_location=url or m.SpdxNoAssertion(),
            version=report.commit or None,
            # the weight files are the package's analysed files (SPDX 2.3 §7.8, §7.9)
            files_analyzed=bool(files),
            verification_code=_verification_code(m, files) if files else None,
            license_info_from_files=[m.SpdxNoAssertion()] if files else None,
            license_declared=self.expression(declared),
            license_concluded=self.expression(concluded) if concluded else m.SpdxNoAssertion(),
            license_comment=(
                "Concluded by modelcheck: no open licence findings and every ancestor's "
                "licence known."
                if concluded
                else "Not concluded: the audit found licence problems or an ancestor "
                "whose licence is unknown (see the modelcheck report)."
            ),
            copyright_text=m.SpdxNoAssertion(),
            primary_package_purpose=m.PackagePurpose.OTHER,
            comment=clean(
                f"Machine-learning model ({report.relation or 'base model'}). "
                f"modelcheck {__version__}: {counts['error']} errors, {counts['warning']} "
                f"warnings, {counts['info']} info, {counts['waived']} waived.",
                1000,
            ),
            external_references=refs,
        )

    def ancestor_package(self, a: Any) -> Any:
        m = self.m
        url = sbom.hub_url(a.repo_id, a.revision)
        info = sbom.license_for(a.license)
        note = f"licence from {a.license_source}" if a.license_source else "licence unknown"
        return m.Package(
            spdx_id=_spdx_id("Ancestor", a.repo_id),
            name=clean(a.repo_id, 200),
            download_location=url or m.SpdxNoAssertion(),
            version=a.revision or None,
            files_analyzed=False,
            license_declared=self.expression(info),
            license_concluded=m.SpdxNoAssertion(),
            license_comment=clean(f"{note}; resolution: {a.resolution}", 500),
            copyright_text=m.SpdxNoAssertion(),
            primary_package_purpose=m.PackagePurpose.OTHER,
            comment="Machine-learning model (an ancestor of the audited model).",
        )

    def weight_files(self) -> list[Any]:
        m = self.m
        algo = {"SHA1": m.ChecksumAlgorithm.SHA1, "SHA256": m.ChecksumAlgorithm.SHA256}
        files = []
        for w in sbom.weight_checksums(self.report):
            if "SHA1" not in w.digests:  # SPDX 2.3 requires a SHA-1 for every file
                continue
            files.append(
                m.File(
                    name="./" + w.path,
                    spdx_id=_spdx_id("File", w.path),
                    checksums=[m.Checksum(algo[k], v) for k, v in sorted(w.digests.items())],
                    file_types=[m.FileType.BINARY],
                    license_concluded=m.SpdxNoAssertion(),
                    copyright_text=m.SpdxNoAssertion(),
                    comment="Model weights.",
                )
            )
        return files

    def document(self) -> Any:
        m, report = self.m, self.report
        files = self.weight_files()
        model = self.model_package(files)
        packages = [model]
        rel = [m.Relationship("SPDXRef-DOCUMENT", m.RelationshipType.DESCRIBES, model.spdx_id)]
        lineage = report.lineage
        ids = {report.model_name.lower(): model.spdx_id}
        if lineage is not None:
            ids[str(lineage.model).lower()] = model.spdx_id
            for a in lineage.ancestors:
                pkg_id = _spdx_id("Ancestor", a.repo_id)
                if pkg_id not in {p.spdx_id for p in packages}:
                    packages.append(self.ancestor_package(a))
                ids.setdefault(a.repo_id.lower(), pkg_id)
            for a in lineage.ancestors:
                child = ids.get(str(a.child).lower(), model.spdx_id)
                kind = (
                    m.RelationshipType.VARIANT_OF
                    if a.relation in QUANTIZED
                    else m.RelationshipType.DESCENDANT_OF
                )
                how = f"; known from {a.known_from}" if a.known_from else ""
                rel.append(
                    m.Relationship(
                        child,
                        kind,
                        ids[a.repo_id.lower()],
                        comment=clean(f"relation: {a.relation or 'unknown'}{how}", 500),
                    )
                )
        for f in files:
            rel.append(m.Relationship(model.spdx_id, m.RelationshipType.CONTAINS, f.spdx_id))
        creation = m.CreationInfo(
            spdx_version="SPDX-2.3",
            spdx_id="SPDXRef-DOCUMENT",
            name=f"modelcheck SBOM for {clean(report.model_name, 200)}",
            document_namespace=_namespace(report),
            creators=[m.Actor(m.ActorType.TOOL, f"modelcheck-{__version__}")],
            created=sbom.created_at(),
            document_comment="Licence compliance audit by modelcheck; findings are in the "
            "modelcheck report (--format markdown / json / sarif).",
        )
        return m.Document(
            creation_info=creation,
            packages=packages,
            files=files,
            relationships=rel,
            extracted_licensing_info=list(self.extracted.values()),
        )


def _verification_code(m: Any, files: list[Any]) -> Any:
    """SPDX 2.3 §7.9: SHA-1 of the sorted SHA-1s of the package's files."""
    sha1s = sorted(
        c.value for f in files for c in f.checksums if c.algorithm == m.ChecksumAlgorithm.SHA1
    )
    digest = hashlib.sha1("".join(sha1s).encode("ascii"), usedforsecurity=False).hexdigest()
    return m.PackageVerificationCode(digest)


def build_document(report: Report) -> Any:
    """The spdx-tools `Document` for this report."""
    return _Builder(report).document()


def validation_messages(document: Any) -> list[str]:
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    return [v.validation_message for v in validate_full_spdx_document(document)]


def render(report: Report) -> str:
    document = build_document(report)
    problems = validation_messages(document)
    if problems:  # a bug here, not bad input: say which rule of SPDX was broken
        raise RuntimeError(f"the SPDX document does not validate: {problems[0]}")
    from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

    stream = io.StringIO()
    write_document_to_stream(document, stream, validate=False)
    return json.dumps(json.loads(stream.getvalue()), indent=2, ensure_ascii=False) + "\n"
