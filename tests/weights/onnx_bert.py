"""Read the weights of an ONNX export of a BERT-family encoder as a Hugging Face checkpoint
(model.safetensors with ``embeddings.*`` / ``encoder.layer.N.*`` names, and a config.json),
so that real models shipped only as ONNX files can be compared like any other.

The graph is only read, never run: initialisers are taken as they are, and the few
constant-only nodes exporters put in front of a weight (int8 ``Cast`` + ``Mul`` by a scale,
``DequantizeLinear``, ``Transpose``, ``Identity``) are folded with numpy. A ``MatMul``
weight has no name of its own in most exports; it is named after the ``*.bias``
initialiser added to its output (``...query.bias`` -> ``...query.weight``) and transposed
back from ONNX's [in, out] to the [out, in] layout of ``nn.Linear``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

# everything before the first of these is the exporter's wrapper prefix
# ("model.0.auto_model.", "inner.", "bert.")
_HF_START = re.compile(r"(?:^|\.)(embeddings\.|encoder\.layer\.\d+\.)")
_LAYER = re.compile(r"^encoder\.layer\.(\d+)\.")
MAX_BYTES = 600 * 1024 * 1024  # an encoder of bert-large size; larger is not a test fixture


def _hf_name(name: str) -> str | None:
    m = _HF_START.search(name)
    return name[m.start(1):] if m else None


def _attr(node: Any, key: str, default: Any) -> Any:
    from onnx import helper

    for a in node.attribute:
        if a.name == key:
            return helper.get_attribute_value(a)
    return default


def _fold(model: Any) -> dict[str, np.ndarray]:
    """Initialisers plus the outputs of nodes whose inputs are all constants (a few ops)."""
    from onnx import numpy_helper

    const: dict[str, np.ndarray] = {
        t.name: numpy_helper.to_array(t) for t in model.graph.initializer
    }
    for node in model.graph.node:
        if node.op_type == "Constant":
            value = _attr(node, "value", None)
            if value is not None:
                const[node.output[0]] = numpy_helper.to_array(value)
            continue
        ins = [const.get(i) for i in node.input if i]
        if not ins or any(x is None for x in ins):
            continue
        out = node.output[0]
        if node.op_type == "Cast":
            const[out] = ins[0].astype(np.float32)
        elif node.op_type == "Mul" and len(ins) == 2:
            const[out] = (ins[0].astype(np.float32) * ins[1].astype(np.float32))
        elif node.op_type == "DequantizeLinear":
            x = ins[0].astype(np.float32)
            scale = ins[1].astype(np.float32)
            zero = ins[2].astype(np.float32) if len(ins) > 2 else np.zeros_like(scale)
            if scale.ndim == 1 and scale.size > 1:  # per-axis
                shape = [1] * x.ndim
                shape[int(_attr(node, "axis", 1))] = scale.size
                scale, zero = scale.reshape(shape), zero.reshape(shape)
            const[out] = (x - zero) * scale
        elif node.op_type == "Transpose":
            const[out] = np.transpose(ins[0], _attr(node, "perm", None))
        elif node.op_type == "Identity":
            const[out] = ins[0]
    return const


def bert_tensors(onnx_path: Path) -> dict[str, np.ndarray]:
    """HF-named float32 tensors of the encoder in ``onnx_path``."""
    import onnx

    if onnx_path.stat().st_size > MAX_BYTES:
        raise ValueError(f"{onnx_path}: larger than {MAX_BYTES} bytes")
    model = onnx.load(str(onnx_path), load_external_data=False)
    const = _fold(model)
    out: dict[str, np.ndarray] = {}
    for name, value in const.items():
        hf = _hf_name(name)
        if hf and hf.endswith((".weight", ".bias")) and value.dtype.kind == "f":
            out[hf] = value.astype(np.float32)
    consumers: dict[str, list[Any]] = {}
    for node in model.graph.node:
        for i in node.input:
            consumers.setdefault(i, []).append(node)
    for node in model.graph.node:
        if node.op_type != "MatMul" or node.input[1] not in const:
            continue
        w = const[node.input[1]]
        if w.ndim != 2:
            continue
        for add in consumers.get(node.output[0], []):
            if add.op_type != "Add":
                continue
            bias = next((i for i in add.input if i in const and i.endswith(".bias")), None)
            hf = _hf_name(bias) if bias else None
            if hf:
                out[hf[: -len("bias")] + "weight"] = np.ascontiguousarray(w.T, np.float32)
    return out


def bert_config(tensors: dict[str, np.ndarray], heads: int) -> dict[str, Any]:
    """config.json for the tensors; the head count is not in the weights, so it is given."""
    layers = {int(m.group(1)) for n in tensors if (m := _LAYER.match(n))}
    vocab, hidden = tensors["embeddings.word_embeddings.weight"].shape
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": int(hidden),
        "num_hidden_layers": len(layers),
        "num_attention_heads": heads,
        "intermediate_size": int(tensors["encoder.layer.0.intermediate.dense.weight"].shape[0]),
        "vocab_size": int(vocab),
        "max_position_embeddings": int(tensors["embeddings.position_embeddings.weight"].shape[0]),
        "type_vocab_size": int(tensors["embeddings.token_type_embeddings.weight"].shape[0]),
    }


def write_checkpoint(onnx_path: Path, dest: Path, heads: int) -> Path:
    """``dest``/model.safetensors + config.json from the ONNX file; returns ``dest``."""
    from safetensors.numpy import save_file

    tensors = bert_tensors(onnx_path)
    config = bert_config(tensors, heads)
    dest.mkdir(parents=True, exist_ok=True)
    save_file(dict(sorted(tensors.items())), str(dest / "model.safetensors"))
    (dest / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return dest
