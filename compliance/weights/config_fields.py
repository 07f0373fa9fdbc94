"""The config.json fields that describe an architecture: compared by the config_similarity
signal and kept in fingerprints (one list, so a fingerprint holds every field compared)."""

from __future__ import annotations

ARCH_FIELDS = (
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "vocab_size",
    "rope_theta",
    "max_position_embeddings",
    "rms_norm_eps",
    "layer_norm_eps",
    "tie_word_embeddings",
    "hidden_act",
    "attention_bias",
    "num_local_experts",
    "num_experts",
    "moe_intermediate_size",
)
