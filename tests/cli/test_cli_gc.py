"""A run collects reference cycles less often, and leaves the collector as it found it."""

from __future__ import annotations

import gc

import pytest

from compliance import cli


def test_a_run_raises_the_collection_threshold_and_restores_it(monkeypatch):
    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(cli, "_main", lambda args: seen.append(gc.get_threshold()) or 0)
    before = gc.get_threshold()
    assert cli.main(["--version"]) == 0
    assert seen == [(cli.GC_THRESHOLD, *before[1:])]
    assert gc.get_threshold() == before


def test_the_threshold_is_restored_when_the_run_raises(monkeypatch):
    def fail(args: list[str]) -> int:
        raise SystemExit(5)

    monkeypatch.setattr(cli, "_main", fail)
    before = gc.get_threshold()
    with pytest.raises(SystemExit):
        cli.main(["audit", "."])
    assert gc.get_threshold() == before


def test_a_run_still_collects_cycles(monkeypatch):
    """Garbage in reference cycles is still collected during a run, past the threshold."""
    collected: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collected.append(info["collected"])

    def churn(args: list[str]) -> int:
        for _ in range(3 * cli.GC_THRESHOLD):
            cycle: list[object] = []
            cycle.append(cycle)
        return 0

    monkeypatch.setattr(cli, "_main", churn)
    gc.callbacks.append(count)
    try:
        assert cli.main([]) == 0
    finally:
        gc.callbacks.remove(count)
    assert sum(collected) > 0
