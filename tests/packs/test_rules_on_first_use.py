"""A warm load builds a pack's rules when they are first read, and such a pack is the
same, to every reader, as one whose rules were built at once."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from compliance import packs
from compliance.packs import cache as cache_mod
from compliance.rule_model import Pack, rules_on_first_use


@pytest.fixture
def warm_and_cold(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_mod, "CACHE_PATH", tmp_path / "rule-docs.marshal")
    packs.clear_memo()
    cold = packs.load_all()  # parsed and validated: rules built at once, then cached
    packs.clear_memo()
    warm = packs.load_all()  # from the cache
    packs.clear_memo()
    return cold, warm


def test_a_warm_load_builds_rules_only_when_read(warm_and_cold):
    cold, warm = warm_and_cold
    assert all("rules" in vars(p) for p in cold)
    waiting = [p for p in warm if "_rules_later" in vars(p)]
    assert [p.id for p in waiting] == [p.id for p in cold if p.rules]  # all were cached
    first = waiting[0]
    rules = first.rules
    assert rules and all(r.pack == first.id for r in rules)
    assert "_rules_later" not in vars(first) and first.rules is rules  # built once


def test_a_pack_with_rules_built_later_is_the_same_pack(warm_and_cold):
    cold, warm = warm_and_cold
    assert [p.id for p in warm] == [p.id for p in cold]
    for eager, lazy in zip(cold, warm, strict=True):
        assert copy.copy(lazy) == eager  # a copy made before the rules were read
        assert lazy == eager
        assert repr(lazy) == repr(eager)
        assert dataclasses.asdict(lazy) == dataclasses.asdict(eager)
        assert [r.id for r in lazy.rules] == [r.id for r in eager.rules]


def test_rules_on_first_use_replaces_the_rules_it_was_given():
    pack = rules_on_first_use(Pack("x", "policy", "X", "/x"), lambda: ())
    assert pack.rules == () and vars(pack)["rules"] == ()
    assert Pack.rules == ()  # the class attribute is still the field's default
    assert Pack("y", "policy", "Y", "/y").rules == ()


def test_threads_reading_rules_at_once_all_get_them(warm_and_cold):
    import threading

    cold, warm = warm_and_cold
    expected = {p.id: [r.id for r in p.rules] for p in cold}
    seen: list[tuple[str, list[str]]] = []
    start = threading.Barrier(4)

    def read_all() -> None:
        start.wait()
        seen.extend((p.id, [r.id for r in p.rules]) for p in warm)

    threads = [threading.Thread(target=read_all) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 4 * len(warm)
    assert all(ids == expected[pack_id] for pack_id, ids in seen)
