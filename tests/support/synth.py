"""Seeded numpy generator of tiny llama-style checkpoints and their derivatives
(lineage.md §4.2), plus a numpy-only safetensors writer.

Models are dicts {(role, layer): float32 array} (roles as in view.py), so the same variant
functions work on synthetic bases and on real tensors read from a checkpoint. Each
synthetic base has its own structure -- a per-model low-rank "outlier" basis in the hidden
space shared by all layers and a per-role random-walk depth profile of scales -- because
pure iid Gaussian models are a degenerate world (lineage.md §4.1).

Positives: copy, fine_tune (light/heavy noise), permute (MLP neurons and attention heads),
prune, upscale (SOLAR-style), upcycle_moe (copy / drop / slice), lora_merge, rotate
(residual-stream rotation, optionally with paired scaling and noise).
Hard negatives: same_stats (iid redraw with each tensor's mean/std), base(other seed) with or
without the same depth profile, independent_moe, geometry_twin (same hidden-space covariance,
depth profile, embedding norms and coarse token geometry).
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from tests.support.memview import MemView

Key = tuple[str, "int | None"]
Tensors = dict[Key, np.ndarray]


@dataclass
class SynthModel:
    tensors: Tensors
    config: dict[str, Any]
    arch: str = "llama"
    label: str = "synthetic"
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. {"kind": "pruned", "keep": [...]}

    @property
    def n_layers(self) -> int:
        return int(
            self.config.get("num_hidden_layers")
            or 1 + max(ly for (_r, ly) in self.tensors if ly is not None)
        )

    def view(
        self, label: str | None = None, tokenizer_digest: str | None = "synthetic-tok"
    ) -> MemView:
        return MemView(
            self.tensors,
            label=label or self.label,
            arch=self.arch,
            config=self.config,
            n_layers=self.n_layers,
            tokenizer_digest=tokenizer_digest,
        )


def _rng(*parts: object) -> np.random.Generator:
    import hashlib

    h = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:8], "little"))


def llama_config(
    hidden: int, n_layers: int, ffn: int, vocab: int, heads: int, kv_heads: int
) -> dict[str, Any]:
    return {
        "model_type": "llama",
        "architectures": ["LlamaForCausalLM"],
        "hidden_size": hidden,
        "intermediate_size": ffn,
        "num_hidden_layers": n_layers,
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
        "vocab_size": vocab,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "max_position_embeddings": 512,
        "tie_word_embeddings": False,
        "hidden_act": "silu",
        "torch_dtype": "float32",
    }


def base(
    seed: int,
    hidden: int = 128,
    n_layers: int = 6,
    ffn: int = 512,
    vocab: int = 512,
    heads: int = 4,
    kv_heads: int | None = None,
    profile_seed: int | None = None,
    spike_rank: int = 4,
    spike: float = 1.5,
) -> SynthModel:
    """A 'pretrained' base. `profile_seed` fixes the per-layer scale profile independently of
    the weights, so two different seeds can share one depth profile (hard negative A)."""
    kv = kv_heads or heads
    hd = hidden // heads
    rng = _rng("base", seed)
    prof = _rng("profile", seed if profile_seed is None else profile_seed)
    basis, _ = np.linalg.qr(rng.standard_normal((hidden, spike_rank)))
    shapes = {
        "attn.q": (heads * hd, hidden),
        "attn.k": (kv * hd, hidden),
        "attn.v": (kv * hd, hidden),
        "attn.o": (hidden, heads * hd),
        "mlp.gate": (ffn, hidden),
        "mlp.up": (ffn, hidden),
        "mlp.down": (hidden, ffn),
    }
    base_std = {
        "attn.q": 0.04,
        "attn.k": 0.04,
        "attn.v": 0.03,
        "attn.o": 0.03,
        "mlp.gate": 0.03,
        "mlp.up": 0.03,
        "mlp.down": 0.02,
    }
    walk = {r: np.exp(0.08 * np.cumsum(prof.standard_normal(n_layers))) for r in shapes}
    t: Tensors = {}

    def mat(shape: tuple[int, int], std: float) -> np.ndarray:
        g = rng.standard_normal(shape)
        coef = rng.standard_normal((spike_rank, shape[0] if shape[1] == hidden else shape[1]))
        if shape[1] == hidden:  # input side in the residual stream
            g += spike * (coef.T @ basis.T)
        else:  # output side in the residual stream (o, down)
            g += spike * (basis @ coef)
        return (std * g / np.sqrt(1 + spike**2 * spike_rank / hidden)).astype(np.float32)

    t[("embed", None)] = mat((vocab, hidden), 0.02)
    t[("lm_head", None)] = mat((vocab, hidden), 0.02)
    t[("norm.final", None)] = (1 + 0.05 * rng.standard_normal(hidden)).astype(np.float32)
    for layer in range(n_layers):
        for role, shape in shapes.items():
            t[(role, layer)] = mat(shape, base_std[role] * float(walk[role][layer]))
        for role in ("norm.attn", "norm.mlp"):
            t[(role, layer)] = (1 + 0.05 * rng.standard_normal(hidden)).astype(np.float32)
    cfg = llama_config(hidden, n_layers, ffn, vocab, heads, kv)
    return SynthModel(t, cfg, "llama", f"synth-base-{seed}", {"kind": "base", "seed": seed})


def _noisy(x: np.ndarray, alpha: float, rng: np.random.Generator) -> np.ndarray:
    if alpha == 0:
        return x.copy()
    sd = float(x.std()) or 1e-3
    return (x + alpha * sd * rng.standard_normal(x.shape)).astype(x.dtype)


def _derive(m: SynthModel, tensors: Tensors, kind: str, **meta: Any) -> SynthModel:
    return replace(
        m,
        tensors=tensors,
        config=dict(m.config),
        label=f"{m.label}-{kind}",
        meta={"kind": kind, "parent": m.label, **meta},
    )


def copy(m: SynthModel) -> SynthModel:
    return _derive(m, dict(m.tensors), "copy")


def fine_tune(m: SynthModel, alpha: float, seed: int = 1) -> SynthModel:
    """W + N(0, (alpha * std(W))^2) on every tensor (alpha 0.01-0.1 light, 1-2 heavy)."""
    rng = _rng("ft", seed, alpha)
    return _derive(
        m,
        {k: _noisy(v, alpha, rng) for k, v in m.tensors.items()},
        "fine-tune" if alpha < 0.5 else "heavy-training",
        alpha=alpha,
    )


def _head_order(n_heads: int, n_kv: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Permutation of kv heads and the consistent permutation of q heads (GQA groups)."""
    g = rng.permutation(n_kv)
    per = n_heads // n_kv
    q = np.concatenate([np.arange(k * per, (k + 1) * per) for k in g])
    return g, q


