"""Tensor name -> architecture-neutral role (see view.py for the vocabulary).

Each architecture names the same parts differently; signals only ever ask for
roles. Packed projections (Phi-3 `qkv_proj` / `gate_up_proj`, GPT-NeoX and
Falcon `query_key_value`) are split into logical row segments here, so a
reader fetches only the rows of the part asked for (lineage.md §5.5).

Besides the view.py vocabulary a few extra roles are emitted because they exist
and may be useful (signals ignore roles they do not know): `<role>.bias`,
`norm.q`/`norm.k` (Qwen3/Gemma3 QK-norm), `norm.attn_post`/`norm.mlp_post`
(Gemma2/3 sandwich norms), `attn.q_a`/`attn.q_b`/`attn.kv_a`/`attn.kv_b`
(DeepSeek MLA), `moe.shared_gate`, `embed.pos`, `embed.type`, `norm.embed`, `pooler`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Shape = tuple[int, ...]
Key = tuple[str, "int | None"]


@dataclass(frozen=True)
class TensorRef:
    """Where a role lives: a checkpoint tensor, or a set of its rows (packed tensors)."""

    name: str
    shape: Shape  # logical shape of the role (rows of the part only, for packed tensors)
    segments: tuple[tuple[int, int], ...] | None = None  # physical (first_row, n_rows), in order
    # rows are those of the tensor seen as 2-D (prod(shape[:-1]), shape[-1]): fused expert
    # tensors [E, rows, cols] hold expert e's rows at e * rows ...
    flat: bool = False

    def physical_rows(self, rows: Sequence[int] | None) -> np.ndarray | None:
        """Physical row indices for logical `rows` (None = all rows of the role; returns
        None when that is the whole tensor)."""
        if self.segments is None:
            return None if rows is None else np.asarray(rows, dtype=np.int64)
        table = np.concatenate([np.arange(s, s + n, dtype=np.int64) for s, n in self.segments])
        if rows is None:
            return table
        idx = np.asarray(rows, dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= table.size):
            raise IndexError(f"{self.name}: row out of range for a part of {table.size} rows")
        return table[idx]


@dataclass
class RoleMap:
    arch: str
    n_layers: int
    refs: dict[Key, TensorRef] = field(default_factory=dict)
    # tensors given no role: name -> why (UNKNOWN_NAME, a layout note, or SKIPPED_TOWER)
    unrecognised: dict[str, str] = field(default_factory=dict)

    def get(self, role: str, layer: int | None) -> TensorRef:
        try:
            return self.refs[(role, layer)]
        except KeyError:
            where = "model level" if layer is None else f"layer {layer}"
            raise KeyError(f"no tensor with role {role!r} at {where} ({self.arch})") from None

    def roles(self, layer: int | None) -> list[str]:
        return sorted(r for (r, lay) in self.refs if lay == layer)


# --- architecture detection -------------------------------------------------

_MODEL_TYPES: dict[str, str] = {
    "llama": "llama",
    "mistral": "mistral",
    "mixtral": "mixtral",
    "qwen2": "qwen2",
    "qwen3": "qwen3",
    "qwen2_moe": "qwen2_moe",
    "qwen3_moe": "qwen2_moe",
    "gemma": "gemma",
    "gemma2": "gemma2",
    "gemma3": "gemma3",
    "gemma3_text": "gemma3",
    "phi3": "phi3",
    "phimoe": "mixtral",
    "deepseek_v2": "deepseek",
    "deepseek_v3": "deepseek",
    "falcon": "falcon",
    "refinedweb": "falcon",
    "refinedwebmodel": "falcon",
    "gpt_neox": "gpt_neox",
    "bert": "bert",
    "roberta": "bert",
    "xlm-roberta": "bert",
}


def normalise_arch(config: Mapping[str, Any], names: Iterable[str] = ()) -> str:
    """Architecture family from config.json `model_type`, else guessed from tensor names."""
    mt = str(config.get("model_type") or "").lower()
    if mt in _MODEL_TYPES:
        return _MODEL_TYPES[mt]
    text_cfg = config.get("text_config")
    if isinstance(text_cfg, Mapping) and text_cfg.get("model_type"):
        return normalise_arch(text_cfg, names)
    joined = "\n".join(names)
    guesses = [
        ("gpt_neox.", "gpt_neox"),
        ("query_key_value", "falcon"),
        ("encoder.layer.", "bert"),
        ("block_sparse_moe", "mixtral"),
        ("qkv_proj", "phi3"),
        ("shared_experts.", "deepseek"),
        ("shared_expert.", "qwen2_moe"),
        ("pre_feedforward_layernorm", "gemma2"),
        ("self_attn.q_proj.bias", "qwen2"),
        ("self_attn.q_proj", "llama"),
    ]
    for needle, arch in guesses:
        if needle in joined:
            return arch
    return "unknown"


def _config_text(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """Multimodal configs keep the language model's settings in `text_config`."""
    tc = config.get("text_config")
    return tc if isinstance(tc, Mapping) else config


