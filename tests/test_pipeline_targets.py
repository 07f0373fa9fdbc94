"""A mistyped local path is said not to exist; it is never sent to the Hub."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.cli import main
from compliance.errors import PathNotFoundError
from compliance.pipeline import open_source


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "examples").mkdir()
    monkeypatch.chdir(tmp_path)
    # a Hub call would fail differently (and slowly); make any attempt obvious
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("MODELCHECK_HUB_RETRIES", "0")
    return tmp_path


@pytest.mark.parametrize(
    "target",
    ["examples/llama31-finetune-apach", "./models/x", "../x/y", "/no/such/dir", "~/models/x"],
)
def test_path_like_targets_are_not_hub_ids(here: Path, target: str) -> None:
    with pytest.raises(PathNotFoundError, match="no such directory"):
        open_source(target)


def test_the_message_says_why_it_looks_local(here: Path, capsys) -> None:
    assert main(["audit", "examples/typo"]) == 2
    err = capsys.readouterr().err
    assert "examples/typo: no such directory (examples/ exists here)" in err
    assert "HTTP" not in err and "HF_TOKEN" not in err


def test_an_org_name_with_no_local_folder_still_goes_to_the_hub(here: Path) -> None:
    from compliance.errors import SourceError

    with pytest.raises(SourceError) as info:
        open_source("someorg/somemodel")
    assert not isinstance(info.value, PathNotFoundError)
