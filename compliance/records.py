"""`record`: a dataclass that costs a fifth as much to create at import.

Why: before Python 3.13, `dataclasses.dataclass` compiles source text for every method
it writes (six for a frozen class), about 0.4 ms of CPU per class, and the pre-commit
hook imports some fifty records on every start. `record` lets `dataclasses` collect the
fields, so a record is a dataclass to everything that asks (`dataclasses.fields`,
`replace`, `asdict`, `is_dataclass`), compiles only `__init__`, and gives every record
the same shared `__repr__`, `__eq__`, `__hash__` and, when frozen, `__setattr__` and
`__delattr__`, which behave as the ones `dataclasses` writes (same text, same equality
and hash, `FrozenInstanceError`). mypy checks a record as a dataclass
(`dataclass_transform`). Modules that the hook does not import use plain dataclasses.

Supported: `frozen`, fields with a default or a `default_factory`, and `__post_init__`.
Anything else (`InitVar`, `field(init=False)`, `kw_only`, slots, order, inheriting from
a dataclass) is refused when the class is created: use `dataclasses.dataclass` there.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda decorated: decorated


T = TypeVar("T")


class _Factory:
    """The default of a field with a `default_factory` in `__init__`'s signature."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function returning the tuple of `names`' values of an object."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    cls = self.__class__
    values = cls.__record_repr__(self)
    names = cls.__record_repr_names__
    body = ", ".join(f"{name}={value!r}" for name, value in zip(names, values, strict=True))
    return f"{cls.__qualname__}({body})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        get = self.__class__.__record_compare__
        return bool(get(self) == get(other))
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__class__.__record_hash__(self))


def _frozen_methods(cls: Any, names: frozenset[str]) -> tuple[Any, Any]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...], frozen: bool) -> Any:
    """`__init__` compiled from source, as `dataclasses` writes it: fast, and with the
    signature that `inspect.signature` and error messages show."""
    namespace: dict[str, Any] = {"__object_setattr": object.__setattr__, "__factory": _FACTORY}
    params: list[str] = []
    body: list[str] = []
    seen_default = False
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            namespace[f"__dflt_{f.name}"] = f.default_factory
            params.append(f"{f.name}=__factory")
            value = f"__dflt_{f.name}() if {f.name} is __factory else {f.name}"
            seen_default = True
        elif f.default is not dataclasses.MISSING:
            namespace[f"__dflt_{f.name}"] = f.default
            params.append(f"{f.name}=__dflt_{f.name}")
            value = f.name
            seen_default = True
        else:
            if seen_default:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
            params.append(f.name)
            value = f.name
        if frozen:
            body.append(f"    __object_setattr(self, {f.name!r}, {value})")
        else:
            body.append(f"    self.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or ["    pass"])
    exec(source, namespace)  # our own generated source, as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {**{f.name: f.type for f in fields}, "return": None}
    return init


def _make(cls: type[T], frozen: bool) -> type[T]:
    had_doc = cls.__doc__ is not None
    if not had_doc:  # written below, once, from the finished signature
        cls.__doc__ = cls.__name__
    if any(dataclasses.is_dataclass(base) for base in cls.__mro__[1:]):
        raise TypeError(f"record {cls.__name__} cannot inherit from a dataclass")
    for name in ("__init__", "__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__"):
        if name in cls.__dict__:
            raise TypeError(f"record {cls.__name__} defines {name}; use dataclasses.dataclass")
    # `dataclasses` collects and checks the fields (mutable defaults, annotations) and
    # writes no method at all: none of its per-method compilation.
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    fields = tuple(dataclasses.fields(cls))  # type: ignore[arg-type]
    # `fields` leaves out ClassVar and InitVar pseudo-fields; the second would be
    # arguments of __init__ that this module does not write
    for name, f in cls.__dict__["__dataclass_fields__"].items():
        if f not in fields and "ClassVar" not in str(f.type):
            raise TypeError(f"record {cls.__name__}.{name}: InitVar is not supported")
    for f in fields:
        if not f.init or f.kw_only is True:
            raise TypeError(f"record {cls.__name__}.{f.name}: init=False and kw_only "
                            "are not supported")
    repr_names = tuple(f.name for f in fields if f.repr)
    compare_names = tuple(f.name for f in fields if f.compare)
    hash_names = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    methods: dict[str, Any] = {
        "__init__": _init(cls, fields, frozen),
        "__repr__": _repr,
        "__eq__": _eq,
        # as dataclasses does for eq=True: hashable by the compared fields when frozen,
        # else unhashable (equal by value, yet mutable)
        "__hash__": _hash if frozen else None,
        "__record_repr_names__": repr_names,
        "__record_repr__": staticmethod(_getter(repr_names)),
        "__record_compare__": staticmethod(_getter(compare_names)),
        "__record_hash__": staticmethod(_getter(hash_names)),
        "__record_frozen__": frozen,
    }
    if frozen:
        names = frozenset(f.name for f in fields)
        methods["__setattr__"], methods["__delattr__"] = _frozen_methods(cls, names)
    for name, value in methods.items():
        setattr(cls, name, value)
    if not had_doc:  # the text dataclasses writes: name and signature
        import inspect

        signature = str(inspect.signature(cls)).replace(" -> None", "")
        cls.__doc__ = cls.__name__ + signature
    return cls


@overload
@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, frozen: bool = False) -> Callable[[type[T]], type[T]]: ...


def record(
    cls: type[T] | None = None, /, *, frozen: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """`@record` or `@record(frozen=True)`: a dataclass with shared methods (above)."""
    if cls is None:
        return lambda c: _make(c, frozen)
    return _make(cls, frozen)