# --- name tables -------------------------------------------------------------

_LLAMA_LAYER: dict[str, str] = {
    "self_attn.q_proj": "attn.q",
    "self_attn.k_proj": "attn.k",
    "self_attn.v_proj": "attn.v",
    "self_attn.o_proj": "attn.o",
    "self_attn.q_norm": "norm.q",
    "self_attn.k_norm": "norm.k",
    "self_attn.q_a_proj": "attn.q_a",
    "self_attn.q_b_proj": "attn.q_b",
    "self_attn.kv_a_proj_with_mqa": "attn.kv_a",
    "self_attn.kv_b_proj": "attn.kv_b",
    "self_attn.q_a_layernorm": "norm.q_a",
    "self_attn.kv_a_layernorm": "norm.kv_a",
    "mlp.gate_proj": "mlp.gate",
    "mlp.up_proj": "mlp.up",
    "mlp.down_proj": "mlp.down",
    "input_layernorm": "norm.attn",
    "post_attention_layernorm": "norm.mlp",
    # MoE (qwen2_moe, deepseek): router, experts, shared expert(s)
    "mlp.gate": "moe.router",
    "mlp.router": "moe.router",
    "feed_forward.router": "moe.router",
    "mlp.shared_expert_gate": "moe.shared_gate",
    "block_sparse_moe.gate": "moe.router",
}

_GEMMA2_LAYER: dict[str, str] = {
    **_LLAMA_LAYER,
    "post_attention_layernorm": "norm.attn_post",
    "pre_feedforward_layernorm": "norm.mlp",
    "post_feedforward_layernorm": "norm.mlp_post",
}

_FALCON_LAYER: dict[str, str] = {
    "self_attention.dense": "attn.o",
    "mlp.dense_h_to_4h": "mlp.up",
    "mlp.dense_4h_to_h": "mlp.down",
    "input_layernorm": "norm.attn",
    "ln_attn": "norm.attn",
    "ln_mlp": "norm.mlp",
    "post_attention_layernorm": "norm.mlp",
}

_NEOX_LAYER: dict[str, str] = {
    "attention.dense": "attn.o",
    "mlp.dense_h_to_4h": "mlp.up",
    "mlp.dense_4h_to_h": "mlp.down",
    "input_layernorm": "norm.attn",
    "post_attention_layernorm": "norm.mlp",
}

_BERT_LAYER: dict[str, str] = {
    "attention.self.query": "attn.q",
    "attention.self.key": "attn.k",
    "attention.self.value": "attn.v",
    "attention.output.dense": "attn.o",
    "attention.output.LayerNorm": "norm.attn",
    "intermediate.dense": "mlp.up",
    "output.dense": "mlp.down",
    "output.LayerNorm": "norm.mlp",
}

_LAYER_TABLES: dict[str, dict[str, str]] = {
    "gemma2": _GEMMA2_LAYER,
    "gemma3": _GEMMA2_LAYER,
    "falcon": _FALCON_LAYER,
    "gpt_neox": _NEOX_LAYER,
    "bert": _BERT_LAYER,
}

# model-level tensors: last dotted components (without .weight/.bias) -> role
_MODEL_LEVEL: dict[str, str] = {
    "embed_tokens": "embed",
    "word_embeddings": "embed",
    "embed_in": "embed",
    "wte": "embed",
    "tok_embeddings": "embed",
    "lm_head": "lm_head",
    "embed_out": "lm_head",
    "norm": "norm.final",
    "final_layernorm": "norm.final",
    "final_layer_norm": "norm.final",
    "ln_f": "norm.final",
    "embeddings.position_embeddings": "embed.pos",
    "embeddings.token_type_embeddings": "embed.type",
    "embeddings.LayerNorm": "norm.embed",
    "pooler.dense": "pooler",
}

