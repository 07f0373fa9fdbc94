"""BLAS threads are limited before numpy loads, never over the user's choice."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from compliance.weights.threads import BLAS_ENV, helpful_threads

PROBE = (
    "import json, os, compliance.weights, numpy; "
    f"print(json.dumps({{v: os.environ.get(v) for v in {BLAS_ENV!r}}}))"
)


def _probe(env: dict[str, str]) -> dict[str, str | None]:
    clean = {k: v for k, v in os.environ.items() if k not in BLAS_ENV}
    clean.pop("MODELCHECK_BLAS_THREADS", None)
    out = subprocess.run([sys.executable, "-c", PROBE], env={**clean, **env},
                         capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)


def test_helpful_threads():
    assert [helpful_threads(c) for c in (1, 2, 3, 4, 8, 64)] == [1, 1, 1, 2, 4, 4]


def test_importing_the_weights_package_limits_blas_threads():
    got = _probe({})
    assert set(got.values()) == {str(helpful_threads())}


def test_the_users_choice_wins():
    assert _probe({"OPENBLAS_NUM_THREADS": "3"})["OPENBLAS_NUM_THREADS"] == "3"
    assert set(_probe({"MODELCHECK_BLAS_THREADS": "2"}).values()) == {"2"}
