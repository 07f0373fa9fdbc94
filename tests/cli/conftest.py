"""CLI tests run `compliance.cli.main` in-process with a fake pipeline, or the real
console script in a subprocess for the end-to-end ones."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable

import pytest

from compliance.report import Report


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list]:
    """Replace compliance.pipeline with a stub whose run_audit returns `report` (or
    raises `exc`); returns the list of AuditOptions it was called with."""

    def install(report: Report | None = None, exc: BaseException | None = None) -> list:
        calls: list = []
        module = types.ModuleType("compliance.pipeline")

        class AuditOptions:
            def __init__(self, **kwargs: object) -> None:
                self.__dict__.update(kwargs)

        def run_audit(opts: AuditOptions) -> Report:
            calls.append(opts)
            if exc is not None:
                raise exc
            assert report is not None
            return report

        module.AuditOptions = AuditOptions  # type: ignore[attr-defined]
        module.run_audit = run_audit  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "compliance.pipeline", module)
        return calls

    return install
