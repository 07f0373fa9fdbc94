"""Remote fingerprint benchmark: bytes read / total for a Qwen2.5-14B-shaped checkpoint.

Builds a synthetic checkpoint with the exact Qwen2.5-14B layout (48 layers, hidden 5120,
intermediate 13824, 40 q / 8 kv heads with QKV biases, vocab 152064, untied lm_head, bf16,
8 shards + model.safetensors.index.json). Shards hold real safetensors headers and are
`truncate`d to full size, so the ~29.5 GB of data are holes: no real disk is used.
The directory is served on loopback by nginx (Debian package `nginx-light`/`nginx`; it
honours Range), started here with its own config on a free port and stopped at the end.
`modelcheck fingerprint` then reads it over HTTP range requests, and the bytes read are
printed as a share of the checkpoint (goal: <= 1.0 %) with the range requests made and
the fingerprint's size (goal: <= 50 MB), next to the same figures for the schema-2 plan
(every down projection, whole rows: the baseline) measured in the same run.

    .venv/bin/python benchmarks/bench_fingerprint_remote.py [--dir DIR] [--keep]
        [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HIDDEN, LAYERS, FFN, VOCAB, NQ, NKV, HEAD = 5120, 48, 13824, 152064, 40, 8, 128
SHARDS = 8
CONFIG = {
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": HIDDEN,
    "intermediate_size": FFN, "num_hidden_layers": LAYERS, "num_attention_heads": NQ,
    "num_key_value_heads": NKV, "vocab_size": VOCAB, "max_position_embeddings": 131072,
    "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": False,
    "torch_dtype": "bfloat16", "hidden_act": "silu",
}


def qwen14b_tensors() -> list[tuple[str, tuple[int, ...]]]:
    """(name, shape) in the order HF writes Qwen2.5-14B."""
    out: list[tuple[str, tuple[int, ...]]] = [("model.embed_tokens.weight", (VOCAB, HIDDEN))]
    q, kv = NQ * HEAD, NKV * HEAD
    for n in range(LAYERS):
        p = f"model.layers.{n}."
        out += [
            (p + "input_layernorm.weight", (HIDDEN,)),
            (p + "mlp.down_proj.weight", (HIDDEN, FFN)),
            (p + "mlp.gate_proj.weight", (FFN, HIDDEN)),
            (p + "mlp.up_proj.weight", (FFN, HIDDEN)),
            (p + "post_attention_layernorm.weight", (HIDDEN,)),
            (p + "self_attn.k_proj.bias", (kv,)),
            (p + "self_attn.k_proj.weight", (kv, HIDDEN)),
            (p + "self_attn.o_proj.weight", (HIDDEN, q)),
            (p + "self_attn.q_proj.bias", (q,)),
            (p + "self_attn.q_proj.weight", (q, HIDDEN)),
            (p + "self_attn.v_proj.bias", (kv,)),
            (p + "self_attn.v_proj.weight", (kv, HIDDEN)),
        ]
    out += [("model.norm.weight", (HIDDEN,)), ("lm_head.weight", (VOCAB, HIDDEN))]
    return out


def build_sparse_checkpoint(root: Path) -> int:
    """Write config, index and 8 sparse bf16 shards; return the total size in bytes."""
    root.mkdir(parents=True, exist_ok=True)
    tensors = qwen14b_tensors()
    sizes = [2 * int(__import__("math").prod(s)) for _n, s in tensors]
    target = sum(sizes) / SHARDS
    shards: list[list[int]] = [[]]
    acc = 0
    for i, size in enumerate(sizes):
        if acc + size > target * len(shards) and len(shards) < SHARDS and shards[-1]:
            shards.append([])
        shards[-1].append(i)
        acc += size
    weight_map: dict[str, str] = {}
    total = 0
    for s, idx in enumerate(shards):
        fn = f"model-{s + 1:05d}-of-{len(shards):05d}.safetensors"
        header: dict[str, object] = {"__metadata__": {"format": "pt"}}
        off = 0
        for i in idx:
            name, shape = tensors[i]
            header[name] = {"dtype": "BF16", "shape": list(shape),
                            "data_offsets": [off, off + sizes[i]]}
            off += sizes[i]
            weight_map[name] = fn
        hb = json.dumps(header, separators=(",", ":")).encode()
        hb += b" " * (-len(hb) % 8)
        with open(root / fn, "wb") as fh:
            fh.write(struct.pack("<Q", len(hb)))
            fh.write(hb)
            fh.truncate(8 + len(hb) + off)  # the data is a hole: no disk used
        total += 8 + len(hb) + off
    (root / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {"total_size": sum(sizes)}, "weight_map": weight_map})
    )
    (root / "config.json").write_text(json.dumps(CONFIG, indent=1))
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


NGINX_CONF = """
worker_processes 2;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    types {{ application/json json; }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ }}
    }}
}}
"""


def start_nginx(root: Path, prefix: Path) -> tuple[subprocess.Popen[bytes], int]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        sys.exit("nginx not found: apt-get install -y nginx-light (or nginx)")
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, port=port, root=root))
    proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/config.json", timeout=1).read()
            return proc, port
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"nginx failed: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.1)
    proc.terminate()
    sys.exit("nginx did not start")


BASELINE = {"schema": 2, "neuron_layers": None, "sketch_dim": 0}  # the plan before schema 3


def fingerprint_once(url: str, plan: object, out: Path) -> dict[str, float]:
    from compliance.weights.compare import open_view
    from compliance.weights.fingerprint import FingerprintView, write_fingerprint

    t = time.perf_counter()
    view = open_view(url)
    info = write_fingerprint(view, out, plan, repo_id="synthetic/Qwen2.5-14B")
    secs = time.perf_counter() - t
    fp = FingerprintView(out)
    return {"read": info.bytes_read, "requests": view.files.counter.requests, "secs": secs,
            "file": info.file_bytes, "tensors": info.tensors, "values": fp.stored_elements}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=None, help="where to build the checkpoint")
    ap.add_argument("--keep", action="store_true", help="keep the sparse checkpoint")
    ap.add_argument("--no-baseline", action="store_true",
                    help=f"skip the baseline plan {BASELINE} (schema 2 defaults)")
    args = ap.parse_args()

    from compliance.weights.signals import SamplePlan

    work = Path(tempfile.mkdtemp(prefix="bench-fp-remote-"))
    work.chmod(0o755)  # nginx workers run as an unprivileged user
    root = args.dir or work / "Qwen2.5-14B-synthetic"
    t0 = time.perf_counter()
    total = build_sparse_checkpoint(root)
    disk = sum(os.stat(p).st_blocks * 512 for p in root.iterdir())
    print(f"checkpoint: {root} ({total:,} bytes apparent, {disk:,} bytes on disk, "
          f"built in {time.perf_counter() - t0:.1f} s); load average "
          f"{os.getloadavg()[0]:.1f}")
    prefix = work / "nginx"
    prefix.mkdir()
    proc, port = start_nginx(root, prefix)
    try:
        url = f"http://127.0.0.1:{port}/"
        print(f"server: nginx on {url} (honours Range)")
        runs = [("this plan", SamplePlan())]
        if not args.no_baseline:
            runs.append(("baseline", SamplePlan(**BASELINE)))  # type: ignore[arg-type]
        got = {}
        for name, plan in runs:
            r = got[name] = fingerprint_once(url, plan, work / f"{name.replace(' ', '-')}.fp")
            share = 100.0 * r["read"] / total
            print(f"{name}: plan {json.dumps(plan.as_dict(), sort_keys=True)}")
            print(f"  bytes read: {r['read']:,.0f} / {total:,} = {share:.3f} % "
                  f"({r['requests']:,.0f} range requests, {r['secs']:.1f} s, "
                  f"{r['read'] / r['secs'] / 1e6:.0f} MB/s)")
            print(f"  fingerprint: {r['tensors']:.0f} tensors, {r['file']:,.0f} bytes "
                  f"({r['file'] / 1e6:.1f} MB), {r['values']:,.0f} stored values")
        new = got["this plan"]
        share = 100.0 * new["read"] / total
        if "baseline" in got:
            old = got["baseline"]
            print(f"ratio to baseline: bytes read {new['read'] / old['read']:.3f}, "
                  f"requests {new['requests'] / old['requests']:.3f}, "
                  f"fingerprint size {new['file'] / old['file']:.4f}")
        print(f"goal bytes read <= 1.0 %: {'met' if share <= 1.0 else 'NOT met'} "
              f"({share:.3f} %); goal fingerprint <= 50 MB: "
              f"{'met' if new['file'] <= 50e6 else 'NOT met'} ({new['file'] / 1e6:.1f} MB)")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
