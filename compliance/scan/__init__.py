"""`modelcheck scan`: audit a whole model family, resumably, into an embedded store.

targets (listing) -> executor (local threads or Dask) -> worker audit -> store -> report.
The driver owns the store; workers only return results. See docs/scan.md.
"""
