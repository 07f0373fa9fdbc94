"""Why a fix was refused (exit 2): the repo is not in a state an edit can be made safely."""

from __future__ import annotations

from compliance.errors import ModelcheckError


class FixRefused(ModelcheckError):
    """One line naming the file and the problem."""
