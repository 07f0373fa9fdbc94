from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from compliance.facts.model import Facts
from compliance.facts.read import read_facts
from compliance.sources.local import LocalSource

from .builders import write_repo


@pytest.fixture
def facts_of(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Facts]:
    """Write a repo into tmp_path/repo and read its facts."""

    def run(files: dict[str, str | bytes]) -> Facts:
        root = write_repo(tmp_path / "repo", files)
        return read_facts(LocalSource(root))

    return run
