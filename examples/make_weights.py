"""Regenerate the tiny synthetic weight files of the bundled examples.

    python examples/make_weights.py

The weights are random (seeded, so the files are byte-for-byte reproducible) and a
few KB each: they exist so the examples look like real model repos to the facts
and weight readers, not to be run. The outputs are committed.
"""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
from safetensors.numpy import save_file

HERE = Path(__file__).resolve().parent
VOCAB, HIDDEN, INTER, LAYERS = 32, 16, 32, 2
Q8_ROW = 32  # Q8_0 quantizes rows in blocks of 32 values


def _decoder(rng: np.random.Generator, qkv_bias: bool) -> dict[str, np.ndarray]:
    """A two-layer Llama/Qwen2-shaped decoder in Hugging Face tensor names."""

    def w(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float16)

    t = {"model.embed_tokens.weight": w(VOCAB, HIDDEN), "lm_head.weight": w(VOCAB, HIDDEN)}
    t["model.norm.weight"] = np.ones(HIDDEN, dtype=np.float16)
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        for proj in ("q", "k", "v", "o"):
            t[f"{p}self_attn.{proj}_proj.weight"] = w(HIDDEN, HIDDEN)
        if qkv_bias:
            for proj in ("q", "k", "v"):
                t[f"{p}self_attn.{proj}_proj.bias"] = w(HIDDEN)
        t[f"{p}mlp.gate_proj.weight"] = w(INTER, HIDDEN)
        t[f"{p}mlp.up_proj.weight"] = w(INTER, HIDDEN)
        t[f"{p}mlp.down_proj.weight"] = w(HIDDEN, INTER)
        t[f"{p}input_layernorm.weight"] = np.ones(HIDDEN, dtype=np.float16)
        t[f"{p}post_attention_layernorm.weight"] = np.ones(HIDDEN, dtype=np.float16)
    return t


def write_safetensors(folder: str, seed: int, qkv_bias: bool) -> Path:
    out = HERE / folder / "model.safetensors"
    save_file(_decoder(np.random.default_rng(seed), qkv_bias), str(out), {"format": "pt"})
    return out


def write_gguf(folder: str, filename: str, seed: int) -> Path:
    """A Gemma 2 GGUF in Q8_0 with the general.base_model.* keys llama.cpp's
    convert script writes for a quantization of google/gemma-2-2b-it."""
    rng = np.random.default_rng(seed)
    out = HERE / folder / filename
    writer = gguf.GGUFWriter(str(out), arch="gemma2")
    writer.add_name("Gemma 2 2b It")
    writer.add_organization("Google")
    writer.add_license("gemma")
    writer.add_license_link("https://ai.google.dev/gemma/terms")
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    writer.add_base_model_count(1)
    writer.add_base_model_name(0, "Gemma 2 2b It")
    writer.add_base_model_organization(0, "Google")
    writer.add_base_model_repo_url(0, "https://huggingface.co/google/gemma-2-2b-it")
    writer.add_context_length(128)
    writer.add_embedding_length(Q8_ROW)
    writer.add_block_count(1)
    q8 = gguf.GGMLQuantizationType.Q8_0
    shapes = {"token_embd.weight": (VOCAB, Q8_ROW), "blk.0.ffn_up.weight": (INTER, Q8_ROW)}
    for name, shape in shapes.items():
        # quantize() returns the byte layout; add_tensor derives the logical shape from it.
        data = (rng.standard_normal(shape) * 0.02).astype(np.float32)
        writer.add_tensor(name, gguf.quants.quantize(data, q8), raw_dtype=q8)
    writer.add_tensor("output_norm.weight", np.ones(Q8_ROW, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def main() -> None:
    for path in (
        write_safetensors("llama31-finetune-apache", seed=31, qkv_bias=False),
        write_safetensors("qwen25-compliant", seed=25, qkv_bias=True),
        write_gguf("gguf-quant", "gemma-2-2b-it-Q8_0.gguf", seed=2),
    ):
        print(f"{path.relative_to(HERE)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