def _rows_by_blocks(x: np.ndarray, order: np.ndarray, block: int, axis: int) -> np.ndarray:
    idx = np.concatenate([np.arange(h * block, (h + 1) * block) for h in order])
    return np.take(x, idx, axis=axis)


def permute(
    m: SynthModel,
    seed: int = 2,
    noise: float = 0.01,
    permute_heads: bool = True,
    permute_neurons: bool = True,
) -> SynthModel:
    """Function-preserving permutation of MLP intermediate neurons (gate/up rows, down
    columns) and of attention heads (q/k/v row blocks, o column blocks), either of which can
    be switched off, then light noise."""
    rng = _rng("perm", seed)
    cfg = m.config
    heads = int(cfg["num_attention_heads"])
    kv = int(cfg.get("num_key_value_heads") or heads)
    out: Tensors = dict(m.tensors)
    for layer in range(m.n_layers):
        q = m.tensors.get(("attn.q", layer))
        if q is not None and permute_heads:
            hd = q.shape[0] // heads
            gperm, qperm = _head_order(heads, kv, rng)
            for role, order in (("attn.q", qperm), ("attn.k", gperm), ("attn.v", gperm)):
                for r in (role, role + ".bias"):
                    if (r, layer) in out:
                        out[(r, layer)] = _rows_by_blocks(out[(r, layer)], order, hd, 0)
            if ("attn.o", layer) in out:
                out[("attn.o", layer)] = _rows_by_blocks(out[("attn.o", layer)], qperm, hd, 1)
        up = m.tensors.get(("mlp.up", layer))
        if up is not None and permute_neurons:
            p = rng.permutation(up.shape[0])
            for r in ("mlp.gate", "mlp.up", "mlp.gate.bias", "mlp.up.bias"):
                if (r, layer) in out:
                    out[(r, layer)] = out[(r, layer)][p]
            out[("mlp.down", layer)] = out[("mlp.down", layer)][:, p]
    nrng = _rng("perm-noise", seed)
    out = {k: _noisy(v, noise, nrng) for k, v in out.items()}
    return _derive(m, out, "permuted")


