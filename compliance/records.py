"""`record`: a dataclass that costs a fraction as much to create, and nothing to import.

Why: before Python 3.13, `dataclasses.dataclass` compiles source text for every method
it writes (six for a frozen class), about 0.4 ms of CPU per class, and importing
`dataclasses` brings `inspect`, `ast`, `dis` and `tokenize`; the pre-commit hook imports
some seventy records on every start. `record` reads the fields from the class's
annotations itself, compiles only `__init__`, and gives every record the same shared
`__repr__`, `__eq__`, `__hash__` and, when frozen, `__setattr__` and `__delattr__`,
which behave as the ones `dataclasses` writes (same text, same equality and hash,
`FrozenInstanceError`). A record is still a dataclass to everything that asks
(`dataclasses.fields`, `replace`, `asdict`, `is_dataclass`): its `__dataclass_fields__`
are built by `dataclasses` itself, from the same annotations and defaults, the first
time they are asked for. mypy checks a record as a dataclass (`dataclass_transform`).
Modules that the hook does not import use plain dataclasses.

Supported: `frozen`, fields with a default or a `default_factory` (`records.field` or
`dataclasses.field`, with `repr`, `compare` and `hash`), `ClassVar` annotations and
`__post_init__`. Anything else (`InitVar`, `field(init=False)`, `kw_only`, slots, order,
inheriting from a dataclass) is refused when the class is created: use
`dataclasses.dataclass` there.
"""

from __future__ import annotations

import reprlib
import sys
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, overload

from compliance.code_cache import code_for

if TYPE_CHECKING:
    from dataclasses import field as field
    from dataclasses import replace as replace

    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Callable[[Any], Any]:
        return lambda decorated: decorated


T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


class _Factory:
    """The default of a field with a `default_factory` in `__init__`'s signature."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


class _Spec:
    """What `field(...)` declares, until the class is made; `dataclasses.Field` if asked."""

    __slots__ = ("default", "default_factory", "init", "repr", "hash", "compare", "kw_only")

    def __init__(self, default: Any, default_factory: Any, init: bool, repr: bool,
                 hash: bool | None, compare: bool, kw_only: Any) -> None:
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare
        self.kw_only = kw_only

    def as_field(self) -> Any:
        import dataclasses

        def missing(value: Any) -> Any:
            return dataclasses.MISSING if value is _MISSING else value

        return dataclasses.field(
            default=missing(self.default), default_factory=missing(self.default_factory),
            init=self.init, repr=self.repr, hash=self.hash, compare=self.compare,
        )


if not TYPE_CHECKING:

    def field(*, default: Any = _MISSING, default_factory: Any = _MISSING, init: bool = True,
              repr: bool = True, hash: bool | None = None, compare: bool = True,
              kw_only: Any = _MISSING) -> Any:
        """`dataclasses.field` for records, without importing `dataclasses`."""
        if default is not _MISSING and default_factory is not _MISSING:
            raise ValueError("cannot specify both default and default_factory")
        return _Spec(default, default_factory, init, repr, hash, compare, kw_only)

    def replace(obj: Any, /, **changes: Any) -> Any:
        """`dataclasses.replace`: a record without importing `dataclasses`, else theirs."""
        cls = type(obj)
        names = cls.__dict__.get("__record_fields__")
        if names is None:
            import dataclasses

            return dataclasses.replace(obj, **changes)
        for name in changes:
            if name not in names:
                raise TypeError(f"{cls.__qualname__}.__init__() got an unexpected keyword "
                                f"argument {name!r}")
        values = {name: changes[name] if name in changes else getattr(obj, name)
                  for name in names}
        return cls(**values)


def _spec_of(value: Any) -> _Spec | None:
    """The field declared by a class attribute: `records.field`, `dataclasses.field`,
    or None for a plain default."""
    if isinstance(value, _Spec):
        return value
    kind = type(value)
    if kind.__name__ == "Field" and kind.__module__ == "dataclasses":
        missing = sys.modules["dataclasses"].MISSING

        def ours(given: Any) -> Any:
            return _MISSING if given is missing else given

        return _Spec(ours(value.default), ours(value.default_factory), value.init,
                     value.repr, value.hash, value.compare, ours(value.kw_only))
    return None


def _is_classvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        head = annotation.strip().split("[", 1)[0].strip()
        return head.rsplit(".", 1)[-1] == "ClassVar"
    return annotation is ClassVar or getattr(annotation, "__origin__", None) is ClassVar


def _is_initvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        head = annotation.strip().split("[", 1)[0].strip()
        return head.rsplit(".", 1)[-1] == "InitVar"
    return type(annotation).__name__ == "InitVar"


class _Field:
    """One field as `__init__`, `__repr__` and `__eq__` need it."""

    __slots__ = ("name", "type", "default", "default_factory", "repr", "compare", "hash")

    def __init__(self, name: str, annotation: Any, spec: _Spec) -> None:
        self.name = name
        self.type = annotation
        self.default = spec.default
        self.default_factory = spec.default_factory
        self.repr = spec.repr
        self.compare = spec.compare
        self.hash = spec.hash


class _DataclassFields:
    """`__dataclass_fields__` and `__dataclass_params__` of a record, built by `dataclasses`
    from the record's own annotations and defaults the first time something asks."""

    def __init__(self, owner: type, specs: dict[str, _Spec], frozen: bool, which: str):
        self.owner = owner
        self.specs = specs  # every field's declaration: field(...) or a plain default
        self.frozen = frozen
        self.which = which

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        import dataclasses

        owner = self.owner
        annotations = owner.__dict__.get("__annotations__", {})
        namespace: dict[str, Any] = {
            "__module__": owner.__module__, "__qualname__": owner.__qualname__,
            "__annotations__": dict(annotations),
        }
        for name, spec in self.specs.items():
            namespace[name] = spec.as_field()
        shadow: Any = dataclasses.dataclass(
            type(owner.__name__, (), namespace),
            init=False, repr=False, eq=False, frozen=self.frozen, match_args=False,
        )
        built = {"__dataclass_fields__": shadow.__dict__["__dataclass_fields__"],
                 "__dataclass_params__": shadow.__dict__["__dataclass_params__"]}
        for name, value in built.items():
            type.__setattr__(owner, name, value)  # built once; the class now holds them
        return built[self.which]


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


