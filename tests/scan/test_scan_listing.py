"""Listing children and authors through the Hub's model search, with paging."""

from __future__ import annotations

import family
import pytest
from scanning import settings_for

from compliance.scan.executors import LocalExecutor
from compliance.scan.http import PoliteClient
from compliance.scan.listing import by_author, children
from compliance.scan.run import ScanSummary, listed_tasks, run_scan
from compliance.scan.store import Store

pytestmark = [pytest.mark.hub]


def test_children_follow_every_page_and_only_declared_bases(hub):
    client = PoliteClient(hub.url)
    found = list(children(client, family.BASE, depth=1))
    client.close()
    declared = {c.repo_id for c in hub.children if c.declared_base == family.BASE}
    assert {x.repo_id for x in found} == declared
    assert len(found) == len(declared)  # no duplicates across pages
    assert len(declared) > hub.proxy.page  # so paging really happened
    finetune = [s for s in hub.proxy.searches if "finetune" in s]
    assert len(finetune) == -(-len(declared) // hub.proxy.page)
    assert all(x.sha for x in found) and all(x.relation == "finetune" for x in found)
    # hidden bases are invisible to the model tree: only an audit of the repo finds them
    hidden = {c.repo_id for c in hub.children if c.label == "hidden-base"}
    assert hidden and not hidden & {x.repo_id for x in found}


def test_depth_two_adds_grandchildren(hub):
    client = PoliteClient(hub.url)
    found = {x.repo_id: x for x in children(client, family.BASE, depth=2)}
    client.close()
    grand = {c.repo_id for c in hub.children if c.label == "grandchild"}
    assert grand <= set(found)
    assert {found[g].depth for g in grand} == {2}
    assert {found[g].parent for g in grand} == {family.FIRST_CHILD}


def test_author_lists_one_org(hub):
    client = PoliteClient(hub.url)
    found = {x.repo_id for x in by_author(client, family.GATED_ORG)}
    client.close()
    assert found == {c.repo_id for c in hub.children if c.label == "gated"}


def test_a_rescan_from_the_listing_costs_no_request_per_unchanged_repo(hub, tmp_path):
    store = tmp_path / "listed.db"
    client = PoliteClient(hub.url)

    def once() -> ScanSummary:
        summary = ScanSummary()
        listed = (x for x in children(client, family.BASE) if "compliant-00" in x.repo_id)
        with Store(store) as st:
            return run_scan(
                listed_tasks(listed, None, None, summary),
                store=st,
                executor=LocalExecutor(4),
                settings=settings_for(hub.url),
                digest="listing",
                summary=summary,
            )

    first = once()
    second = once()
    client.close()
    assert first.audited == 99 and first.requests > 0
    assert second.unchanged == first.audited and second.audited == 0
    assert second.requests == 0


def test_cli_children_since_and_author(hub, tmp_path, monkeypatch, capsys):
    from compliance.cli import main

    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("MODELCHECK_HUB_BACKOFF", "0.01")
    store = str(tmp_path / "cli.db")
    declared = sum(1 for c in hub.children if c.declared_base == family.BASE)

    args = ["scan", "--children", family.BASE, "--store", store, "--rate", "0"]
    assert main([*args, "--since", "2027-01-01"]) == 0
    out = capsys.readouterr().out
    assert "0 repos: 0 audited" in out and f"{declared} not modified since 2027-01-01" in out

    assert main(["scan", "--author", family.GATED_ORG, "--store", store, "--rate", "0"]) == 0
    gated = sum(1 for c in hub.children if c.label == "gated")
    assert f"{gated} repos: 0 audited, 0 unchanged, {gated} gated" in capsys.readouterr().out