def _relayer(m: SynthModel, order: Sequence[int], kind: str, noise: float, seed: int) -> SynthModel:
    rng = _rng(kind, seed)
    out: Tensors = {k: v for k, v in m.tensors.items() if k[1] is None}
    for new, old in enumerate(order):
        for (role, ly), v in m.tensors.items():
            if ly == old:
                out[(role, new)] = v
    out = {k: _noisy(v, noise, rng) for k, v in out.items()}
    d = _derive(m, out, kind, layers=list(order))
    d.config["num_hidden_layers"] = len(order)
    return d


def prune(
    m: SynthModel, keep: Sequence[int] | None = None, noise: float = 0.05, seed: int = 3
) -> SynthModel:
    """Depth pruning: keep `keep` layers (default every second one), then light training."""
    return _relayer(
        m, list(keep) if keep is not None else list(range(0, m.n_layers, 2)), "pruned", noise, seed
    )


def upscale(m: SynthModel, noise: float = 0.05, seed: int = 4) -> SynthModel:
    """SOLAR-style depth up-scaling: layers [0, 2L/3) + [L/3, L), then light training."""
    L = m.n_layers
    order = list(range(0, (2 * L) // 3)) + list(range(L // 3, L))
    return _relayer(m, order, "up-scaled", noise, seed)


def upcycle_moe(
    m: SynthModel,
    n_experts: int = 4,
    alpha: float = 0.1,
    mode: str = "copy",
    drop: float = 0.5,
    attn_noise: float = 0.05,
    seed: int = 5,
) -> SynthModel:
    """Sparse upcycling: every expert = the dense MLP + noise ('copy'); 'drop' re-initialises
    a fraction of each expert's neurons (drop-upcycling); 'slice' gives expert e the e-th
    slice of the dense neurons (fine-grained). New random router; the rest copied + noise."""
    rng = _rng("moe", seed, mode)
    out: Tensors = {}
    hidden = int(m.config["hidden_size"])
    for (role, ly), v in m.tensors.items():
        if ly is None or not role.startswith("mlp."):
            out[(role, ly)] = _noisy(v, attn_noise, rng)
    ffn = 0
    for layer in range(m.n_layers):
        dense = {
            p: m.tensors[(f"mlp.{p}", layer)]
            for p in ("gate", "up", "down")
            if (f"mlp.{p}", layer) in m.tensors
        }
        ffn = dense["up"].shape[0]
        out[("moe.router", layer)] = (0.02 * rng.standard_normal((n_experts, hidden))).astype(
            np.float32
        )
        for e in range(n_experts):
            if mode == "slice":
                sl = np.arange(e * ffn // n_experts, (e + 1) * ffn // n_experts)
            else:
                sl = np.arange(ffn)
            ex = {p: (w[:, sl] if p == "down" else w[sl]) for p, w in dense.items()}
            ex = {p: _noisy(w, alpha, rng) for p, w in ex.items()}
            if mode == "drop":
                k = int(round(drop * len(sl)))
                fresh = rng.choice(len(sl), size=k, replace=False)
                for p, w in ex.items():
                    sd = float(w.std())
                    if p == "down":
                        w[:, fresh] = sd * rng.standard_normal((w.shape[0], k))
                    else:
                        w[fresh] = sd * rng.standard_normal((k, w.shape[1]))
            for p, w in ex.items():
                out[(f"moe.expert.{e}.{p}", layer)] = w.astype(np.float32)
    d = _derive(m, out, "upcycled-moe", mode=mode, experts=n_experts, alpha=alpha)
    d.arch = "mixtral"
    d.config.update(
        {
            "model_type": "mixtral",
            "architectures": ["MixtralForCausalLM"],
            "num_local_experts": n_experts,
            "num_experts_per_tok": 2,
            "intermediate_size": ffn // n_experts if mode == "slice" else ffn,
        }
    )
    return d


def lora_merge(m: SynthModel, rank: int = 4, strength: float = 0.5, seed: int = 6) -> SynthModel:
    """W + B @ A (rank `rank`) on every layer matrix, ||BA|| = strength * ||W||."""
    rng = _rng("lora", seed)
    out: Tensors = dict(m.tensors)
    for (role, ly), w in m.tensors.items():
        if ly is None or w.ndim != 2:
            continue
        delta = rng.standard_normal((w.shape[0], rank)) @ rng.standard_normal((rank, w.shape[1]))
        delta *= strength * np.linalg.norm(w) / np.linalg.norm(delta)
        out[(role, ly)] = (w + delta).astype(np.float32)
    return _derive(m, out, "merge", rank=rank, strength=strength)


def _orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))[None, :]


_INPUT_SIDE = ("attn.q", "attn.k", "attn.v", "mlp.gate", "mlp.up", "moe.router")


def _side(role: str) -> str:
    """'in' for matrices that read the residual stream (W -> W Rᵀ), 'out' for those that
    write to it (W -> R W), '' for the rest."""
    if role in _INPUT_SIDE or (role.startswith("moe.") and role.endswith((".gate", ".up"))):
        return "in"
    if role in ("attn.o", "mlp.down") or (role.startswith("moe.") and role.endswith(".down")):
        return "out"
    return ""


def rotate(
    m: SynthModel, seed: int = 11, noise: float = 0.0, scale: bool = False
) -> SynthModel:
    """Orthogonal rotation R of the residual stream: every matrix that reads it (q/k/v,
    gate/up, router, embedding and lm_head rows) becomes W Rᵀ, every matrix that writes to it
    (o, down, and their biases) R W. For pre-norm models (a final norm exists) the RMSNorm
    gains are first folded into the matrices that follow them and set to 1, which makes the
    rotation function-preserving; for post-LayerNorm models (BERT) the 1-D tensors are left
    as they are (the weights are rotated; the function is not preserved exactly).
    `scale`: per layer q·c with k/c, and up·c with down/c (v·c with o/c without a gate).
    `noise`: then W + N(0, (noise·std W)^2) on every tensor."""
    rng = _rng("rotate", seed)
    hidden = int(m.config["hidden_size"])
    R = _orthogonal(hidden, rng)
    t: Tensors = dict(m.tensors)
    if ("norm.final", None) in t:
        for layer in range(m.n_layers):
            for norm, side in (("norm.attn", ("attn.",)), ("norm.mlp", ("mlp.", "moe."))):
                g = t.get((norm, layer))
                if g is None:
                    continue
                for (role, ly), w in list(t.items()):
                    if ly == layer and role.startswith(side) and _side(role) == "in":
                        t[(role, ly)] = (w * g[None, :]).astype(np.float32)
                t[(norm, layer)] = np.ones_like(g)
        g = t[("norm.final", None)]
        if ("lm_head", None) in t:
            t[("lm_head", None)] = (t[("lm_head", None)] * g[None, :]).astype(np.float32)
        t[("norm.final", None)] = np.ones_like(g)
    out: Tensors = {}
    for (role, ly), w in t.items():
        base_role = role[: -len(".bias")] if role.endswith(".bias") else role
        side = _side(base_role)
        if w.ndim == 2 and (side == "in" or (ly is None and w.shape[1] == hidden)):
            w = w @ R.T
        elif side == "out" and (w.ndim == 2 or role.endswith(".bias")):
            w = R @ w
        out[(role, ly)] = w.astype(np.float32)
    if scale:
        for layer in range(m.n_layers):
            c1, c2 = np.exp(rng.uniform(-0.7, 0.7, size=2))
            pair = ("mlp.up", "mlp.down") if ("mlp.gate", layer) in out else ("attn.v", "attn.o")
            for (hi, lo), c in ((("attn.q", "attn.k"), c1), (pair, c2)):
                if (hi, layer) in out and (lo, layer) in out:
                    out[(hi, layer)] = (out[(hi, layer)] * c).astype(np.float32)
                    out[(lo, layer)] = (out[(lo, layer)] / c).astype(np.float32)
    if noise:
        nrng = _rng("rotate-noise", seed)
        out = {k: _noisy(v, noise, nrng) for k, v in out.items()}
    return _derive(m, out, "rotated", noise=noise, scaled=scale)


def _covariance_redraw(w: np.ndarray, hidden: int, rng: np.random.Generator) -> np.ndarray:
    """An independent matrix with the same hidden-space covariance (and mean) as `w`."""
    mean = float(w.mean())
    x = w.astype(np.float64) - mean
    if x.shape[1] == hidden:  # rows live in the residual stream
        cov = x.T @ x / x.shape[0]
        lam, vec = np.linalg.eigh(cov)
        z = rng.standard_normal(x.shape) * np.sqrt(np.clip(lam, 0, None))[None, :]
        return (mean + z @ vec.T).astype(np.float32)
    if x.shape[0] == hidden:  # columns live in the residual stream
        return _covariance_redraw(w.T, hidden, rng).T.copy()
    return (mean + float(x.std()) * rng.standard_normal(x.shape)).astype(np.float32)


def geometry_twin(m: SynthModel, seed: int = 12, token_rank: int = 4) -> SynthModel:
    """Hard negative that shares the geometry of `m` without sharing its weights: every
    matrix redrawn with the same hidden-space covariance (hence the same low-rank structure,
    per-layer scales and depth profile), 1-D tensors with the same mean/std, and the
    embedding given `m`'s dominant token geometry (its top `token_rank` token-space
    components, placed in fresh hidden directions: a coarse structure such as token
    frequency that models trained on similar text with one tokenizer share) and `m`'s
    per-token row norms."""
    rng = _rng("geometry-twin", seed)
    hidden = int(m.config["hidden_size"])
    out: Tensors = {}
    for (role, ly), w in m.tensors.items():
        if w.ndim == 2:
            out[(role, ly)] = _covariance_redraw(w, hidden, rng)
        else:
            out[(role, ly)] = (
                float(w.mean()) + float(w.std()) * rng.standard_normal(w.shape)
            ).astype(w.dtype)
    for role in ("embed", "lm_head"):
        e = m.tensors.get((role, None))
        if e is None or e.ndim != 2 or e.shape[1] != hidden:
            continue
        e64 = e.astype(np.float64)
        _w, vec = np.linalg.eigh(e64.T @ e64)  # ascending: the last columns are the top ones
        coords = e64 @ vec[:, -token_rank:]  # = U_r S_r, the token-space coordinates
        fresh = _orthogonal(hidden, rng)[:token_rank]
        twin = out[(role, None)].astype(np.float64) + coords @ fresh
        norms = np.linalg.norm(e, axis=1) / np.maximum(np.linalg.norm(twin, axis=1), 1e-30)
        out[(role, None)] = (twin * norms[:, None]).astype(np.float32)
    d = _derive(m, out, "geometry-twin")
    d.meta["negative"] = True
    return d


def same_stats(m: SynthModel, seed: int = 7) -> SynthModel:
    """Hard negative: every tensor redrawn iid Gaussian with that tensor's own mean and std
    (1-D gains too). Per-layer scale profiles -- hence sigma-curves -- match exactly."""
    rng = _rng("same-stats", seed)
    out = {
        k: (float(v.mean()) + float(v.std()) * rng.standard_normal(v.shape)).astype(v.dtype)
        for k, v in m.tensors.items()
    }
    d = _derive(m, out, "same-stats")
    d.meta["negative"] = True
    return d


def independent_moe(like: SynthModel, seed: int = 8) -> SynthModel:
    """Hard negative: an MoE of the same shapes with every tensor drawn independently."""
    hidden = int(like.config["hidden_size"])
    other = base(
        seed + 10_000,
        hidden=hidden,
        n_layers=like.n_layers,
        ffn=int(like.config["intermediate_size"]),
        vocab=int(like.config["vocab_size"]),
        heads=int(like.config["num_attention_heads"]),
    )
    rng = _rng("indep-moe", seed)
    out: Tensors = {k: v for k, v in other.tensors.items() if not k[0].startswith("mlp.")}
    n_exp = int(like.config.get("num_local_experts") or 4)
    for layer in range(like.n_layers):
        out[("moe.router", layer)] = (0.02 * rng.standard_normal((n_exp, hidden))).astype(
            np.float32
        )
        for e in range(n_exp):
            fresh = base(
                seed * 1000 + layer * 100 + e,
                hidden=hidden,
                n_layers=1,
                ffn=int(like.config["intermediate_size"]),
                vocab=8,
                heads=int(like.config["num_attention_heads"]),
            )
            for p in ("gate", "up", "down"):
                out[(f"moe.expert.{e}.{p}", layer)] = fresh.tensors[(f"mlp.{p}", 0)]
    d = SynthModel(
        out,
        dict(like.config),
        "mixtral",
        f"synth-independent-moe-{seed}",
        {"kind": "independent-moe", "negative": True},
    )
    return d


# --- writing real safetensors files (numpy only) ---------------------------------------

_LLAMA_NAMES = {
    "attn.q": "self_attn.q_proj",
    "attn.k": "self_attn.k_proj",
    "attn.v": "self_attn.v_proj",
    "attn.o": "self_attn.o_proj",
    "mlp.gate": "mlp.gate_proj",
    "mlp.up": "mlp.up_proj",
    "mlp.down": "mlp.down_proj",
    "norm.attn": "input_layernorm",
    "norm.mlp": "post_attention_layernorm",
    "moe.router": "block_sparse_moe.gate",
}
_MODEL_NAMES = {"embed": "model.embed_tokens", "lm_head": "lm_head", "norm.final": "model.norm"}
_EXPERT_W = {"gate": "w1", "down": "w2", "up": "w3"}


def hf_name(role: str, layer: int | None) -> str:
    """HF llama / mixtral tensor name of a role."""
    suffix = ".weight"
    if role.endswith(".bias"):
        role, suffix = role[: -len(".bias")], ".bias"
    if layer is None:
        return _MODEL_NAMES[role] + suffix
    if role.startswith("moe.expert."):
        _m, _x, e, part = role.split(".")
        return f"model.layers.{layer}.block_sparse_moe.experts.{e}.{_EXPERT_W[part]}{suffix}"
    return f"model.layers.{layer}.{_LLAMA_NAMES[role]}{suffix}"


def to_bf16_bytes(x: np.ndarray) -> bytes:
    """float32 -> bfloat16 (round to nearest even), little-endian bytes."""
    u = np.ascontiguousarray(x, dtype="<f4").view("<u4").astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype("<u2").tobytes()


def write_safetensors(
    path: str | os.PathLike[str],
    tensors: Mapping[str, np.ndarray],
    dtype: str = "F32",
    metadata: dict[str, str] | None = None,
) -> int:
    """Write a safetensors file; float tensors are stored as `dtype` (F32 | F16 | BF16).
    Returns the file size."""
    header: dict[str, Any] = {"__metadata__": metadata or {"format": "pt"}}
    blobs: list[bytes] = []
    off = 0
    for name in sorted(tensors):
        arr = np.asarray(tensors[name])
        if arr.dtype.kind == "f":
            if dtype == "BF16":
                raw = to_bf16_bytes(arr)
            else:
                raw = np.ascontiguousarray(arr, dtype="<f2" if dtype == "F16" else "<f4").tobytes()
            dt = dtype
        else:
            raw, dt = np.ascontiguousarray(arr, dtype="<i8").tobytes(), "I64"
        header[name] = {
            "dtype": dt,
            "shape": list(arr.shape),
            "data_offsets": [off, off + len(raw)],
        }
        blobs.append(raw)
        off += len(raw)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)  # align the data buffer to 8 bytes, as the reference writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for raw in blobs:
            f.write(raw)
    return 8 + len(hb) + off


