"""`license: other` with no name or link: the licence is unknown, nothing disagrees."""

from __future__ import annotations

from tests.audit_support import audit_files, card, categories


def test_bare_other_is_license_unknown_not_mismatch(tmp_path):
    report = audit_files(tmp_path, {"README.md": card("license: other", "# Foo\n")})
    found = {f.rule_id: f.category for f in report.findings}
    assert found["core/license-other-unnamed"] == "license-unknown"
    assert "license-mismatch" not in categories(report)
