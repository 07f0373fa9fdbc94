"""`modelcheck fix PATH`: show (or with --write, apply) the edits the findings ask for.

Exit codes: 0 nothing to fix, or every edit written (--write); 1 a diff was shown and
edits are pending; 2 the repo cannot be fixed safely (not a local directory, a
symlinked or broken card, a --license-file that is not the licence needed).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from compliance.errors import ExitCode, PathNotFoundError
from compliance.fix.errors import FixRefused

if TYPE_CHECKING:
    from compliance.rule_model import Pack

LICENSE_FILE_CAP = 1 << 20


def _say(line: str) -> None:
    print(f"modelcheck: {line}", file=sys.stderr)


def _license_text(path: Path, wanted: list[str], packs: list[Pack]) -> str:
    from compliance.packs.identify import identify_text

    try:
        if path.stat().st_size > LICENSE_FILE_CAP:
            raise FixRefused(f"{path}: larger than {LICENSE_FILE_CAP} bytes; not a licence text")
        text = path.read_bytes().decode("utf-8")
    except OSError as e:
        raise FixRefused(f"{path}: cannot read the licence file: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise FixRefused(f"{path}: not UTF-8 text; not a licence text") from e
    seen = identify_text(text, "license", packs)
    missing = [p for p in wanted if p not in seen]
    if missing:
        raise FixRefused(
            f"{path}: not recognised as the {', '.join(missing)} licence text "
            f"(recognised: {', '.join(seen) or 'none'}); pass the base model's own LICENSE"
        )
    return text


def run(
    target: str,
    *,
    write: bool = False,
    license_file: Path | None = None,
    rules_dirs: list[Path] | None = None,
    config_file: Path | None = None,
    name: str | None = None,
) -> int:
    from compliance import packs as packs_mod
    from compliance.fix import apply, changes, diff, front_matter, plan
    from compliance.pipeline import AuditOptions, run_audit

    root = Path(target)
    if not root.is_dir():
        raise PathNotFoundError(f"{target}: not a local directory; fix edits local repos only")
    report = run_audit(
        AuditOptions(
            target=target,
            name=name,
            rules_dirs=[str(d) for d in rules_dirs or []],
            config_file=str(config_file) if config_file else None,
        )
    )
    packs = packs_mod.load_all(report.rules_dirs)  # the audit's own, .modelcheck.yaml's too
    rules = {r.id: r for p in packs for r in p.rules}
    card_name = changes.readme_name(root)
    card_text = changes.read_text(root, card_name) if card_name else None
    metadata = (front_matter.current(card_text, card_name or "") if card_text else None) or {}
    lineage = report.lineage
    written_as = (
        {a.repo_id: a.as_written or a.repo_id for a in lineage.ancestors} if lineage else {}
    )
    todo = plan.plan_fixes(
        report.findings, rules, metadata, relation=report.relation, written_as=written_as
    )
    license_text = None
    if todo.license_for and license_file is not None:
        license_text = _license_text(license_file, todo.license_for, packs)
    elif todo.license_for:
        todo.not_fixed.append(
            f"licence text for {', '.join(todo.license_for)}: pass --license-file FILE "
            "(the base model's own LICENSE); modelcheck never writes one itself"
        )
    edits = changes.build_changes(root, todo, license_text)
    for line in todo.suggestions:
        _say(f"suggestion (not applied): {line}")
    for line in todo.not_fixed:
        _say(f"not fixed: {line}")
    if not edits:
        _say("nothing to fix automatically")
        return ExitCode.OK
    if write:
        written = apply.apply(root, edits)
        _say(f"wrote {', '.join(written)}; run modelcheck audit to check the rest")
        return ExitCode.OK
    sys.stdout.write(diff.render(edits))
    sys.stdout.flush()
    _say(f"{len(edits)} file(s) would change; rerun with --write to apply")
    return ExitCode.FINDINGS
