"""A record behaves as the dataclass it stands for: same fields, text, equality, hash,
frozenness and signature, only cheaper to create."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from dataclasses import dataclass, field

import pytest

from compliance.records import record


@record(frozen=True)
class FrozenRecord:
    """Frozen."""

    name: str
    size: int
    tags: tuple[str, ...] = ()
    note: str | None = None
    extra: list[str] = field(default_factory=list, compare=False, repr=False)


@dataclass(frozen=True)
class FrozenDataclass:
    """Frozen."""

    name: str
    size: int
    tags: tuple[str, ...] = ()
    note: str | None = None
    extra: list[str] = field(default_factory=list, compare=False, repr=False)


@record
class MutableRecord:
    """Mutable."""

    name: str
    items: list[int] = field(default_factory=list)


@dataclass
class MutableDataclass:
    """Mutable."""

    name: str
    items: list[int] = field(default_factory=list)


@record
class NoDoc:
    first: int
    second: str = "x"


@record
class Checked:
    """Runs __post_init__."""

    value: int

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("negative")


def test_frozen_record_matches_the_dataclass() -> None:
    rec, ref = FrozenRecord("a", 1, ("t",)), FrozenDataclass("a", 1, ("t",))
    assert repr(rec).replace("FrozenRecord", "X") == repr(ref).replace("FrozenDataclass", "X")
    assert rec == FrozenRecord("a", 1, ("t",), extra=["ignored by =="])
    assert rec != FrozenRecord("a", 2, ("t",))
    assert rec != ref  # another class is never equal, as with dataclasses
    assert hash(rec) == hash(ref) == hash(FrozenRecord("a", 1, ("t",)))
    assert FrozenRecord("a", 1).extra == [] and FrozenRecord("a", 1).extra is not rec.extra
    for make in (FrozenRecord, FrozenDataclass):
        obj = make("a", 1)
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'name'"):
            obj.name = "b"  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'size'"):
            del obj.size  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.other = 1  # type: ignore[attr-defined]


def test_mutable_record_matches_the_dataclass() -> None:
    rec = MutableRecord("a")
    rec.items.append(1)
    rec.name = "b"
    assert repr(rec) == "MutableRecord(name='b', items=[1])"
    assert rec == MutableRecord("b", [1]) and rec != MutableRecord("b")
    assert MutableRecord.__hash__ is None and MutableDataclass.__hash__ is None
    with pytest.raises(TypeError, match="unhashable"):
        hash(rec)


def test_a_record_is_a_dataclass_to_the_standard_library() -> None:
    rec = FrozenRecord("a", 1, note="n")
    assert dataclasses.is_dataclass(rec)
    assert [f.name for f in dataclasses.fields(rec)] == ["name", "size", "tags", "note", "extra"]
    assert dataclasses.asdict(rec) == {
        "name": "a", "size": 1, "tags": (), "note": "n", "extra": [],
    }
    assert dataclasses.replace(rec, size=2) == FrozenRecord("a", 2, note="n")
    assert pickle.loads(pickle.dumps(rec)) == rec
    assert copy.deepcopy(rec) == rec
    assert FrozenRecord.__match_args__ == FrozenDataclass.__match_args__


def test_signature_and_docstring_are_the_dataclass_ones() -> None:
    assert str(inspect.signature(FrozenRecord)) == str(inspect.signature(FrozenDataclass))
    assert str(inspect.signature(MutableRecord)) == str(inspect.signature(MutableDataclass))
    assert NoDoc.__doc__ == "NoDoc(first: 'int', second: 'str' = 'x')"
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'size'"):
        FrozenRecord("a")  # type: ignore[call-arg]


def test_post_init_runs() -> None:
    assert Checked(1).value == 1
    with pytest.raises(ValueError, match="negative"):
        Checked(-1)


def test_what_a_record_does_not_write_is_refused() -> None:
    with pytest.raises(TypeError, match="follows default argument"):

        @record
        class BadOrder:
            """Bad."""

            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="init=False"):

        @record
        class NoInit:
            """Bad."""

            a: int = field(default=0, init=False)

    with pytest.raises(TypeError, match="defines __eq__"):

        @record
        class OwnEq:
            """Bad."""

            a: int

            def __eq__(self, other: object) -> bool:
                return True

    with pytest.raises(ValueError, match="mutable default"):

        @record
        class MutableDefault:
            """Bad."""

            a: list[int] = []
