from __future__ import annotations

import json

from .builders import messages, safetensors_bytes


def test_single_file_header(facts_of):
    data = safetensors_bytes(
        {"a.weight": ("BF16", [4, 2]), "b.bias": ("F32", [3]), "packed": ("F4", [2, 4])},
        metadata={"format": "pt"},
    )
    facts = facts_of({"model.safetensors": data})
    [weight] = facts.weights
    assert weight.format == "safetensors" and weight.header_ok
    assert weight.size == len(data)
    assert weight.metadata == {"format": "pt"}
    assert weight.header_length == int.from_bytes(data[:8], "little")
    got = {(t.name, t.dtype, t.shape, t.data_offsets) for t in weight.tensors}
    assert got == {
        ("a.weight", "BF16", (4, 2), (0, 16)),
        ("b.bias", "F32", (3,), (16, 28)),
        ("packed", "F4", (2, 4), (28, 32)),
    }
    assert facts.problems == []


def test_sharded_with_index(facts_of):
    shard1 = safetensors_bytes({"a": ("F16", [2])})
    shard2 = safetensors_bytes({"b": ("F16", [2])})
    index = {
        "metadata": {"total_size": 8},
        "weight_map": {
            "a": "model-00001-of-00002.safetensors",
            "b": "model-00002-of-00002.safetensors",
            "c": "model-00002-of-00002.safetensors",  # not in that shard's header
            "d": "model-00003-of-00002.safetensors",  # no such shard
        },
    }
    facts = facts_of(
        {
            "model-00001-of-00002.safetensors": shard1,
            "model-00002-of-00002.safetensors": shard2,
            "model.safetensors.index.json": json.dumps(index),
        }
    )
    assert [w.path for w in facts.weights if w.header_ok] == [
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    ]
    assert messages(facts) == [
        "model.safetensors.index.json: 1 tensors mapped to model-00002-of-00002.safetensors "
        "are not in its header (first: 'c')",
        "model.safetensors.index.json: weight_map names 'model-00003-of-00002.safetensors', "
        "which is not in the repo",
    ]


def test_size_and_overlap_lies(facts_of):
    header = {
        "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
        "b": {"dtype": "F32", "shape": [4], "data_offsets": [4, 12]},  # overlaps a, wrong size
        "c": {"dtype": "F32", "shape": [1], "data_offsets": [12, 8]},  # begin > end
        "d": {"dtype": "XX", "shape": [1], "data_offsets": [12, 13]},
        "__metadata__": {"format": 1},
    }
    facts = facts_of({"m.safetensors": safetensors_bytes({}, header=header, data_len=13)})
    assert not facts.weights[0].header_ok
    text = " | ".join(messages(facts))
    assert "__metadata__ is not a mapping of strings to strings" in text
    assert "tensor 'b': F32[4] needs 16 bytes but data_offsets span 8" in text
    assert "tensor 'c': data_offsets begin 12 > end 8" in text
    assert "unknown dtype 'XX'" in text
    assert "tensor 'b' overlaps the previous tensor" in text


def test_hole_and_trailing_bytes(facts_of):
    header = {"a": {"dtype": "U8", "shape": [2], "data_offsets": [2, 4]}}
    facts = facts_of({"m.safetensors": safetensors_bytes({}, header=header, data_len=6)})
    assert messages(facts) == [
        "m.safetensors: safetensors header: 2 bytes before tensor 'a' belong to no tensor",
        "m.safetensors: safetensors header: "
        "the last 2 bytes of the data section belong to no tensor",
    ]


def test_many_lies_are_summarised(facts_of):
    header = {f"t{i}": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]} for i in range(20)}
    facts = facts_of({"m.safetensors": safetensors_bytes({}, header=header, data_len=4)})
    assert len(facts.problems) == 6
    assert facts.problems[-1].message.endswith("14 more inconsistencies not listed")


def _lying_shape(shape: list[int]) -> bytes:
    header = {"t": {"dtype": "F32", "shape": shape, "data_offsets": [0, 4]}}
    return safetensors_bytes({}, header=header, data_len=4)


def test_shape_whose_product_overflows_is_a_problem_not_a_crash(facts_of):
    # [2**62]*17 gave exit 3 (OverflowError in the size message)
    facts = facts_of({"model.safetensors": _lying_shape([2**62] * 17)})
    [weight] = facts.weights
    assert not weight.header_ok
    assert any("more elements than any file holds" in m for m in messages(facts))


def test_shape_of_200000_dims_is_refused_without_multiplying(facts_of):
    # 200,000 dims of 2**62 spun in big-integer multiplication
    import time

    t0 = time.perf_counter()
    facts = facts_of({"model.safetensors": _lying_shape([2**62] * 200_000)})
    assert time.perf_counter() - t0 < 5
    assert any("invalid shape" in m for m in messages(facts))


def test_shared_size_rules():
    from compliance.facts.safetensors_header import (
        DTYPE_BITS,
        MAX_RANK,
        element_count,
        tensor_nbytes,
        valid_shape,
    )

    # every dtype of the safetensors spec, including the sub-byte and newest ones
    for dtype in ("F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64", "BOOL", "BF16", "U64"):
        assert dtype in DTYPE_BITS
    assert tensor_nbytes("C64", [2, 3]) == 48
    assert tensor_nbytes("F4", [2, 4]) == 4
    assert tensor_nbytes("F4", [3]) is None  # not a whole number of bytes
    assert tensor_nbytes("NOPE", [1]) is None
    assert element_count([2**62] * 17) is None
    assert not valid_shape([1] * (MAX_RANK + 1)) and valid_shape([1] * MAX_RANK)
    assert not valid_shape([True, 2]) and not valid_shape([-1])


def test_weights_and_facts_read_headers_with_the_same_limits():
    from compliance.facts import safetensors_header as st
    from compliance.weights import dtypes, safetensors_view

    assert safetensors_view.WeightsFormatError is st.HeaderError
    assert dtypes.ITEMSIZE["F8_E8M0"] == 1 and dtypes.ITEMSIZE["C64"] == 8
    assert "F4" not in dtypes.ITEMSIZE  # packed: no whole-byte item size
    too_big = (st.MAX_HEADER + 1).to_bytes(8, "little")
    for reader in (st.header_length, lambda b, p: safetensors_view.parse_header(b, p)):
        try:
            reader(too_big, "x.safetensors")
        except st.HeaderError as e:
            assert "exceeds the format's limit" in str(e)
        else:
            raise AssertionError("accepted a header over the limit")
