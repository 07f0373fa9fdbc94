"""`.modelcheck.yaml`: the audited repo's own settings (or `--config FILE`).

Schema (declared below, validated like rule packs):
  repo_id: org/name          # published name, for naming rules
  rules: [policies/]         # extra rule-pack dirs, relative to the config file
  fail_on: error             # error | warning | info | never (or none)
  waivers:                   # each: rule (required), ancestor (optional), reason (mandatory),
                             # expires (optional, YYYY-MM-DD)
    - {rule: llama3.1/name-prefix, reason: "Name approved by Meta in writing (ticket 123)."}

A waiver without a reason is not a ConfigError: the engine reports it as an error
finding (core/waiver-without-reason), so the audit still runs and shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from compliance import safeload
from compliance.errors import ConfigError
from compliance.packs import Key, check_schema

CONFIG_NAME = ".modelcheck.yaml"
FAIL_ON = ("error", "warning", "info", "never", "none")  # "never" as on the CLI; "none" kept
MAX_CONFIG_BYTES = 256 << 10

WAIVER_SCHEMA = {
    "rule": Key((str,), required=True),
    "ancestor": Key((str, type(None))),
    "reason": Key((str, type(None))),
    "expires": Key((str, type(None))),  # YYYY-MM-DD; after it the waiver is not applied
}
CONFIG_SCHEMA = {
    "repo_id": Key((str, type(None))),
    "rules": Key((list, str, type(None)), items=str),
    "fail_on": Key((str, type(None)), enum=(*FAIL_ON, None)),
    "waivers": Key((list, type(None)), items=dict),
    "lineage": Key((dict, type(None))),  # derivation disclosures (weights/disclosure.py)
}


@dataclass(frozen=True)
class Waiver:
    rule: str
    ancestor: str | None
    reason: str | None  # None or blank: reported as core/waiver-without-reason
    index: int  # position in `waivers`, for evidence
    line: int | None = None
    expires: str | None = None  # ISO date (YYYY-MM-DD), validated


@dataclass(frozen=True)
class Config:
    origin: str | None = None  # where it came from, e.g. ".modelcheck.yaml" or a path
    repo_id: str | None = None
    rules: tuple[str, ...] = ()  # absolute directories
    fail_on: str | None = None
    waivers: tuple[Waiver, ...] = ()


def parse_config(
    data: Any, origin: str, base_dir: Path | None, key_lines: dict[str, int] | None = None
) -> Config:
    """Validate a parsed `.modelcheck.yaml`; raise ConfigError with a one-line message."""
    if data is None:
        return Config(origin=origin)
    problems = check_schema(data, CONFIG_SCHEMA)
    waivers_raw = data.get("waivers") or [] if isinstance(data, dict) else []
    if not problems:
        for i, w in enumerate(waivers_raw):
            problems += check_schema(w, WAIVER_SCHEMA, f"waivers[{i}]")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"{origin}: {problems[0]}{more}")
    rules = data.get("rules") or []
    rules = [rules] if isinstance(rules, str) else rules
    dirs: list[str] = []
    for r in rules:
        path = Path(r)
        if not path.is_absolute():
            if base_dir is None:
                raise ConfigError(f"{origin}: rule directory '{r}' cannot be resolved here")
            path = base_dir / path
        dirs.append(str(path.resolve()))
    waiver_line = (key_lines or {}).get("waivers")
    waivers = tuple(
        Waiver(
            rule=w["rule"].strip(),
            ancestor=(w.get("ancestor") or "").strip() or None,
            reason=(w.get("reason") or "").strip() or None,
            index=i,
            line=waiver_line,
            expires=_expiry(w.get("expires"), f"{origin}: waivers[{i}].expires"),
        )
        for i, w in enumerate(waivers_raw)
    )
    return Config(
        origin=origin,
        repo_id=data.get("repo_id"),
        rules=tuple(dirs),
        fail_on=data.get("fail_on"),
        waivers=waivers,
    )


def _expiry(value: str | None, where: str) -> str | None:
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ConfigError(f"{where}: {value.strip()!r} is not a date (YYYY-MM-DD)") from None


def load_config_file(path: str | Path) -> Config:
    """`--config FILE`: read, parse (bounded) and validate."""
    p = Path(path)
    try:
        raw = p.read_bytes()[: MAX_CONFIG_BYTES + 1]
    except OSError as e:
        raise ConfigError(f"{p}: cannot read config: {e.strerror or e}") from e
    loaded = safeload.load_yaml(raw, str(p), max_bytes=MAX_CONFIG_BYTES)
    if loaded.error is not None:
        raise ConfigError(f"{p}: invalid config: {loaded.error.message}")
    return parse_config(loaded.value, str(p), p.parent.resolve(), loaded.key_lines)


def config_for(
    repo_config: dict[str, Any], config_file: str | None, repo_dir: Path | None
) -> Config | None:
    """`--config FILE` wins over the repo's own `.modelcheck.yaml` (facts.modelcheck_config).

    For a Hub repo (`repo_dir` None) the caller drops `rules:` first (with a note): it
    cannot point at local folders.
    """
    if config_file:
        return load_config_file(config_file)
    if not repo_config:
        return None
    return parse_config(repo_config, CONFIG_NAME, repo_dir)