TOKENIZER = {
    "version": "1.0",
    "model": {"type": "BPE", "vocab": {f"t{i}": i for i in range(64)}, "merges": []},
}


def fused_names(tensors: Tensors, transposed: bool = False) -> dict[str, np.ndarray]:
    """HF names with every layer's experts batched into two 3-D tensors, as transformers'
    fused MoE layout stores them: `mlp.experts.gate_up_proj` [E, 2I, H] (gate rows, then
    up rows, per expert) and `mlp.experts.down_proj` [E, H, I]; `transposed` stores
    [E, H, 2I] and [E, I, H] instead (the original gpt-oss / Llama 4 orientation)."""
    named: dict[str, np.ndarray] = {}
    experts: dict[int, dict[int, dict[str, np.ndarray]]] = {}
    for (role, layer), v in tensors.items():
        if role.startswith("moe.expert.") and layer is not None:
            _m, _x, e, part = role.split(".")
            experts.setdefault(layer, {}).setdefault(int(e), {})[part] = v
        else:
            named[hf_name(role, layer)] = v
    for layer, by_e in experts.items():
        order = sorted(by_e)
        gate_up = np.stack([np.concatenate([by_e[e]["gate"], by_e[e]["up"]]) for e in order])
        down = np.stack([by_e[e]["down"] for e in order])
        if transposed:
            gate_up, down = gate_up.transpose(0, 2, 1), down.transpose(0, 2, 1)
        prefix = f"model.layers.{layer}.mlp.experts."
        named[prefix + "gate_up_proj"] = np.ascontiguousarray(gate_up)
        named[prefix + "down_proj"] = np.ascontiguousarray(down)
    return named