_EXPERT_RE = re.compile(
    r"^(?:mlp|block_sparse_moe)\.experts\.(\d+)\.(gate_proj|up_proj|down_proj|w1|w2|w3)$"
)
_SHARED_RE = re.compile(r"^mlp\.shared_experts?\.(gate_proj|up_proj|down_proj)$")
_EXPERT_PART = {
    "gate_proj": "gate",
    "up_proj": "up",
    "down_proj": "down",
    "w1": "gate",  # Mixtral: w1 = gate, w3 = up, w2 = down
    "w3": "up",
    "w2": "down",
}
_LAYER_RE = re.compile(
    r"^(?P<prefix>.*?)(?:^|\.)(?:layers|h|layer|blocks)\.(?P<n>\d+)\.(?P<rest>.+)$"
)
# towers of multimodal checkpoints would collide with the text layers
_SKIP_RE = re.compile(r"(vision|visual|audio|multi_modal_projector|mm_projector|image_newline)")
_PACKED_QKV = {"self_attn.qkv_proj", "self_attention.query_key_value", "attention.query_key_value"}
_PACKED_GATE_UP = {"mlp.gate_up_proj"}
# batched experts, one 3-D tensor per layer (transformers' fused MoE, gpt-oss, Llama 4, vLLM
# `w13`/`w2`); these parameters often carry no `.weight` suffix
_FUSED_RE = re.compile(
    r"^(?:mlp|block_sparse_moe|feed_forward)\.experts\."
    r"(?P<part>gate_up_proj|w13_weight|w13|down_proj|w2_weight|w2)(?:\.weight)?$"
)
UNKNOWN_NAME = "name not recognised"
SKIPPED_TOWER = "vision/audio tower (not compared by design)"


def _split_param(name: str) -> tuple[str, str] | None:
    """'x.y.weight' -> ('x.y', ''), 'x.y.bias' -> ('x.y', '.bias'); other params -> None."""
    for suffix, kind in ((".weight", ""), (".gamma", ""), (".bias", ".bias"), (".beta", ".bias")):
        if name.endswith(suffix):
            return name[: -len(suffix)], kind
    return None


def _layer_role(arch: str, rest: str) -> str | None:
    table = _LAYER_TABLES.get(arch, _LLAMA_LAYER)
    if rest in table:
        return table[rest]
    m = _EXPERT_RE.match(rest)
    if m:
        return f"moe.expert.{int(m.group(1))}.{_EXPERT_PART[m.group(2)]}"
    m = _SHARED_RE.match(rest)
    if m:
        return f"moe.shared.{_EXPERT_PART[m.group(1)]}"
    return None


def _model_role(stem: str) -> str | None:
    for tail, role in _MODEL_LEVEL.items():
        if stem == tail or stem.endswith("." + tail):
            # `norm` must be the model's final norm, not e.g. `...layers.3.q_norm`
            return role
    return None


# --- packed projections --------------------------------------------------------


