"""Weight commands need the optional `weights` extra (numpy, scipy); the base install,
which is what a pre-commit hook gets, does not have it."""

from __future__ import annotations

import importlib.util

from compliance.errors import ModelcheckError

EXTRA_MODULES = ("numpy", "scipy")
INSTALL_HINT = "pip install 'modelcheck[weights]'"


class MissingExtraError(ModelcheckError):
    """A command needs a package of an optional extra that is not installed."""


def missing_modules() -> list[str]:
    return [m for m in EXTRA_MODULES if importlib.util.find_spec(m) is None]


def require_weights_extra(command: str) -> None:
    """Raise a one-line error (exit 2) saying how to install the extra, if it is missing."""
    missing = missing_modules()
    if missing:
        raise MissingExtraError(
            f"{command} compares weights and needs {', '.join(missing)}, which this install "
            f"lacks; install the weights extra: {INSTALL_HINT}"
        )
