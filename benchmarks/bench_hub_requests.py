"""How many HTTP requests and bytes does a Hub audit cost?

Starts olah (a Hub-compatible server) on loopback with a counting proxy in front,
builds a repo shaped like a 14B model (Qwen2.5-14B layout: 579 bf16 tensors in 8
safetensors shards, ~29.5 GB) plus its base model, and audits it through the real
huggingface_hub client: once without lineage (`--resolve catalog`), once with the
Hub resolver, cold and warm cache. It also measures huggingface_hub's own
`get_safetensors_metadata` on the same repo for comparison.

A second repo is shaped like a 405B model (Llama-3.1-405B layout: 1137 bf16 tensors
in 191 shards, ~811 GB) to show the cost cap: a Hub audit reads the index and the
first 2 shard headers only, so it costs the same as the 14B one; for comparison the
same repo is read with every shard header (what `--weights` and local audits do).

How the 14B layout is emulated honestly without 29.5 GB on disk:
- each shard is a git-LFS pointer whose `size` is the real shard size, so the file
  list says exactly what the Hub would say (sizes, sha256);
- the stored LFS object holds the real safetensors header (tensor names, dtypes,
  shapes, offsets into the 3.7 GB data region) followed by 1 MiB of zeros instead
  of the tensor data: enough that every range the audit asks for is served in
  full, far less than a shard;
- olah ignores `Range` for mirrored files, the Hub honours it: the counting proxy
  answers `Range` with 206 slices, so the bytes counted are what the Hub would send.
Bytes are response-body bytes as sent by the proxy (HTTP headers not included).

Run:  .venv/bin/python benchmarks/bench_hub_requests.py
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hub"))  # the test helpers: olah, proxy, repo builder

from faultproxy import FaultProxy  # noqa: E402
from hubrepos import LLAMA_LICENSE, card, make_repo, safetensors_header  # noqa: E402
from hubserver import start_olah, stop  # noqa: E402

HIDDEN, INTER, LAYERS, VOCAB, KV = 5120, 13824, 48, 152064, 1024
SHARDS = 8
PAD = 1 << 20  # bytes of zeros stored after each real header
# Llama-3.1-405B: hidden 16384, intermediate 53248, 126 layers, vocab 128256, 8 KV heads
BIG = {"hidden": 16384, "inter": 53248, "layers": 126, "vocab": 128256, "kv": 1024}
BIG_SHARDS = 191
BIG_PAD = 64 << 10  # > the 16 KiB first read; keeps 191 stored objects small


def decoder_tensors(
    hidden: int, inter: int, layers: int, vocab: int, kv: int, bias: bool
) -> list[tuple[str, tuple[int, ...]]]:
    t: list[tuple[str, tuple[int, ...]]] = [("model.embed_tokens.weight", (vocab, hidden))]
    for i in range(layers):
        p = f"model.layers.{i}."
        for proj, rows in (("q", hidden), ("k", kv), ("v", kv)):
            t.append((f"{p}self_attn.{proj}_proj.weight", (rows, hidden)))
            if bias:
                t.append((f"{p}self_attn.{proj}_proj.bias", (rows,)))
        t += [
            (p + "self_attn.o_proj.weight", (hidden, hidden)),
            (p + "mlp.gate_proj.weight", (inter, hidden)),
            (p + "mlp.up_proj.weight", (inter, hidden)),
            (p + "mlp.down_proj.weight", (hidden, inter)),
            (p + "input_layernorm.weight", (hidden,)),
            (p + "post_attention_layernorm.weight", (hidden,)),
        ]
    t += [("model.norm.weight", (hidden,)), ("lm_head.weight", (vocab, hidden))]
    return t


def qwen14b_tensors() -> list[tuple[str, tuple[int, ...]]]:
    return decoder_tensors(HIDDEN, INTER, LAYERS, VOCAB, KV, bias=True)


def llama405b_tensors() -> list[tuple[str, tuple[int, ...]]]:
    return decoder_tensors(bias=False, **BIG)


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def shard_files(
    tensors: list[tuple[str, tuple[int, ...]]] | None = None,
    shards: int = SHARDS,
    pad: int = PAD,
) -> tuple[dict[str, bytes], dict[str, int], dict]:
    """(LFS objects, declared sizes, index json) for the shards (default: the 14B's 8)."""
    tensors = qwen14b_tensors() if tensors is None else tensors
    total = sum(_numel(s) * 2 for _, s in tensors)
    per = total / shards
    groups: list[list[tuple[str, tuple[int, ...]]]] = [[] for _ in range(shards)]
    acc = 0
    for name, shape in tensors:
        groups[min(shards - 1, int(acc // per))].append((name, shape))
        acc += _numel(shape) * 2
    objects, sizes, weight_map = {}, {}, {}
    for k, group in enumerate(groups, 1):
        fname = f"model-{k:05d}-of-{shards:05d}.safetensors"
        head, data_len = safetensors_header({n: ("BF16", s) for n, s in group}, {"format": "pt"})
        objects[fname] = head + bytes(pad)
        sizes[fname] = len(head) + data_len
        weight_map.update({n: fname for n, _ in group})
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    return objects, sizes, index


def _config(arch: str, model_type: str, hidden: int, inter: int, layers: int, vocab: int) -> str:
    return json.dumps(
        {
            "architectures": [arch],
            "model_type": model_type,
            "hidden_size": hidden,
            "intermediate_size": inter,
            "num_hidden_layers": layers,
            "vocab_size": vocab,
            "torch_dtype": "bfloat16",
        }
    )


def build_big(mirrors: Path) -> str:
    """A 405B-class fine-tune with 191 shards (its base is not on the server)."""
    objects, sizes, index = shard_files(llama405b_tensors(), BIG_SHARDS, BIG_PAD)
    h, i, n, v = BIG["hidden"], BIG["inter"], BIG["layers"], BIG["vocab"]
    files = {
        "README.md": card("license: llama3.1\nbase_model: meta-llama/Llama-3.1-405B", "# ft\n"),
        "config.json": _config("LlamaForCausalLM", "llama", h, i, n, v),
        "model.safetensors.index.json": json.dumps(index),
        "LICENSE": LLAMA_LICENSE,
    }
    big = "bench/Llama-405B-ft"
    make_repo(mirrors, big, files, objects, sizes)
    return big


def build(mirrors: Path) -> tuple[str, str]:
    objects, sizes, index = shard_files()
    config = _config("Qwen2ForCausalLM", "qwen2", HIDDEN, INTER, LAYERS, VOCAB)
    tokenizer = b'{"version": "1.0"}' + bytes(64 << 10)
    common = {
        "config.json": config,
        "generation_config.json": json.dumps({"do_sample": True}),
        "model.safetensors.index.json": json.dumps(index),
        "LICENSE": LLAMA_LICENSE,
        "tokenizer_config.json": json.dumps({"model_max_length": 131072}),
    }
    base, ft = "bench/Llama-base-14B", "bench/Llama-14B-ft"
    lfs = {**objects, "tokenizer.json": tokenizer}
    lfs_sizes = {**sizes, "tokenizer.json": 7_031_645}
    make_repo(mirrors, base, {**common, "README.md": card("license: llama3.1")}, lfs, lfs_sizes)
    make_repo(
        mirrors,
        ft,
        {**common, "README.md": card(f"license: llama3.1\nbase_model: {base}", "# ft\n")},
        lfs,
        lfs_sizes,
    )
    return ft, base


def per_repo(proxy: FaultProxy, repos: list[str]) -> dict[str, tuple[int, int]]:
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in proxy.log:
        who = next((r for r in repos if re.search(f"/{re.escape(r)}(/|$|\\?)", e.path)), "other")
        out[who][0] += 1
        out[who][1] += e.bytes
    return {k: (v[0], v[1]) for k, v in out.items()}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        root = Path(tmp)
        proc, olah = start_olah(root)
        proxy = FaultProxy(olah.url, honour_range=True).start()
        try:
            ft, base = build(olah.mirrors)
            os.environ.update(
                HF_ENDPOINT=proxy.url,
                HF_HOME=str(root / "hf"),
                HF_HUB_DISABLE_TELEMETRY="1",
            )
            os.environ.pop("HF_HUB_OFFLINE", None)
            os.environ.pop("HF_TOKEN", None)
            from compliance.pipeline import AuditOptions, run_audit

            rows = []
            for label, resolve in (
                ("no lineage (--resolve catalog), cold cache", "catalog"),
                ("no lineage (--resolve catalog), warm cache", "catalog"),
                ("with Hub lineage (--resolve hub), warm cache for the model", "hub"),
            ):
                proxy.reset()
                report = run_audit(AuditOptions(target=ft, resolve=resolve))
                counts = per_repo(proxy, [ft, base])
                rows.append((label, proxy.requests, proxy.bytes, counts, report))

            # huggingface_hub's own safetensors metadata call, for comparison
            from huggingface_hub import HfApi

            proxy.reset()
            meta = HfApi(endpoint=proxy.url).get_safetensors_metadata(ft, revision="main")
            hf_reqs, hf_bytes = proxy.requests, proxy.bytes

            # the 405B-class repo: the cap, then every header for comparison
            big = build_big(olah.mirrors)
            big_rows = []
            for label in ("cold cache", "warm cache"):
                proxy.reset()
                report = run_audit(AuditOptions(target=big, resolve="catalog"))
                big_rows.append((f"no lineage (--resolve catalog), {label}", report))
                big_rows[-1] += (proxy.requests, proxy.bytes)
            from compliance.facts.read import read_facts
            from compliance.facts.wanted import read_by_facts
            from compliance.sources.hub import HubSource

            proxy.reset()
            read_facts(HubSource.open(big, wanted=read_by_facts), all_shard_headers=True)
            all_headers = (proxy.requests, proxy.bytes)
        finally:
            proxy.stop()
            stop(proc)

    total = sum(meta.parameter_count.values())
    print(f"model: {ft} (8 shards, {total / 1e9:.1f}B parameters, bf16), base: {base}")
    print(f"{'audit':62} {'requests':>8} {'bytes':>10}")
    for label, reqs, nbytes, counts, _ in rows:
        print(f"{label:62} {reqs:>8} {nbytes:>10}")
        for who, (r, b) in sorted(counts.items()):
            print(f"    {who:58} {r:>8} {b:>10}")
    print(
        f"{'huggingface_hub get_safetensors_metadata (headers only)':62} "
        f"{hf_reqs:>8} {hf_bytes:>10}"
    )
    report = rows[-1][4]
    anc = [(a.repo_id, a.license, a.revision) for a in report.lineage.ancestors]
    print(f"ancestors resolved: {anc}")
    print()
    print(f"model: {big} ({BIG_SHARDS} shards, Llama-3.1-405B layout)")
    print(f"{'audit':62} {'requests':>8} {'bytes':>10}")
    for label, _report, reqs, nbytes in big_rows:
        print(f"{label:62} {reqs:>8} {nbytes:>10}")
    label = "every shard header (--weights / local-audit behaviour), warm"
    print(f"{label:62} {all_headers[0]:>8} {all_headers[1]:>10}")
    report = big_rows[-1][1]
    print("note:", next(n for n in report.notes if "not read to keep the audit cheap" in n))


if __name__ == "__main__":
    main()
