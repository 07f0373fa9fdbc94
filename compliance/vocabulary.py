"""The words the audit's options share (one definition; the CLI reads it without
importing the report model, so `--version` stays bare)."""

from __future__ import annotations

# `--fail-on` / `fail_on:`: the lowest severity that makes the exit code 1 ("never": none)
FAIL_ON: tuple[str, ...] = ("error", "warning", "info", "never")
FAIL_ON_ALIASES: dict[str, str] = {"none": "never"}  # .modelcheck.yaml may say "none"
DEFAULT_FAIL_ON = "error"
# `--resolve`: where ancestor licences come from (auto: the Hub for Hub targets)
RESOLVE_MODES: tuple[str, ...] = ("auto", "hub", "catalog")
