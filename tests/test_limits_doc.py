"""docs/limits.md states the limits the code applies (each row names its constant)."""

from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "limits.md"
ROW = re.compile(r"^\| (?P<what>[^|]+) \| (?P<value>[^|]+) \| [^|]+ \| `(?P<where>[^`]+)`")


def _rows() -> list[tuple[str, str, str]]:
    out = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m and m["where"] != "defined in":
            out.append((m["what"].strip(), m["value"].strip(), m["where"]))
    return out


def _resolve(where: str) -> object:
    parts = where.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            if dataclasses.is_dataclass(obj) and isinstance(obj, type):
                field = {f.name: f for f in dataclasses.fields(obj)}[attr]
                obj = field.default if field.default is not dataclasses.MISSING else None
            else:
                obj = getattr(obj, attr)
        return obj
    raise ImportError(where)


def test_the_table_has_rows() -> None:
    assert len(_rows()) >= 25


@pytest.mark.parametrize(("what", "value", "where"), _rows(), ids=lambda v: str(v)[:40])
def test_documented_value_matches_the_code(what: str, value: str, where: str) -> None:
    if where.endswith("build_lineage"):
        import inspect

        actual = inspect.signature(_resolve(where)).parameters["max_depth"].default  # type: ignore[arg-type]
    else:
        actual = _resolve(where)
    number = re.match(r"[\d.]+", value)
    assert number is not None, value
    assert float(number.group()) == float(actual), (what, value, actual)  # type: ignore[arg-type]
