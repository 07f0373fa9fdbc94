"""Which of two licence answers to keep when sources disagree: the stricter one.

Only the clear case is decided: a permissive licence (MIT, Apache-2.0, BSD, CC0, CC-BY)
against one with conditions on use or redistribution (a model licence, RAIL, CC-NC …).
Two restrictive licences are not ranked; the first answer stands.
"""

from __future__ import annotations

PERMISSIVE = frozenset({
    "mit", "apache-2.0", "bsd-2-clause", "bsd-3-clause", "bsd", "cc0-1.0", "cc-by-4.0",
    "cc-by-3.0", "unlicense", "isc", "zlib", "wtfpl", "afl-3.0", "bsl-1.0", "postgresql",
})  # fmt: skip


def stricter_of(first: str, second: str | None) -> str:
    """`second` when `first` is permissive and `second` is not; else `first`."""
    if second and first.lower() in PERMISSIVE and second.lower() not in PERMISSIVE:
        return second
    return first
