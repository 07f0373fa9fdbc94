"""One module per CLI verb; each exposes `run(...) -> int` (an exit code).

`compliance/cli.py` imports them lazily so unrelated verbs cost nothing.
"""
