"""Fixtures for the `hub` tests: a real Hub-compatible server (olah) on loopback,
and a fault-injecting proxy in front of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from faultproxy import FaultProxy
from hubserver import Olah, start_olah, stop


@pytest.fixture(scope="session")
def olah(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Olah]:
    root = tmp_path_factory.mktemp("olah")
    try:
        proc, server = start_olah(root)
    except RuntimeError as e:
        pytest.skip(f"olah could not start, hub tests skipped: {e}")
    try:
        yield server
    finally:
        stop(proc)


@pytest.fixture
def proxy(olah: Olah) -> Iterator[FaultProxy]:
    p = FaultProxy(olah.url).start()
    try:
        yield p
    finally:
        p.stop()