def _frozen_error(message: str) -> Exception:
    import dataclasses

    return dataclasses.FrozenInstanceError(message)


def _frozen_methods(cls: Any, names: frozenset[str]) -> tuple[Any, Any]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise _frozen_error(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise _frozen_error(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__


def _init(cls: type, fields: tuple[_Field, ...], frozen: bool) -> Any:
    """`__init__` compiled from source, as `dataclasses` writes it: fast, and with the
    signature that `inspect.signature` and error messages show."""
    namespace: dict[str, Any] = {"__factory": _FACTORY}
    params: list[str] = []
    body: list[str] = []
    seen_default = False
    for f in fields:
        if f.default_factory is not _MISSING:
            namespace[f"__dflt_{f.name}"] = f.default_factory
            params.append(f"{f.name}=__factory")
            value = f"__dflt_{f.name}() if {f.name} is __factory else {f.name}"
            seen_default = True
        elif f.default is not _MISSING:
            namespace[f"__dflt_{f.name}"] = f.default
            params.append(f"{f.name}=__dflt_{f.name}")
            value = f.name
            seen_default = True
        else:
            if seen_default:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
            params.append(f.name)
            value = f.name
        if frozen:  # straight into the instance's dict, which is what object.__setattr__
            # does for a name that no class attribute intercepts (a record's fields)
            body.append(f"    __instance_dict[{f.name!r}] = {value}")
        else:
            body.append(f"    self.{f.name} = {value}")
    if frozen and fields:
        body.insert(0, "    __instance_dict = self.__dict__")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or ["    pass"])
    # our own generated source, as dataclasses does; compiled once per interpreter
    exec(code_for(source), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {**{f.name: f.type for f in fields}, "return": None}
    return init


def _fields(cls: type) -> tuple[tuple[_Field, ...], dict[str, _Spec]]:
    """The fields of `cls` from its own annotations, checked as `dataclasses` checks them,
    and each field's declaration (`field(...)`, which leaves the class as `dataclasses`
    leaves it, or a plain default)."""
    fields: list[_Field] = []
    specs: dict[str, _Spec] = {}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        value = cls.__dict__.get(name, _MISSING)
        spec = _spec_of(value)
        if _is_classvar(annotation):
            if spec is not None:
                raise TypeError(f"record {cls.__name__}.{name}: field() on a ClassVar")
            continue
        if _is_initvar(annotation):
            raise TypeError(f"record {cls.__name__}.{name}: InitVar is not supported")
        if spec is None:
            spec = _Spec(value, _MISSING, True, True, None, True, _MISSING)
        else:
            if not spec.init or spec.kw_only is True:
                raise TypeError(f"record {cls.__name__}.{name}: init=False and kw_only "
                                "are not supported")
            if spec.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        default = spec.default
        if default is not _MISSING and default.__class__.__hash__ is None:
            raise ValueError(f"mutable default {type(default)} for field {name} is not "
                             "allowed: use default_factory")
        fields.append(_Field(name, annotation, spec))
        specs[name] = spec
    return tuple(fields), specs


def _make(cls: type[T], frozen: bool) -> type[T]:
    for base in cls.__mro__[1:]:
        if "__dataclass_fields__" in base.__dict__ or "__record_fields__" in base.__dict__:
            raise TypeError(f"record {cls.__name__} cannot inherit from a dataclass")
    for name in ("__init__", "__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__"):
        if name in cls.__dict__:
            raise TypeError(f"record {cls.__name__} defines {name}; use dataclasses.dataclass")
    fields, specs = _fields(cls)
    names = tuple(f.name for f in fields)
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
        "__match_args__": names,
        "__dataclass_fields__": _DataclassFields(cls, specs, frozen, "__dataclass_fields__"),
        "__dataclass_params__": _DataclassFields(cls, specs, frozen, "__dataclass_params__"),
        "__record_fields__": names,
        "__record_repr_names__": repr_names,
        "__record_repr__": staticmethod(_getter(repr_names)),
        "__record_compare__": staticmethod(_getter(compare_names)),
        "__record_hash__": staticmethod(_getter(hash_names)),
        "__record_frozen__": frozen,
    }
    if frozen:
        methods["__setattr__"], methods["__delattr__"] = _frozen_methods(cls, frozenset(names))
    for name, value in methods.items():
        setattr(cls, name, value)
    if cls.__doc__ is None:  # the text dataclasses writes: name and signature
        import inspect

        signature = str(inspect.signature(cls)).replace(" -> None", "")
        cls.__doc__ = cls.__name__ + signature
    return cls


@overload
@dataclass_transform(field_specifiers=(field,))
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
