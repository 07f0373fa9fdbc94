"""Report text for weight-lineage results (lineage.md §5.4).

Positive: "consistent with derivation from X" + statistic, n, null (with its source) and
robustness/limits + the not-a-legal-determination sentence. Negative: "No weight evidence of
derivation from X was found with methods ...; these methods cannot detect distillation".
Byte identity is the only plain-fact form ("byte-identical to"). Never judgemental words
(BANNED is tested against every generated text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from compliance.weights.signals.base import SignalResult
from compliance.weights.verdict import (
    DERIVATION,
    IDENTICAL,
    NO_EVIDENCE,
    NOT_VERIFIABLE,
    SUGGESTIVE,
    Verdict,
)

BANNED = re.compile(
    r"\b(cop(y|ied|ies|ying)|stole|stolen|steal\w*|theft|plagiar\w*|fraud\w*|"
    r"fabricat\w*|from scratch)\b",
    re.IGNORECASE,
)

DISCLAIMER = (
    "This is a statistical finding about weights, not a legal determination; it does "
    "not establish who trained the model or whether a licence permits the use."
)
SYMMETRY = (
    "The comparison is symmetric: it does not say which model came first, and a common "
    "parent of both would give the same result (weight similarity cannot tell a parent "
    "from a sibling)."
)

SUBTYPE_PHRASE = {
    "fine-tune": "the pattern matches light fine-tuning (weights moved little)",
    "heavy-training": "the pattern matches substantial further training (weights moved a lot "
    "but kept their direction)",
    "permuted": "the pattern matches derivation followed by a permutation of MLP neurons (a "
    "function-preserving reparameterisation that hides direct similarity)",
    "pruned": "the pattern matches depth pruning (a subset of the candidate's layers)",
    "up-scaled": "the pattern matches depth up-scaling (candidate layers used more than once)",
    "layers-reordered": "the pattern matches reordered layers",
    "upcycled-moe": "the pattern matches a mixture-of-experts upcycled from the candidate's "
    "dense MLP",
    "merge": "the pattern matches a low-rank (LoRA-style) update or merge",
    "shared-tensors": "some tensors are byte-identical while others differ",
    "rotated": "the pattern matches derivation followed by an orthogonal rotation of the "
    "residual stream (a function-preserving reparameterisation that hides direct similarity "
    "but keeps the Gram matrices of corresponding rows)",
}

_EXTRA_LIMIT = ("distillation",)


def _ref(label: str, rev: str | None) -> str:
    return f"`{label}@{rev[:12]}`" if rev else f"`{label}`"


def _num(x: float | None) -> str:
    if x is None:
        return "n/a"
    if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e5):
        return f"{x:.2e}"
    return f"{x:.4g}"


def _join(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def evidence_sentence(r: SignalResult) -> str:
    """'{statistic} = {value} (n = ...), versus {null}: {band} (source: ...). Robust to ...;
    cannot detect ...'."""
    if not r.computable:
        return f"{r.statistic}: not computed ({r.reason})."
    s = f"{r.statistic} = {_num(r.value)} (n = {r.n:,} {r.n_unit})"
    if r.name == "neuron_matching":
        d = r.details
        s += (
            f", neuron-order test Fisher p = {_num(d.get('fisher_p'))} (exact under "
            f"independent initialisation), identity fraction {_num(d.get('identity_frac'))}"
        )
    if r.name in ("layer_alignment", "gram_layers") and r.details.get("map"):
        s += f", layer map suspect->candidate {r.details['map']}"
    if r.null is not None:
        s += f", versus {r.null.description}: {r.null.band()} (source: {r.null.source})"
        if r.null.p_value is not None and r.name != "neuron_matching":
            s += f", p = {_num(r.null.p_value)}"
    s += "."
    if r.robust_to:
        s += f" This method is robust to {_join(list(r.robust_to))}"
        limits = list(r.cannot_detect) + [
            x for x in _EXTRA_LIMIT if not any(x in c for c in r.cannot_detect)
        ]
        s += f" and cannot detect {_join(limits)}."
    return s


def methods(results: Sequence[SignalResult]) -> list[str]:
    """The evidence methods (tier A/B) that were computed, by statistic."""
    return [r.statistic for r in results if r.tier in ("A", "B") and r.computable]


def uncomputed(results: Sequence[SignalResult]) -> list[str]:
    """'{statistic} ({reason})' for each evidence method that could not be computed; a
    signal that does not apply (e.g. MoE upcycling for a dense suspect) is not listed."""
    return [
        f"{r.statistic} ({r.reason})"
        for r in results
        if r.tier in ("A", "B") and not r.computable and not r.details.get("inapplicable")
    ]


