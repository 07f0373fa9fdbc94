"""The scan tests' Hub: olah serving a generated family (family.py) behind a proxy that
injects the family's faults and answers the model search (hubsearch.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hub"))

import family  # noqa: E402
from faultproxy import Fault  # noqa: E402
from hubsearch import HubProxy  # noqa: E402
from hubserver import Olah, start_olah, stop  # noqa: E402


@dataclass
class FamilyHub:
    olah: Olah
    proxy: HubProxy
    children: list[family.Child]
    mirror: family.Mirror

    @property
    def url(self) -> str:
        return self.proxy.url

    def arm(self) -> None:
        """The family's faults, fresh (a `times=1` fault is used up by one scan)."""
        self.proxy.reset()
        self.proxy.searches.clear()
        self.proxy.add(
            Fault(
                rf"GET /{family.GATED_ORG}/[^/]+/resolve/",
                status=403,
                headers={"X-Error-Code": "GatedRepo"},
            )
        )
        for c in self.children:
            if c.label == "server-error":
                self.proxy.add(Fault(rf"GET /api/models/{c.repo_id}/revision/", status=503))
            elif c.label == "rate-limited":
                self.proxy.add(
                    Fault(
                        rf"GET /api/models/{c.repo_id}/revision/",
                        status=429,
                        headers={"Retry-After": "0"},
                        times=1,
                    )
                )

    def ids(self, labels: set[str] | None = None, limit: int | None = None) -> list[str]:
        out = [c.repo_id for c in self.children if labels is None or c.label in labels]
        return out[:limit]


@pytest.fixture(scope="session")
def family_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FamilyHub]:
    root = tmp_path_factory.mktemp("family")
    try:
        proc, server = start_olah(root)
    except RuntimeError as e:
        pytest.skip(f"olah could not start, scan tests skipped: {e}")
    try:
        children = family.build(server.mirrors)
        listed = [
            {
                "id": c.repo_id,
                "sha": c.sha,
                "lastModified": "2026-01-01T00:00:00.000Z",
                "base": c.declared_base or "",
                "relation": "finetune",
            }
            for c in children
        ]
        proxy = HubProxy(server.url, listed).start()
        try:
            hub = FamilyHub(server, proxy, children, family.Mirror(server.mirrors))
            hub.arm()
            yield hub
        finally:
            proxy.stop()
    finally:
        stop(proc)


@pytest.fixture
def hub(family_hub: FamilyHub) -> FamilyHub:
    family_hub.arm()
    return family_hub
