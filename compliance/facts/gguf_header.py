"""A bounded GGUF header reader over `Source.read_range`.

Reads the magic, version, counts and the key/value section, then stops (the
tensor infos and data are never read). The reads are incremental (64 KiB,
doubling up to 4 MiB) so a Hub source serves them with a few HTTP ranges.
Every length and count is checked against the file size before it is used,
so a lying header costs no allocation; large arrays (the tokenizer vocab) are
walked or skipped, never materialised.

Two budgets bound the work. Per file, the values kept are counted across nesting
(an array of 64 arrays of 64 … counts every element), so nested arrays cannot
multiply into gigabytes. Per audit (`GGUFBudget`, shared by every GGUF file of the
repo), the header bytes walked, the array elements walked and the seconds spent are
capped; once one runs out, the rest is left unread and a note says so.

The `gguf` package is not imported: it imports numpy, and the CLI path for a
local audit must stay light. Layout and value types follow the GGUF spec
(ggml-org/ggml docs/gguf.md, "gguf_metadata_value_type").
"""

from __future__ import annotations

import struct
import time
from typing import Any

from compliance.errors import SourceError
from compliance.facts.context import RepoContext
from compliance.facts.model import GGUFFacts, WeightFile
from compliance.records import field, record
from compliance.regex_cache import compiled
from compliance.sources.base import Source

# gguf_metadata_value_type (GGUF spec)
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = (
    range(13)
)
_FIXED = {
    UINT8: "B", INT8: "b", UINT16: "H", INT16: "h", UINT32: "I", INT32: "i",
    FLOAT32: "f", BOOL: "?", UINT64: "Q", INT64: "q", FLOAT64: "d",
}  # fmt: skip

MAGIC = b"GGUF"
VERSIONS = (2, 3)  # v1 used 32-bit counts and is long obsolete
MAX_KV = 1 << 16
MAX_TENSORS = 1 << 20
MAX_KEY = (1 << 16) - 1  # the spec's limit on key length
KEEP_STRING = 64 << 10  # longer string values are skipped, not kept
KEEP_ARRAY = 64  # longer arrays are skipped (vocab, merges, scores)
MAX_ARRAY_NESTING = 4
KV_BUDGET = 64 << 20  # stop after this many header bytes
KEEP_ELEMENTS = 4096  # values kept per file, counted across nesting
KEEP_BYTES = 1 << 20  # string bytes kept per file
AUDIT_BYTES = 256 << 20  # header bytes walked per audit, across GGUF files
AUDIT_ELEMENTS = 8_000_000  # array elements walked per audit (a vocab is ~150k-260k)
AUDIT_SECONDS = 20.0  # time spent in GGUF headers per audit
_CLOCK_EVERY = 4096  # elements between two looks at the clock
_CHUNK, _MAX_CHUNK = 64 << 10, 4 << 20
_BASE_MODEL_KEY = compiled(r"^general\.base_model\.(\d+)\.(.+)$")
_MAX_BASE_MODELS = 64


class _Bad(Exception):
    """The header is malformed or lies; message says how."""


class _OverBudget(Exception):
    """The audit's GGUF budget ran out; message says which."""


@record
class GGUFBudget:
    """What every GGUF header of one audit may cost together."""

    bytes_left: int = field(default_factory=lambda: AUDIT_BYTES)
    elements_left: int = field(default_factory=lambda: AUDIT_ELEMENTS)
    seconds: float = field(default_factory=lambda: AUDIT_SECONDS)
    started: float = field(default_factory=time.monotonic)
    exhausted: str | None = None  # what ran out, once it has

    def spend_bytes(self, n: int) -> None:
        self.bytes_left -= n
        if self.bytes_left < 0:
            self._out("header bytes")

    def spend_element(self) -> None:
        self.elements_left -= 1
        if self.elements_left < 0:
            self._out("array elements")
        if self.elements_left % _CLOCK_EVERY == 0:
            self.check_clock()

    def check_clock(self) -> None:
        if time.monotonic() - self.started > self.seconds:
            self._out(f"{self.seconds:g} s")

    def _out(self, what: str) -> None:
        self.exhausted = self.exhausted or what
        raise _OverBudget(self.exhausted)


