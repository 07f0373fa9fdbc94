"""HF_ENDPOINT: one without a scheme is refused in one line; errors name a non-default one."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.errors import ConfigError, SourceError
from compliance.sources.hub import DEFAULT_ENDPOINT, HubSettings, HubSource, endpoint_from
from compliance.sources.hub_errors import RetryPolicy


@pytest.mark.parametrize("value", ["hf-mirror.com", "localhost:8080", "ftp://x", "https://"])
def test_endpoint_that_is_not_a_url_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="HF_ENDPOINT=.* is not an http\\(s\\) URL"):
        endpoint_from(value)


def test_scheme_hint_and_defaults() -> None:
    with pytest.raises(ConfigError, match="did you mean https://hf-mirror.com"):
        HubSettings.from_env({"HF_ENDPOINT": "hf-mirror.com"})
    assert endpoint_from(None) == endpoint_from("  ") == DEFAULT_ENDPOINT
    assert endpoint_from("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"


def test_cli_exit_2_one_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "hf-mirror.com")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert main(["audit", "some-org/some-model"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "HF_ENDPOINT='hf-mirror.com'" in err


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_hub_errors_name_a_non_default_endpoint(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    settings = HubSettings(
        endpoint=endpoint, cache_dir=str(tmp_path), timeout=2.0, policy=RetryPolicy(retries=0)
    )
    with pytest.raises(SourceError) as info:
        HubSource.open("some-org/some-model", settings=settings)
    assert str(info.value).endswith(f"(Hub endpoint {endpoint})")
    assert len(str(info.value).splitlines()) == 1
