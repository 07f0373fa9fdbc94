"""The distributed executor: a Dask LocalCluster of worker processes gives the same
store as the local thread pool."""

from __future__ import annotations

import os

import pytest
from scanning import rows, scan

from compliance.scan.executors import DaskExecutor, LocalExecutor

pytestmark = [pytest.mark.hub]

LABELS = {"compliant", "relicensed", "missing-attribution", "broken-yaml", "gated", "server-error"}


def _distributed():
    try:
        import distributed
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("dask[distributed] is not installed (pip install 'modelcheck[scan-dask]')")
    return distributed


def test_dask_cluster_gives_the_local_executors_results(hub, tmp_path):
    distributed = _distributed()
    ids = [c.repo_id for c in hub.children if c.label in LABELS][::6]  # ~70 repos
    local = scan(hub.url, ids, tmp_path / "local.db", executor=LocalExecutor(4))

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            pids = set(client.run(os.getpid).values())
        address = cluster.scheduler_address.replace("tcp://", "")
        remote = scan(hub.url, ids, tmp_path / "dask.db", executor=DaskExecutor("tcp://" + address))
    assert len(pids) == 2 and os.getpid() not in pids

    assert (remote.audited, remote.gated, remote.failed) == (
        local.audited,
        local.gated,
        local.failed,
    )
    assert rows(tmp_path / "dask.db") == rows(tmp_path / "local.db")
    assert len(rows(tmp_path / "dask.db")[0]) == len(ids)