class _Reader:
    def __init__(
        self, source: Source, path: str, size: int | None, budget: GGUFBudget | None = None
    ) -> None:
        self.source, self.path, self.size = source, path, size
        self.pos = 0
        self.buf, self.buf_start = b"", 0
        self.chunk = _CHUNK
        self.order = "<"
        self.budget = budget if budget is not None else GGUFBudget()
        self.kept = 0  # values kept in this file, across nesting
        self.kept_bytes = 0

    def keep(self, count: int, nbytes: int = 0) -> bool:
        """Whether `count` more values (and `nbytes` of strings) may be kept."""
        if self.kept + count > KEEP_ELEMENTS or self.kept_bytes + nbytes > KEEP_BYTES:
            return False
        self.kept += count
        self.kept_bytes += nbytes
        return True

    def remaining(self) -> int | None:
        return None if self.size is None else self.size - self.pos

    def _check(self, n: int, what: str) -> None:
        left = self.remaining()
        if left is not None and n > left:
            raise _Bad(f"{what} needs {n} bytes at offset {self.pos}, past the end of the file")
        if self.pos + n > KV_BUDGET:
            raise _Bad(f"header is longer than {KV_BUDGET} bytes; stopped reading")

    def read(self, n: int, what: str = "header") -> bytes:
        self._check(n, what)
        self.budget.spend_bytes(n)
        end = self.pos + n
        if not (self.buf_start <= self.pos and end <= self.buf_start + len(self.buf)):
            length = max(n, self.chunk)
            if self.size is not None:
                length = min(length, self.size - self.pos)
            self.buf, self.buf_start = self.source.read_range(self.path, self.pos, length), self.pos
            self.chunk = min(self.chunk * 2, _MAX_CHUNK)
            if len(self.buf) < n:
                raise _Bad(f"file ends inside the {what} (offset {self.pos})")
        off = self.pos - self.buf_start
        self.pos = end
        return self.buf[off : off + n]

    def skip(self, n: int, what: str) -> None:
        self._check(n, what)
        self.budget.spend_bytes(n)
        self.pos += n

    def unpack(self, fmt: str, what: str) -> Any:
        size = struct.calcsize(self.order + fmt)
        return struct.unpack(self.order + fmt, self.read(size, what))[0]

    def string(self, keep: int, what: str) -> str | None:
        n = self.unpack("Q", what)
        if n > keep or not self.keep(0, n):
            self.skip(n, what)
            return None
        return self.read(n, what).decode("utf-8", errors="replace")


def _value(r: _Reader, vtype: int, depth: int = 0) -> Any:
    if vtype in _FIXED:
        return r.unpack(_FIXED[vtype], "value")
    if vtype == STRING:
        return r.string(KEEP_STRING, "string value")
    if vtype != ARRAY:
        raise _Bad(f"unknown value type {vtype}")
    if depth >= MAX_ARRAY_NESTING:
        raise _Bad(f"arrays nested deeper than {MAX_ARRAY_NESTING}")
    etype = r.unpack("I", "array type")
    count = r.unpack("Q", "array length")
    if etype in _FIXED:
        width = struct.calcsize(_FIXED[etype])
        if count > KEEP_ARRAY or not r.keep(count):
            r.skip(count * width, f"array of {count} elements")
            return None
        return list(struct.unpack(f"{r.order}{count}{_FIXED[etype]}", r.read(count * width)))
    if etype not in (STRING, ARRAY):
        raise _Bad(f"unknown array element type {etype}")
    left = r.remaining()
    if left is None:
        left = KV_BUDGET - r.pos
    if count * 8 > left:  # every element starts with a u64
        raise _Bad(f"array of {count} elements cannot fit in the rest of the file")
    if count > KEEP_ARRAY or not r.keep(count):
        for _ in range(count):
            r.budget.spend_element()
            if etype == STRING:
                r.skip(r.unpack("Q", "string length"), "array string")
            else:
                _skip_array(r, depth + 1)
        return None
    out = []
    for _ in range(count):
        r.budget.spend_element()
        out.append(_value(r, etype, depth + 1))
    return out


def _skip_array(r: _Reader, depth: int) -> None:
    """Walk a nested array without keeping anything."""
    if depth >= MAX_ARRAY_NESTING:
        raise _Bad(f"arrays nested deeper than {MAX_ARRAY_NESTING}")
    etype = r.unpack("I", "array type")
    count = r.unpack("Q", "array length")
    if etype in _FIXED:
        r.skip(count * struct.calcsize(_FIXED[etype]), f"array of {count} elements")
        return
    if etype not in (STRING, ARRAY):
        raise _Bad(f"unknown array element type {etype}")
    left = r.remaining()
    if count * 8 > (left if left is not None else KV_BUDGET - r.pos):
        raise _Bad(f"array of {count} elements cannot fit in the rest of the file")
    for _ in range(count):
        r.budget.spend_element()
        if etype == STRING:
            r.skip(r.unpack("Q", "string length"), "array string")
        else:
            _skip_array(r, depth + 1)