def _heads(cfg: Mapping[str, Any], arch: str) -> tuple[int, int, int]:
    """(n_q_heads, n_kv_heads, head_dim) from config.json (architecture-specific keys)."""
    hidden = int(cfg.get("hidden_size") or cfg.get("d_model") or 0)
    nq = int(cfg.get("num_attention_heads") or cfg.get("n_head") or 0)
    if arch == "falcon":
        if cfg.get("new_decoder_architecture"):
            nkv = int(cfg.get("num_kv_heads") or cfg.get("n_head_kv") or nq)
        elif cfg.get("multi_query", True):
            nkv = 1
        else:
            nkv = nq
    else:
        nkv = int(cfg.get("num_key_value_heads") or nq)
    hd = int(cfg.get("head_dim") or (hidden // nq if nq else 0))
    return nq, nkv, hd


def _qkv_segments(
    arch: str, cfg: Mapping[str, Any], rows: int
) -> dict[str, tuple[tuple[int, int], ...]] | None:
    nq, nkv, hd = _heads(cfg, arch)
    if not (nq and nkv and hd):
        return None
    if arch == "gpt_neox" or (
        arch == "falcon" and not cfg.get("new_decoder_architecture") and nkv == nq
    ):
        # per head: [q(hd), k(hd), v(hd)] interleaved (HF GPTNeoXAttention view(.., nh, 3*hd))
        if rows != 3 * nq * hd:
            return None
        return {
            p: tuple((h * 3 * hd + i * hd, hd) for h in range(nq))
            for i, p in enumerate(("attn.q", "attn.k", "attn.v"))
        }
    if arch == "falcon" and cfg.get("new_decoder_architecture"):
        # per KV group: [q * (nq/nkv), k, v] (HF FalconAttention._split_heads)
        per = nq // nkv
        if rows != (per + 2) * nkv * hd:
            return None
        grp = (per + 2) * hd
        return {
            "attn.q": tuple((g * grp, per * hd) for g in range(nkv)),
            "attn.k": tuple((g * grp + per * hd, hd) for g in range(nkv)),
            "attn.v": tuple((g * grp + (per + 1) * hd, hd) for g in range(nkv)),
        }
    # Phi-3 and multi-query Falcon: [all q; all k; all v] contiguous
    q, kv = nq * hd, nkv * hd
    if rows != q + 2 * kv:
        return None
    return {"attn.q": ((0, q),), "attn.k": ((q, kv),), "attn.v": ((q + kv, kv),)}


def _add_packed(
    out: dict[Key, TensorRef],
    name: str,
    shape: Shape,
    layer: int,
    parts: Mapping[str, tuple[tuple[int, int], ...]],
    kind: str,
) -> None:
    for role, segs in parts.items():
        n = sum(c for _, c in segs)
        out[(role + kind, layer)] = TensorRef(name, (n, *shape[1:]), segs)


def _hidden_size(cfg: Mapping[str, Any], shapes: Mapping[str, Shape]) -> int:
    hidden = cfg.get("hidden_size") or cfg.get("d_model")
    if isinstance(hidden, int) and not isinstance(hidden, bool) and hidden > 0:
        return hidden
    for name, shape in shapes.items():  # no config: the embedding's width
        parsed = _split_param(name)
        if parsed and _model_role(parsed[0]) == "embed" and len(shape) == 2:
            return int(shape[1])
    return 0


def _add_fused(
    out: dict[Key, TensorRef], name: str, shape: Shape, layer: int, part: str, hidden: int
) -> str | None:
    """Roles of every expert in a fused [E, rows, cols] tensor; the reason when its layout
    is not one whose rows are neurons (gate/up) or hidden dims (down)."""
    if len(shape) != 3 or not all(shape):
        return f"fused expert tensor of unexpected rank or size {list(shape)}"
    n_exp, rows, cols = (int(x) for x in shape)
    if part in ("gate_up_proj", "w13_weight", "w13"):
        if rows % 2 or (hidden and cols != hidden):
            return (
                f"fused gate/up experts stored transposed {list(shape)} (rows are not "
                "neurons), which is not read"
            )
        half = rows // 2  # [gate; up] halves along the rows, as `chunk(2)` splits them
        for e in range(n_exp):
            for role, first in (("gate", 0), ("up", half)):
                out[(f"moe.expert.{e}.{role}", layer)] = TensorRef(
                    name, (half, cols), ((e * rows + first, half),), flat=True
                )
        return None
    if hidden and rows != hidden:
        return (
            f"fused down experts stored transposed {list(shape)} (rows are not hidden "
            "dims), which is not read"
        )
    for e in range(n_exp):
        out[(f"moe.expert.{e}.down", layer)] = TensorRef(
            name, (rows, cols), ((e * rows, rows),), flat=True
        )
    return None


def build_role_map(shapes: Mapping[str, Shape], config: Mapping[str, Any]) -> RoleMap:
    """Assign roles to every recognised tensor; the others are listed with the reason in
    `RoleMap.unrecognised` (coverage.py turns them into a share of bytes)."""
    arch = normalise_arch(config, shapes.keys())
    cfg = _config_text(config)
    hidden = _hidden_size(cfg, shapes)
    refs: dict[Key, TensorRef] = {}
    unknown: dict[str, str] = {}
    max_layer = -1
    for name, shape in shapes.items():
        if _SKIP_RE.search(name):
            unknown[name] = SKIPPED_TOWER
            continue
        whole = _LAYER_RE.match(name)
        fused = _FUSED_RE.match(whole.group("rest")) if whole else None
        if whole is not None and fused is not None:
            layer = int(whole.group("n"))
            max_layer = max(max_layer, layer)
            why = _add_fused(refs, name, tuple(shape), layer, fused.group("part"), hidden)
            if why is not None:
                unknown[name] = why
            continue
        parsed = _split_param(name)
        if parsed is None:
            unknown[name] = UNKNOWN_NAME
            continue
        stem, kind = parsed
        m = _LAYER_RE.match(stem)
        if m is None:
            role = _model_role(stem)
            if role is not None:
                refs.setdefault((role + kind, None), TensorRef(name, tuple(shape)))
            else:
                unknown[name] = UNKNOWN_NAME
            continue
        layer, rest = int(m.group("n")), m.group("rest")
        max_layer = max(max_layer, layer)
        if rest in _PACKED_QKV and shape:
            parts = _qkv_segments(arch, cfg, shape[0])
            if parts is not None:
                _add_packed(refs, name, tuple(shape), layer, parts, kind)
            else:
                unknown[name] = "packed q/k/v whose split the config does not give"
            continue
        if rest in _PACKED_GATE_UP and shape and shape[0] % 2 == 0:
            half = shape[0] // 2  # Phi-3: gate first, then up (`chunk(2)`)
            parts = {"mlp.gate": ((0, half),), "mlp.up": ((half, half),)}
            _add_packed(refs, name, tuple(shape), layer, parts, kind)
            continue
        role = _layer_role(arch, rest)
        if role is not None:
            refs[(role + kind, layer)] = TensorRef(name, tuple(shape))
        else:
            unknown[name] = UNKNOWN_NAME
    if (
        ("lm_head", None) not in refs
        and ("embed", None) in refs
        and cfg.get("tie_word_embeddings", False)
    ):
        # tied head: same matrix; say so explicitly rather than hide the role
        refs[("lm_head", None)] = refs[("embed", None)]
    return RoleMap(arch=arch, n_layers=max_layer + 1, refs=refs, unrecognised=unknown)
