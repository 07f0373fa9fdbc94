"""A record behaves as the dataclass it stands for: same fields, text, equality, hash,
frozenness and signature, only cheaper to create."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from compliance import records
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
    for ours, theirs in zip(dataclasses.fields(FrozenRecord), dataclasses.fields(FrozenDataclass),
                            strict=True):
        assert (ours.name, ours.type, ours.default, ours.default_factory, ours.repr,
                ours.compare, ours.hash) == (theirs.name, theirs.type, theirs.default,
                                             theirs.default_factory, theirs.repr,
                                             theirs.compare, theirs.hash)


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


@record(frozen=True)
class Declared:
    """Declared with `compliance.records.field`."""

    name: str
    items: tuple[int, ...] = records.field(default=())
    seen: list[str] = records.field(default_factory=list, compare=False, repr=False)


def test_records_field_declares_as_dataclasses_field_does() -> None:
    rec = Declared("a")
    assert rec.items == () and rec.seen == [] and Declared("a").seen is not rec.seen
    assert repr(rec) == "Declared(name='a', items=())"
    assert rec == Declared("a", seen=["not compared"])
    assert Declared.items == ()  # a plain default stays a class attribute
    assert "seen" not in Declared.__dict__  # a factory's field does not, as in dataclasses
    by_name = {f.name: f for f in dataclasses.fields(rec)}
    assert by_name["seen"].default_factory is list and not by_name["seen"].compare
    assert by_name["items"].default == ()
    assert Declared.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_records_replace_matches_dataclasses_replace() -> None:
    rec = Declared("a", (1,), ["x"])
    assert records.replace(rec, name="b") == dataclasses.replace(rec, name="b")
    assert records.replace(rec, name="b").seen == ["x"]
    assert records.replace(FrozenDataclass("a", 1), size=2) == FrozenDataclass("a", 2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        records.replace(rec, colour="red")
    with pytest.raises(ValueError, match="negative"):
        records.replace(Checked(1), value=-1)  # __post_init__ runs again, as in dataclasses


def test_records_refuse_initvar_and_classvar_fields() -> None:
    with pytest.raises(TypeError, match="InitVar"):

        @record
        class WithInitVar:
            """Bad."""

            a: dataclasses.InitVar[int]

    @record
    class WithClassVar:
        """A ClassVar is not a field."""

        limit: ClassVar[int] = 3
        a: int = 0

    assert WithClassVar.__match_args__ == ("a",) and WithClassVar().limit == 3


def test_creating_records_imports_neither_dataclasses_nor_inspect() -> None:
    code = (
        "import sys\n"
        "from compliance.records import field, record, replace\n"
        "@record(frozen=True)\n"
        "class A:\n"
        "    '''A.'''\n"
        "    x: int\n"
        "    y: list[int] = field(default_factory=list)\n"
        "a = replace(A(1), x=2)\n"
        "assert a.x == 2 and repr(a) == 'A(x=2, y=[])' and a == A(2)\n"
        "print(sorted({'dataclasses', 'inspect'} & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
