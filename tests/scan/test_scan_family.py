"""The ≥ 500-repo family end to end: per-category counts equal the labels."""

from __future__ import annotations

import io
import json
from collections import Counter

import family
from scanning import scan

from compliance.scan.report import render
from compliance.scan.result import AUDITED, FAILED, GATED
from compliance.scan.store import Store

pytestmark = [__import__("pytest").mark.hub]

REQUESTS_PER_REPO = 6
BYTES_PER_REPO = 200_000


def test_family_counts_equal_the_labels(hub, tmp_path):
    assert len(hub.children) >= 500
    labels = Counter(c.label for c in hub.children)
    store = tmp_path / "family.db"

    summary = scan(hub.url, hub.ids(), store)

    assert summary.seen == len(hub.children)
    assert summary.gated == labels["gated"]
    assert summary.failed == labels["server-error"]
    assert summary.audited == len(hub.children) - labels["gated"] - labels["server-error"]

    out = io.StringIO()
    with Store(store, readonly=True) as st:
        render(st, "json", out)
        report = json.loads(out.getvalue())
    s = report["summary"]
    expected: Counter[str] = Counter()
    for label, n in labels.items():
        for category in family.LABELS[label]:
            expected[category] += n
    assert s["categories"] == dict(expected)
    assert s["compliant"] == sum(labels[x] for x in family.COMPLIANT)
    assert s["by_status"] == {
        AUDITED: summary.audited,
        GATED: labels["gated"],
        FAILED: labels["server-error"],
    }

    by_id = {r["repo_id"]: r for r in report["repos"]}
    assert len(by_id) == len(hub.children)
    for child in hub.children:
        repo = by_id[child.repo_id]
        if child.label == "gated":
            assert repo["status"] == GATED and "HTTP 403" in repo["reason"]
        elif child.label == "server-error":
            assert repo["status"] == FAILED and "HTTP 503" in repo["reason"]
        else:
            assert repo["status"] == AUDITED, (child, repo)
            assert repo["commit"] == child.sha
            assert set(repo["categories"]) == family.LABELS[child.label], child
            assert repo["compliant"] == (child.label in family.COMPLIANT)
    relicensed = [r for r in s["licences"] if r["declared"] == "apache-2.0"]
    assert relicensed == [
        {"declared": "apache-2.0", "inherited": "llama3.1", "repos": labels["relicensed"]}
    ]


def test_one_repo_costs_at_most_six_requests_and_200_kb(hub, tmp_path):
    ids = [c.repo_id for c in hub.children if c.label in ("compliant", "relicensed")][:40]
    store = tmp_path / "cost.db"
    scan(hub.url, ids, store)
    with Store(store, readonly=True) as st:
        costs = [(r["requests"], r["bytes"]) for r in st.query("SELECT * FROM results")]
    assert len(costs) == len(ids)
    assert max(req for req, _ in costs) <= REQUESTS_PER_REPO
    assert max(b for _, b in costs) <= BYTES_PER_REPO
    # model info + README + LICENSE + NOTICE + config.json: no HEAD, no tree listing
    assert all(req == 5 for req, _ in costs), costs
    methods = Counter(e.method for e in hub.proxy.log)
    assert set(methods) == {"GET"}
