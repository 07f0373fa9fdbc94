"""Many generated cards: setting keys changes only those keys' lines, and the result
parses to the old mapping with the new values (seeded, so a failure reproduces)."""

from __future__ import annotations

import random

import pytest
import yaml

from compliance.fix.front_matter import current, set_keys

KEYS = ["license", "license_name", "license_link", "base_model", "base_model_relation",
        "tags", "language", "pipeline_tag", "datasets"]  # fmt: skip
NEW = {"license": "llama3.1", "license_name": "qwen", "license_link": "https://a.example/L",
       "base_model": ["org/a", "org/b"], "base_model_relation": "merge"}  # fmt: skip


def _value_lines(rng: random.Random, key: str) -> list[str]:
    kind = rng.randrange(4)
    if kind == 0:
        return [f"{key}: value-{rng.randrange(99)}"]
    if kind == 1:
        return [f"{key}: plain  # note {rng.randrange(9)}"]
    if kind == 2:
        dash = rng.choice(["- ", "  - "])
        return [f"{key}:"] + [f"{dash}item{i}" for i in range(rng.randint(1, 3))]
    return [f'{key}: "quoted: {rng.randrange(9)}"']


def _card(rng: random.Random) -> tuple[str, list[str]]:
    keys = rng.sample(KEYS, rng.randint(1, len(KEYS)))
    lines: list[str] = []
    for key in keys:
        if rng.random() < 0.3:
            lines.append(f"# about {key}")
        lines.extend(_value_lines(rng, key))
        if rng.random() < 0.2:
            lines.append("")
    nl = rng.choice(["\n", "\r\n"])
    body = nl.join(["", "# Title", "", "Body *text*.", ""])
    return "---" + nl + nl.join(lines) + nl + "---" + body, keys


@pytest.mark.parametrize("seed", range(300))
def test_only_the_set_keys_change(seed: int) -> None:
    rng = random.Random(seed)
    text, _ = _card(rng)
    old = current(text)
    assert old is not None
    values = {k: NEW[k] for k in rng.sample(sorted(NEW), rng.randint(1, len(NEW)))}
    new = set_keys(text, values)
    assert current(new) == {**old, **values}
    # everything outside the front matter is byte for byte the same
    assert new.split("---", 2)[2] == text.split("---", 2)[2]
    # the old lines that are not about a set key survive, in order
    kept = [ln for ln in text.split("---", 2)[1].splitlines() if not _about(ln, values)]
    it = iter(new.split("---", 2)[1].splitlines())
    assert all(any(ln == other for other in it) for ln in kept)


def _about(line: str, values: dict[str, object]) -> bool:
    """A line of a key being set: the key line or one of its item lines (approximation:
    item lines are dropped from the comparison wholesale)."""
    stripped = line.lstrip()
    return stripped.startswith("-") or any(line.startswith(f"{k}:") for k in values)


def test_the_generator_makes_valid_yaml() -> None:
    for seed in range(50):
        text, keys = _card(random.Random(seed))
        assert list(yaml.safe_load(text.split("---")[1])) == keys
