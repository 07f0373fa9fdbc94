"""Weight-based lineage evidence: numpy/scipy only, no torch (the `weights` extra)."""

from compliance.weights.threads import limit_blas_threads

limit_blas_threads()  # before any module of this package imports numpy
