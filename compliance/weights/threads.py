"""How many threads numpy's BLAS may use for weight comparison.

The products here are small (a few hundred sampled rows per matrix), so BLAS threads
beyond the first mostly wait for each other: on 2 busy cores one extra thread spun for
4.2 of 9.4 s in a profile. The limit is set through the BLAS libraries' own environment
variables, which they read once, when numpy loads them; so it is applied only before
numpy is imported, and never over a value the user set.
"""

from __future__ import annotations

import os
import sys

OVERRIDE_ENV = "MODELCHECK_BLAS_THREADS"
BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def helpful_threads(cores: int | None = None) -> int:
    """One BLAS thread up to 2 cores (the other core hashes and reads), then half the
    cores, at most 4: the matrices are too small to feed more."""
    cores = usable_cores() if cores is None else cores
    return 1 if cores <= 2 else min(4, cores // 2)


def limit_blas_threads() -> int | None:
    """Set the BLAS thread count if numpy is not loaded yet and the user chose none;
    returns the count set, or None when it was left alone."""
    if "numpy" in sys.modules or any(v in os.environ for v in BLAS_ENV):
        return None
    chosen = os.environ.get(OVERRIDE_ENV, "")
    n = int(chosen) if chosen.isdigit() and int(chosen) > 0 else helpful_threads()
    for var in BLAS_ENV:
        os.environ[var] = str(n)
    return n
