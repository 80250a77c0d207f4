"""Embedding throughput: papers/s and peak RSS of each embedder option, quality, Ray backfill.

Papers are recombined from the real sentences of the demo corpus (a title and six
sentences each). Each option runs in its own child process (its own peak RSS):

- ``minilm``: today's indexing path (MiniLM int8, 1 thread, 256 tokens, chunks of 64 sorted
  by length, batches of 16);
- ``minilm-2t``: 2 onnxruntime threads, every paper sorted by length, batches of 32 (dynamic
  padding: a batch is as long as its longest text);
- ``minilm-2t-128``: the same with a 128-token cap on the document side;
- ``static``: the distilled token table (``PAPERWIRE_EMBEDDER=static``);
- ``ray-static-1`` / ``ray-static-2``: ``backfill_ray`` on a local Ray cluster with 1 and 2
  workers over a SQLite store of the same papers (end to end: scan, cluster start, model
  loads, writes; ``steady`` leaves out the time until the first chunk was written).

Quality comes from ``bench/search_quality.py`` for each model (the thread and batch options
give the same vectors as ``minilm``). MiniLM options can run on a smaller sample
(``--minilm-papers``) to keep the run short; the JSON says how many papers each option saw.
``--device cuda`` runs the MiniLM options on onnxruntime's CUDA execution provider (needs
``onnxruntime-gpu`` and a CUDA device). The two-node Ray cluster is ``bench/ray_cluster.py``.
Prints one JSON line.

    PYTHONPATH=src python bench/embed.py --papers 5000 --minilm-papers 5000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_quality import measure as measure_quality
from search_speed import real_sentences

from paperwire.config import load_settings
from paperwire.models import IncomingPaper, Paper
from paperwire.search.embedder import OnnxEmbedder, package_files, quantized_copy
from paperwire.search.static import load_static
from paperwire.services.backfill import backfill_ray
from paperwire.services.search_indexing import build_embedding_text, build_embeddings

FULL = 2_700_000
OPTIONS = ("minilm", "minilm-2t", "minilm-2t-128", "static", "ray-static-1", "ray-static-2")


def build_papers(n: int) -> list[Paper]:
    sentences = real_sentences()
    rng = np.random.default_rng(7)
    picks = rng.integers(0, len(sentences), size=(n, 7))
    return [Paper(f"2501.{i:05d}", sentences[row[0]][:120],
                  " ".join(sentences[j] for j in row[1:])) for i, row in enumerate(picks)]


def run_minilm(papers: list[Paper], threads: int, max_tokens: int, batch: int,
               cache: Path, device: str = "cpu") -> float:
    embedder = OnnxEmbedder(quantized_copy(package_files(), cache), threads, max_tokens, device)
    texts = sorted((build_embedding_text(p) for p in papers), key=len)
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        embedder.embed(texts[i:i + batch])
    return time.perf_counter() - start


def run_today(papers: list[Paper], cache: Path, device: str = "cpu") -> float:
    embedder = OnnxEmbedder(quantized_copy(package_files(), cache), threads=1, device=device)
    start = time.perf_counter()
    for i in range(0, len(papers), 64):
        build_embeddings(embedder, papers[i:i + 64])
    return time.perf_counter() - start


def run_static(papers: list[Paper]) -> float:
    embedder = load_static()
    start = time.perf_counter()
    for i in range(0, len(papers), 256):
        build_embeddings(embedder, papers[i:i + 256])
    return time.perf_counter() - start


def run_ray(papers: list[Paper], workers: int, tmp: Path) -> dict[str, float]:
    from paperwire.bootstrap import open_store

    settings = load_settings({"PAPERWIRE_DATA_DIR": str(tmp / f"ray-{workers}"),
                              "PAPERWIRE_EMBEDDER": "static"})
    store = open_store(settings)
    store.upsert_papers([IncomingPaper(p) for p in papers])
    report = backfill_ray(settings, store, open_store, load_static(), None, workers,
                          chunk=256, progress=False)
    store.close()
    steady = report.embedded / max(report.seconds - report.warmup, 1e-9)
    return {"seconds": report.seconds, "warmup_s": round(report.warmup, 1),
            "papers_per_s_steady": round(steady, 1)}


def peak_rss_mb() -> int:
    """VmHWM: unlike ru_maxrss it starts afresh at exec (not the parent's peak)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def child(option: str, n: int, device: str) -> None:
    papers = build_papers(n)
    extra: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "model-cache"
        if option == "minilm":
            seconds = run_today(papers, cache, device)
        elif option == "minilm-2t":
            seconds = run_minilm(papers, 2, 256, 32, cache, device)
        elif option == "minilm-2t-128":
            seconds = run_minilm(papers, 2, 128, 32, cache, device)
        elif option == "static":
            seconds = run_static(papers)
        else:
            extra = run_ray(papers, int(option.rsplit("-", 1)[1]), Path(tmp))
            seconds = extra.pop("seconds")
    peak = peak_rss_mb()
    print(json.dumps({"papers": n, "papers_per_s": round(n / seconds, 1), "peak_rss_mb": peak,
                      "hours_2_7M": round(FULL / (n / seconds) / 3600, 2), **extra}))


def quality_of(option: str) -> dict[str, object]:
    if option.endswith("-128"):
        return {"note": "not measured separately: see docs/search.md"}
    figures = measure_quality("static" if "static" in option else "package")
    return {mode: figures[mode] for mode in ("semantic", "hybrid")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=5000)
    parser.add_argument("--minilm-papers", type=int, default=5000)
    parser.add_argument("--options", default=",".join(OPTIONS))
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="cpu",
                        help="where the MiniLM options run (PAPERWIRE_EMBED_DEVICE)")
    parser.add_argument("--child", choices=OPTIONS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.minilm_papers if args.child.startswith("minilm") else args.papers,
              args.device)
        return
    result: dict[str, object] = {"bench": "embed", "cores": 2, "minilm_device": args.device}
    for option in args.options.split(","):
        out = subprocess.run([sys.executable, __file__, "--child", option, "--papers",
                              str(args.papers), "--minilm-papers", str(args.minilm_papers),
                              "--device", args.device],
                             check=True, capture_output=True, text=True).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        figures["quality"] = quality_of(option)
        result[option] = figures
    base = result.get("minilm")
    if isinstance(base, dict):
        result["speedup_vs_minilm"] = {
            k: round(v["papers_per_s"] / base["papers_per_s"], 1)
            for k, v in result.items() if isinstance(v, dict) and "papers_per_s" in v}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
