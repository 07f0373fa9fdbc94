"""Hypothesis strategies for the untrusted inputs modelcheck parses: each mixes
well-formed structure with the fragments that have broken parsers before (deep
nesting, aliases, huge numbers, odd Unicode, cut-off documents)."""

from __future__ import annotations

import json
import struct

from hypothesis import strategies as st

FRAGMENTS = [
    "---", "\n", "\r\n", "license: ", "base_model: ", "license_name: ", "license_link: ",
    "- ", "  ", "[", "]", "{", "}", "&a ", "*a", "!!binary ", "!!python/object ", "# ",
    "#", "based on ", "fine-tuned from ", "using ", "merge of ", "org/name", "meta-llama/",
    "Llama-3.1-8B", ":", ",", '"', "'", "\\", "\t", "\ufeff", "\u202e", "\x00", "```yaml",
    "```", "models:", "merge_method: ", "slices:", "model-index:", "apache-2.0", "llama3.1",
    "other", "9" * 30, "-1", "1e999", "null", "~", "<!--", "-->", "|", ">", "…", "\U0001f600",
]

text_soup = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60
).map("".join)


def _nested(depth: int, opener: str, closer: str) -> str:
    return opener * depth + closer * depth


deep_text = st.builds(
    _nested, st.integers(0, 3000), st.sampled_from(["[", "{\"a\":", "- ", "  - ["]),
    st.sampled_from(["]", "}", "", "]"]),
)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=5), st.dictionaries(st.text(max_size=10), kids, max_size=5)
    ),
    max_leaves=30,
)


def _mutate(data: bytes, cuts: list[int]) -> bytes:
    """Drop a few bytes at pseudo-random places (a cut or corrupted document)."""
    out = bytearray(data)
    for c in cuts:
        if out:
            del out[c % len(out)]
    return bytes(out)


json_bytes = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(_mutate, json_values.map(lambda v: json.dumps(v).encode()),
              st.lists(st.integers(0, 10**6), max_size=3)),
    text_soup.map(lambda t: t.encode("utf-8", "surrogatepass")),
    deep_text.map(str.encode),
    st.binary(max_size=200),
)

card_bytes = st.one_of(
    st.builds(
        lambda fm, body: f"---\n{fm}\n---\n{body}".encode("utf-8", "surrogatepass"),
        st.one_of(text_soup, deep_text), text_soup,
    ),
    text_soup.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=300),
)

yaml_bytes = st.one_of(text_soup, deep_text).map(lambda t: t.encode("utf-8", "surrogatepass"))

DTYPES = ["F32", "F16", "BF16", "I8", "U8", "F64", "BOOL", "F8_E4M3", "X", ""]
dims = st.one_of(st.integers(0, 64), st.integers(-5, 2**64), st.just(2**62))
tensor_infos = st.fixed_dictionaries(
    {
        "dtype": st.one_of(st.sampled_from(DTYPES), json_scalars),
        "shape": st.one_of(st.lists(dims, max_size=6), json_values),
        "data_offsets": st.one_of(st.lists(st.integers(-5, 2**65), max_size=3), json_values),
    }
)
st_headers = st.dictionaries(
    st.one_of(st.just("__metadata__"), st.text(max_size=12)),
    st.one_of(tensor_infos, json_values),
    max_size=6,
)


def _safetensors(header: dict, claimed_delta: int, tail: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", max(0, len(raw) + claimed_delta)) + raw + tail


safetensors_bytes = st.one_of(
    st.builds(_safetensors, st_headers, st.sampled_from([0, 0, 0, -1, 1, 2**40]),
              st.binary(max_size=64)),
    st.binary(max_size=64),
)

GGUF_TYPES = list(range(0, 14))


def _gguf_kv(key: bytes, vtype: int, payload: bytes) -> bytes:
    return struct.pack("<Q", len(key)) + key + struct.pack("<I", vtype) + payload


gguf_kvs = st.builds(
    _gguf_kv,
    st.sampled_from([b"general.name", b"general.license", b"general.base_model.count",
                     b"general.base_model.0.repo_url", b"tokenizer.ggml.tokens", b"x"]),
    st.sampled_from(GGUF_TYPES),
    st.one_of(
        st.binary(max_size=24),
        st.builds(lambda n, s: struct.pack("<Q", n) + s, st.integers(0, 2**64 - 1),
                  st.binary(max_size=16)),
        st.builds(lambda t, n: struct.pack("<IQ", t, n), st.sampled_from(GGUF_TYPES),
                  st.integers(0, 2**64 - 1)),
    ),
)
gguf_bytes = st.one_of(
    st.builds(
        lambda v, t, c, kvs: b"GGUF" + struct.pack("<IQQ", v, t, c) + b"".join(kvs),
        st.sampled_from([1, 2, 3, 4, 2**31]), st.integers(0, 2**64 - 1),
        st.one_of(st.integers(0, 8), st.integers(0, 2**64 - 1)), st.lists(gguf_kvs, max_size=6),
    ),
    st.binary(max_size=64).map(lambda b: b"GGUF" + b),
)
