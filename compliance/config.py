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

from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from compliance import safeload, vocabulary
from compliance.bounded_read import read_capped
from compliance.errors import ConfigError, FileReadError, clip_path
from compliance.lineage.model import RELATIONS
from compliance.packs import Key, check_schema
from compliance.records import record

CONFIG_NAME = ".modelcheck.yaml"
# the CLI's values plus the spellings a config file may also use ("none" for "never")
FAIL_ON = (*vocabulary.FAIL_ON, *vocabulary.FAIL_ON_ALIASES)
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
    "relation": Key((str, type(None)), enum=(*RELATIONS, None)),
}


@record(frozen=True)
class Waiver:
    """One waived rule from `.modelcheck.yaml`, with its reason and expiry."""
    rule: str
    ancestor: str | None
    reason: str | None  # None or blank: reported as core/waiver-without-reason
    index: int  # position in `waivers`, for evidence
    line: int | None = None
    expires: str | None = None  # ISO date (YYYY-MM-DD), validated


@record(frozen=True)
class Config:
    """A validated `.modelcheck.yaml` (or `--config` file)."""
    origin: str | None = None  # where it came from, e.g. ".modelcheck.yaml" or a path
    repo_id: str | None = None
    rules: tuple[str, ...] = ()  # absolute directories
    fail_on: str | None = None
    waivers: tuple[Waiver, ...] = ()
    relation: str | None = None  # how the model relates to its bases, when the card cannot say


def _printable(text: str) -> str:
    """`text` with control characters escaped: a key may hold a newline, a message may not."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _inside_repo_dir(rule_dir: str, repo_dir: Path, origin: str) -> Path:
    """A repo's own rule directory: a relative path to a folder inside the repo, reached
    without following a symlink, holding no rule file that is a symlink out of the repo.

    Why: pre-commit honours the repo's `.modelcheck.yaml`, so a hostile repo could
    otherwise load (and have echoed in error messages) files from anywhere on the
    auditor's machine. `--rules` and `--config` are the user's own and stay free.
    """
    shown = clip_path(rule_dir, 80)

    def refuse(problem: str) -> ConfigError:
        return ConfigError(f"{origin}: rules: {shown!r} {problem}; refused")

    rel = PurePosixPath(rule_dir.replace("\\", "/"))
    if rel.is_absolute() or PureWindowsPath(rule_dir).drive:
        raise refuse("is an absolute path (a repo's rule folder must be inside it)")
    if ".." in rel.parts:
        raise refuse("leaves the repo ('..')")
    root = repo_dir.resolve()
    current = root
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            raise refuse(f"goes through the symbolic link {part!r}")
    if current.is_dir():
        _refuse_links_out(current, root, refuse)
    return current


def _refuse_links_out(rule_dir: Path, root: Path, refuse: Any) -> None:
    """Rule files and pack folders (the dir and one level down) must not link outside."""
    try:
        entries = [rule_dir, *(p for p in rule_dir.iterdir() if p.is_dir())]
        candidates = [p for d in entries for p in d.iterdir()]
    except OSError as e:
        raise refuse(f"cannot be listed ({e.strerror or e})") from None
    for p in candidates[:10_000]:
        if not p.is_symlink():
            continue
        try:
            target = p.resolve()
        except (OSError, RuntimeError):
            raise refuse(f"holds a symbolic link loop ({p.name!r})") from None
        if target != root and root not in target.parents:
            raise refuse(f"holds {p.name!r}, a symbolic link to a path outside the repo")


def parse_config(
    data: Any,
    origin: str,
    base_dir: Path | None,
    key_lines: dict[str, int] | None = None,
    *,
    confine: bool = False,
) -> Config:
    """Validate a parsed `.modelcheck.yaml`; raise ConfigError with a one-line message.

    `confine`: the file came from the audited repo, so its `rules:` must stay inside it."""
    if data is None:
        return Config(origin=origin)
    problems = check_schema(data, CONFIG_SCHEMA)
    waivers_raw = data.get("waivers") or [] if isinstance(data, dict) else []
    if not problems:
        for i, w in enumerate(waivers_raw):
            problems += check_schema(w, WAIVER_SCHEMA, f"waivers[{i}]")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"{origin}: {_printable(problems[0])}{more}")
    rules = data.get("rules") or []
    rules = [rules] if isinstance(rules, str) else rules
    dirs: list[str] = []
    for r in rules:
        if confine and base_dir is not None:
            dirs.append(str(_inside_repo_dir(r, base_dir, origin)))
            continue
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
        relation=data.get("relation"),
    )


def _expiry(value: str | None, where: str) -> str | None:
    if not value or not value.strip():
        return None
    from datetime import date  # only a waiver with an expiry needs it

    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ConfigError(f"{where}: {value.strip()!r} is not a date (YYYY-MM-DD)") from None


def load_config_file(path: str | Path) -> Config:
    """`--config FILE`: read, parse (bounded) and validate."""
    p = Path(path)
    try:
        read = read_capped(p, MAX_CONFIG_BYTES)
    except FileReadError as e:
        raise ConfigError(f"{clip_path(str(p))}: cannot read config: {e.problem}") from None
    if read.truncated:
        raise ConfigError(f"{clip_path(str(p))}: config larger than {MAX_CONFIG_BYTES} bytes")
    loaded = safeload.load_yaml(read.data, str(p), max_bytes=MAX_CONFIG_BYTES)
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
    return parse_config(repo_config, CONFIG_NAME, repo_dir, confine=True)
