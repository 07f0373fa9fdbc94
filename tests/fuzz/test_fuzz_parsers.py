"""Property-based fuzzing of every parser that sees untrusted bytes.

Properties, for any input: no exception escapes except the documented ones
(`ModelcheckError` subclasses where a parser may refuse; none at all where bad
content must become a finding), and each input is parsed within a time budget
(Hypothesis `deadline`) and a memory budget (tracemalloc peak).

Bounded to run in well under a minute on two cores (`max_examples`, `deadline`);
`HYPOTHESIS_PROFILE=fuzz-long` explores more. Inputs that once broke a parser live in
`tests/fuzz/corpus/` and are replayed by the `test_corpus_*` tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance import safeload
from compliance.config import parse_config
from compliance.errors import ConfigError, ModelcheckError, RulePackError
from compliance.facts.read import read_facts
from tests.fuzz import strategies as S
from tests.fuzz.memsource import MemSource

MEMORY_CAP = 64 << 20  # bytes allocated at peak while parsing one small input
CORPUS = Path(__file__).parent / "corpus"

settings.register_profile(
    "fuzz-ci",
    max_examples=150,
    deadline=timedelta(seconds=3),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-long",
    max_examples=2000,
    deadline=timedelta(seconds=5),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "fuzz-ci"))


def bounded(call: Callable[[], Any]) -> Any:
    """Run `call`, asserting its peak allocation stays under MEMORY_CAP."""
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_CAP, f"peak {peak} bytes"
    return result


def _facts(files: dict[str, bytes]) -> Any:
    facts = bounded(lambda: read_facts(MemSource(files)))
    json.dumps([p.message for p in facts.problems])  # every message is plain text
    return facts


# ---------------------------------------------------------------- facts readers


@settings(PROFILE)
@given(S.card_bytes)
def test_card_front_matter_and_body(data: bytes) -> None:
    _facts({"README.md": data})


@settings(PROFILE)
@given(st.sampled_from(["config.json", "adapter_config.json", "generation_config.json",
                        "model.safetensors.index.json", "sub/adapter_config.json"]),
       S.json_bytes)
def test_json_metadata_files(name: str, data: bytes) -> None:
    _facts({name: data, "model.safetensors": b""})


@settings(PROFILE)
@given(st.sampled_from(["mergekit_config.yml", "mergekit_config.yaml", ".modelcheck.yaml"]),
       S.yaml_bytes)
def test_yaml_metadata_files(name: str, data: bytes) -> None:
    _facts({name: data})


@settings(PROFILE)
@given(S.safetensors_bytes, S.json_bytes)
def test_safetensors_header_and_index(shard: bytes, index: bytes) -> None:
    _facts({
        "model-00001-of-00001.safetensors": shard,
        "model.safetensors.index.json": index,
    })


@settings(PROFILE)
@given(S.gguf_bytes)
def test_gguf_header(data: bytes) -> None:
    _facts({"model.gguf": data})


# ---------------------------------------------------------------- loaders


@settings(PROFILE)
@given(st.one_of(S.yaml_bytes, st.binary(max_size=200)))
def test_load_yaml_never_raises(data: bytes) -> None:
    loaded = bounded(lambda: safeload.load_yaml(data, "x.yaml"))
    assert loaded.error is None or "\n" not in loaded.error.message


@settings(PROFILE)
@given(S.json_bytes)
def test_load_json_never_raises(data: bytes) -> None:
    loaded = bounded(lambda: safeload.load_json(data, "x.json"))
    assert loaded.error is None or "\n" not in loaded.error.message


# ---------------------------------------------------------------- configuration


@settings(PROFILE)
@given(st.one_of(S.json_values, st.dictionaries(
    st.sampled_from(["repo_id", "rules", "fail_on", "waivers", "x"]), S.json_values, max_size=4
)))
def test_modelcheck_yaml_schema(data: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            bounded(lambda: parse_config(data, ".modelcheck.yaml", Path(tmp), confine=True))
        except ConfigError as e:
            assert "\n" not in str(e)


@settings(PROFILE)
@given(S.yaml_bytes, S.yaml_bytes)
def test_rule_pack_files(pack_text: bytes, rule_text: bytes) -> None:
    from compliance.packs.load import _load_pack

    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / "fuzz"
        pack.mkdir()
        (pack / "pack.yaml").write_bytes(b"schema: 1\nid: fuzz\nkind: policy\n" + pack_text)
        (pack / "rule.yaml").write_bytes(rule_text)
        problems: list[str] = []
        bounded(lambda: _load_pack(pack, problems))
        assert all("\n" not in p for p in problems)
        with contextlib.suppress(RulePackError):  # the one documented way to refuse
            bounded(lambda: _load_pack(pack))


@settings(PROFILE)
@given(S.safetensors_bytes)
def test_fingerprint_files(data: bytes) -> None:
    fingerprint = pytest.importorskip("compliance.weights.fingerprint",
                                      reason="fingerprints need numpy")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fp.safetensors"
        path.write_bytes(data)
        try:
            bounded(lambda: fingerprint.FingerprintView(path))
        except ModelcheckError as e:
            assert "\n" not in str(e)


# ---------------------------------------------------------------- regression corpus


def _corpus(kind: str) -> list[Path]:
    return sorted(p for p in (CORPUS / kind).iterdir() if p.is_file())


@pytest.mark.parametrize("case", _corpus("facts"), ids=lambda p: p.name)
def test_corpus_facts(case: Path) -> None:
    _facts({case.name.replace("__", "/"): case.read_bytes()})


@pytest.mark.parametrize("case", _corpus("config"), ids=lambda p: p.name)
def test_corpus_config(case: Path) -> None:
    data = json.loads(case.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            parse_config(data, ".modelcheck.yaml", Path(tmp), confine=True)
        except ConfigError as e:
            assert "\n" not in str(e)


@pytest.mark.parametrize("case", _corpus("fingerprint"), ids=lambda p: p.name)
def test_corpus_fingerprint(case: Path) -> None:
    fingerprint = pytest.importorskip("compliance.weights.fingerprint",
                                      reason="fingerprints need numpy")
    with pytest.raises(ModelcheckError):
        fingerprint.FingerprintView(case)
