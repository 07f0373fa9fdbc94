"""Whether an ancestor belongs to the publisher of the audited model.

A licence binds its licensees. When the audited model and an ancestor sit in the same Hub
organisation (Meta's Llama Guard on Meta's Llama 3.1, TinyLlama's chat model on its own
intermediate checkpoint), the publisher is the licensor of that ancestor and owes itself
none of the duties its licence puts on others. The organisation is read from the names,
so a local copy audited under the licensor's name is treated as the licensor's release.
"""

from __future__ import annotations


def org_of(repo_id: str | None) -> str | None:
    """The organisation of `org/name` (lower case), or None for a name without one."""
    if not repo_id or "/" not in repo_id:
        return None
    return repo_id.split("/", 1)[0].strip().lower() or None


def same_publisher(model: str | None, ancestor: str | None) -> bool:
    """True when both names carry an organisation and it is the same one."""
    mine = org_of(model)
    return mine is not None and mine == org_of(ancestor)