def headline(
    verdict: Verdict,
    results: Sequence[SignalResult],
    suspect: str,
    candidate: str,
    suspect_rev: str | None = None,
    candidate_rev: str | None = None,
) -> str:
    a, b = _ref(suspect, suspect_rev), _ref(candidate, candidate_rev)
    by = {r.name: r for r in results}
    if verdict.kind == IDENTICAL:
        d = by["identical_tensors"].details
        return (
            f"All {d.get('compared')} non-trivial tensors of {a} that were compared are "
            f"byte-identical to tensors of {b} ({d.get('algorithm') or 'sha256'})."
        )
    if verdict.kind == DERIVATION:
        s = f"The weights of {a} are consistent with derivation from {b}"
        if verdict.subtype in SUBTYPE_PHRASE:
            s += f"; {SUBTYPE_PHRASE[verdict.subtype]}"
        return s + "."
    if verdict.kind == SUGGESTIVE:
        parts = []
        if verdict.partial:
            names = _join([by[n].statistic for n in verdict.partial])
            parts.append(f"{names} above the background, below the decisive threshold")
        if verdict.deciding:  # a tier-B signal that fired without a second one
            names = _join([by[n].statistic for n in verdict.deciding])
            parts.append(
                f"{names} above its threshold, without the second independent signal a "
                "rotation-invariant result needs"
            )
        return (
            f"Weight evidence relating {a} to {b} is suggestive but not conclusive "
            f"({'; '.join(parts)}); it needs review and is not a finding of derivation."
        )
    if verdict.kind == NO_EVIDENCE:
        s = (
            f"No weight evidence of derivation from {b} was found for {a} with methods "
            f"{_join(methods(results))}; these methods cannot detect distillation"
        )
        un = _join(uncomputed(results))
        return s + (f", and {un} could not be computed." if un else ".")
    assert verdict.kind == NOT_VERIFIABLE
    return (
        f"Derivation of {a} from {b} cannot be verified from the weights: "
        f"{_join(abstain_reasons(verdict, results)) or 'no weight signal could be computed'}. "
        "This is not evidence either way."
    )


def abstain_reasons(verdict: Verdict, results: Sequence[SignalResult]) -> list[str]:
    """Why a `not-verifiable` verdict abstains: uncomputed methods, and the part of the
    suspect that was not understood (coverage.py) when that is the reason."""
    extra = [why for name, why in verdict.not_computed if name == "coverage"]
    return extra + uncomputed(results)


def context_sentence(results: Sequence[SignalResult]) -> str | None:
    parts = []
    for r in results:
        if r.tier != "C" or not r.computable:
            continue
        if r.name == "sigma_curve" and r.null is not None:
            parts.append(
                f"per-layer σ correlation of q/k/v/o r = {_num(r.value)} (independent "
                f"random walks: 95th percentile {_num(r.details.get('null_p95'))}, 99th "
                f"{_num(r.details.get('null_p99'))}; it decides nothing, because "
                "independent models trained with the same recipe score r ≈ 1)"
            )
        elif r.name == "tokenizer":
            parts.append("tokenizer files " + ("identical" if r.fires else "different"))
        elif r.name == "config_similarity":
            parts.append(f"{len(r.details.get('equal') or [])}/{r.n} architecture fields equal")
    if not parts:
        return None
    return (
        "Context only, not evidence of derivation (shared recipes, tokenizers and "
        "architectures are common among unrelated models): " + "; ".join(parts) + "."
    )


def render(
    verdict: Verdict,
    results: Sequence[SignalResult],
    suspect: str,
    candidate: str,
    suspect_rev: str | None = None,
    candidate_rev: str | None = None,
) -> list[str]:
    """Paragraphs for the report: headline, evidence, notes, context, disclaimer."""
    out = [headline(verdict, results, suspect, candidate, suspect_rev, candidate_rev)]
    by = {r.name: r for r in results}
    if verdict.kind in (IDENTICAL, DERIVATION, SUGGESTIVE):
        for name in verdict.deciding:
            out.append("Evidence: " + evidence_sentence(by[name]))
        for name in verdict.partial:
            out.append(
                "Above the background but below the decisive threshold: "
                + evidence_sentence(by[name])
            )
    out.extend(verdict.notes)
    ctx = context_sentence(results)
    if ctx:
        out.append(ctx)
    if verdict.kind in (IDENTICAL, DERIVATION, SUGGESTIVE):
        out.append(SYMMETRY)
        out.append(DISCLAIMER)
    bad = banned_words(out, (suspect, candidate))
    if bad:  # a programming error in a template, never user data
        raise AssertionError(f"wording.py produced a banned word: {bad[0]!r}")
    return out


def banned_words(paragraphs: Sequence[str], labels: Sequence[str] = ()) -> list[str]:
    """Banned words in generated text; model labels (user data such as `org/foo-copy`) are
    masked first, since the rule is about what modelcheck says, not what repos are called."""
    hits: list[str] = []
    for p in paragraphs:
        for label in sorted(labels, key=len, reverse=True):
            if label:
                p = p.replace(label, "<model>")
        hits.extend(m.group(0) for m in BANNED.finditer(p))
    return hits