def _header(
    r: _Reader, weight: WeightFile, problem: Any, stop_at_tokenizer: bool = False
) -> int:
    """Read the key/values; return how many were left unread (see `read_gguf`)."""
    if r.read(4, "magic") != MAGIC:
        raise _Bad("not a GGUF file (bad magic)")
    raw_version = r.read(4, "version")
    version = struct.unpack("<I", raw_version)[0]
    if version not in VERSIONS:
        if struct.unpack(">I", raw_version)[0] in VERSIONS:
            r.order = ">"  # big-endian GGUF (s390x builds)
        else:
            raise _Bad(f"unsupported GGUF version {version}")
    tensor_count = r.unpack("Q", "tensor count")
    kv_count = r.unpack("Q", "key/value count")
    size = r.size
    if tensor_count > MAX_TENSORS or (size is not None and tensor_count * 24 > size):
        problem(f"absurd tensor count {tensor_count}")
    if kv_count > MAX_KV or (size is not None and kv_count * 13 > size):
        raise _Bad(f"absurd key/value count {kv_count}")
    for i in range(kv_count):
        key_len = r.unpack("Q", "key length")
        if key_len > MAX_KEY:
            raise _Bad(f"key length {key_len} exceeds the format's limit of {MAX_KEY}")
        key = r.read(key_len, "key").decode("utf-8", errors="replace")
        if stop_at_tokenizer and key.startswith("tokenizer."):
            return int(kv_count - i)
        value = _value(r, r.unpack("I", "value type"))
        if value is not None:
            weight.metadata[key] = value
    return 0


def _base_models(kv: dict[str, Any]) -> list[dict[str, Any]]:
    entries: dict[int, dict[str, Any]] = {}
    count = kv.get("general.base_model.count")
    if isinstance(count, int) and not isinstance(count, bool):
        for i in range(min(count, _MAX_BASE_MODELS)):
            entries[i] = {}
    for key, value in kv.items():
        m = _BASE_MODEL_KEY.match(key)
        if m and int(m.group(1)) < _MAX_BASE_MODELS:
            entries.setdefault(int(m.group(1)), {})[m.group(2)] = value
    return [entries[i] for i in sorted(entries) if entries[i]]


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read_gguf(
    ctx: RepoContext, path: str, size: int | None, budget: GGUFBudget | None = None
) -> tuple[WeightFile, GGUFFacts]:
    """Read one GGUF header (`budget`: the audit's, shared across its GGUF files).

    Over the network the tokenizer vocabulary (megabytes of strings that must be
    walked one by one) would dominate an audit's transfer, so a Hub source stops
    at the first `tokenizer.*` key: writers put `general.*` (name, licence, base
    models) first, and the report notes how many keys were left unread.
    """
    weight = WeightFile(path=path, format="gguf", size=size)
    stop_at_tokenizer = getattr(ctx.source, "kind", "local") == "hub"
    unread = 0

    def problem(message: str) -> None:
        ctx.problem("metadata-invalid", path, f"{path}: GGUF header: {message}")

    problems_before = len(ctx.problems)
    complete = True
    budget = budget if budget is not None else GGUFBudget()
    try:
        if budget.exhausted:
            raise _OverBudget(budget.exhausted)
        budget.check_clock()
        unread = _header(
            _Reader(ctx.source, path, size, budget), weight, problem, stop_at_tokenizer
        )
    except _OverBudget as e:
        ctx.notes.append(
            f"{path}: GGUF header not read to the end: the audit's budget for GGUF headers "
            f"({e}) ran out; keys after those read were not checked"
        )
        complete = False
    except _Bad as e:
        problem(str(e))
    except SourceError as e:
        ctx.problem("unverifiable", path, f"{path}: GGUF header could not be read ({e})")
    except (struct.error, OverflowError, MemoryError) as e:  # belt and braces
        problem(f"unreadable ({e})")
    weight.header_ok = complete and len(ctx.problems) == problems_before
    if unread:
        ctx.notes.append(
            f"{path}: GGUF header read up to the tokenizer; {unread} later keys not read "
            "(they carry no licence or lineage metadata by convention)"
        )
    kv = weight.metadata
    facts = GGUFFacts(
        file=path,
        name=_str(kv.get("general.name")),
        license=_str(kv.get("general.license")),
        architecture=_str(kv.get("general.architecture")),
        base_models=_base_models(kv),
    )
    return weight, facts