def write_model(
    m: SynthModel,
    out_dir: str | os.PathLike[str],
    dtype: str = "F32",
    shards: int = 1,
    experts: str = "per-expert",
) -> Path:
    """Write config.json, tokenizer.json and model.safetensors (or `shards` shards plus
    model.safetensors.index.json) for a SynthModel. `experts`: "per-expert" (Mixtral
    names), "fused" or "fused-transposed" (see `fused_names`)."""
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    if experts == "per-expert":
        named = {hf_name(r, ly): v for (r, ly), v in m.tensors.items()}
    else:
        named = fused_names(m.tensors, transposed=experts == "fused-transposed")
    (d / "config.json").write_text(json.dumps(m.config, indent=1))
    (d / "tokenizer.json").write_text(json.dumps(TOKENIZER))
    if shards <= 1:
        write_safetensors(d / "model.safetensors", named, dtype)
        return d
    names = sorted(named)
    weight_map: dict[str, str] = {}
    total = 0
    for s in range(shards):
        part = names[s::shards]
        fn = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        write_safetensors(d / fn, {n: named[n] for n in part}, dtype)
        total += sum(named[n].size * (2 if dtype in ("BF16", "F16") else 4) for n in part)
        weight_map.update(dict.fromkeys(part, fn))
    (d / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=1)
    )
    return d


def from_view(view: Any, label: str | None = None) -> SynthModel:
    """Materialise every tensor of a TensorView (small models only) as a SynthModel, so the
    variant functions can be applied to real weights."""
    t: Tensors = {}
    for layer in [None, *range(view.n_layers)]:
        for role in view.roles(layer):
            shape = view.shape(role, layer)
            arr = np.asarray(view.rows(role, layer, None), dtype=np.float32)
            t[(role, layer)] = arr.reshape(shape) if shape is not None else arr
    cfg = dict(view.config or {})
    cfg.setdefault("num_hidden_layers", view.n_layers)
    return SynthModel(t, cfg, view.arch, label or view.label, {"kind": "real"})
