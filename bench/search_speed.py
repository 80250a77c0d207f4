"""Search speed and size at scale: build time, bytes per paper, recall@10, latency.

Synthetic papers are recombined from the real sentences of the demo corpus; each paper's
vector is a random mixture of the real embeddings of its sentences plus Gaussian noise, so
quantization and binary codes behave as they do on real embeddings. Single-thread latency
(p50/p99, after one warm-up pass over the queries) for keyword, semantic (vector search
only) and hybrid queries (one thread, and as the service runs it: the vector search on a
second thread while tantivy searches), query-embedding latency, recall@10 of the vector index against
exact float32 search, a linear projection to 2.7M papers and the run's peak RSS (which holds
the generated texts and float vectors as well as the indexes). ``cpu_ms`` is the querying
thread's CPU time (what a busy machine does not inflate). One BLAS thread, as served.
Prints one JSON line.

    PYTHONPATH=src python bench/search_speed.py --n 1000000
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_quality_set import JUDGMENTS

from paperwire.models import IncomingPaper
from paperwire.search.embedder import load_embedder
from paperwire.search.fusion import fuse_rankings
from paperwire.search.keyword import KeywordDoc, KeywordIndex
from paperwire.search.query_terms import parse_query
from paperwire.search.vectors import SHORTLIST, Segment, serve_single_threaded
from paperwire.sources.hf_page import parse_page

DATA = Path(__file__).resolve().parents[1] / "src" / "paperwire" / "data"  # the demo corpus
FULL = 2_700_000


def real_sentences() -> list[str]:
    lines = (DATA / "demo-page.txt").read_text(encoding="utf-8").splitlines()
    abstracts = [r.paper.summary for _l, r in parse_page(lines, 2025, ZoneInfo("UTC"))
                 if isinstance(r, IncomingPaper)]
    found = []
    for abstract in abstracts:
        found.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", abstract) if len(s) > 40)
    return found


def synth(n: int, sentences: list[str], vecs: np.ndarray, rng: np.random.Generator,
          noise: float, texts: bool = True) -> tuple[list[KeywordDoc], np.ndarray]:
    picks = rng.integers(0, len(sentences), size=(n, 5))
    weights = rng.dirichlet(np.full(5, 0.7), size=n).astype(np.float32)
    out = np.empty((n, vecs.shape[1]), dtype=np.float32)
    for start in range(0, n, 50_000):
        sl = slice(start, min(n, start + 50_000))
        mix = np.einsum("nk,nkd->nd", weights[sl], vecs[picks[sl]])
        mix += rng.normal(0, noise, mix.shape).astype(np.float32)
        out[sl] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
    if not texts:
        return [], out
    docs = [KeywordDoc(f"s{i}", sentences[row[0]][:90], " ".join(sentences[j] for j in row[1:]),
                       "") for i, row in enumerate(picks)]
    return docs, out


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)) * 1000, 3)


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--noise", type=float, default=0.03)
    parser.add_argument("--shortlist", type=int, default=SHORTLIST)
    parser.add_argument("--sweep", default="",
                        help="probe:shortlist pairs (e.g. 0.05:3000,0.08:3000) whose "
                             "recall@10 and semantic latency are measured on the same index")
    parser.add_argument("--vectors-only", action="store_true",
                        help="no texts and no keyword index: the vector index alone")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    serve_single_threaded()  # one BLAS thread, as the server runs queries
    rng = np.random.default_rng(42)
    tmp = Path(tempfile.mkdtemp(prefix="pw-speed-"))
    embedder = load_embedder("package", None, tmp / "model-cache")
    sentences = real_sentences()
    vecs = np.concatenate([embedder.embed(sentences[i:i + 32])
                           for i in range(0, len(sentences), 32)])
    docs, vectors = synth(args.n, sentences, vecs, rng, args.noise, not args.vectors_only)
    result: dict[str, object] = {"bench": "search_speed", "n": args.n,
                                 "real_sentences": len(sentences)}
    keyword, segment, result["build_s"] = build_indexes(docs, vectors, tmp, threads=2)
    del docs
    result.update(measure(args, embedder, keyword, segment, vectors, sentences, rng))
    if args.sweep:
        result["sweep"] = sweep(args, embedder, segment, vectors, sentences)
    result["bytes_per_paper"] = {
        "keyword_disk": round(folder_bytes(tmp / "keyword") / args.n, 1),
        "vector_disk": round(folder_bytes(tmp / "vectors") / args.n, 1),
        "vector_ram": round(segment.ram_bytes() / args.n, 1),
        "ids_ram": round(segment.ids.nbytes / args.n, 1)}
    result["projection_2_7M"] = project(result, args.n)
    result["peak_rss_gb"] = round(  # the whole run: generated texts and float vectors too
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)
    print(json.dumps(result))


def build_indexes(docs: list[KeywordDoc], vectors: np.ndarray, folder: Path, threads: int
                  ) -> tuple[KeywordIndex, Segment, dict[str, float]]:
    """The keyword index and the vector segment of one corpus in ``folder``, with the seconds
    each took to build (the segment saved and loaded back, as a server would open it)."""
    t0 = time.perf_counter()
    keyword = KeywordIndex(folder / "keyword")
    keyword.write(docs, threads=threads)
    t1 = time.perf_counter()
    segment = Segment.build([f"s{i}" for i in range(len(vectors))], vectors)
    segment.save(folder / "vectors", {})
    segment = Segment.load(folder / "vectors")
    t2 = time.perf_counter()
    return keyword, segment, {"keyword": round(t1 - t0, 1), "vectors": round(t2 - t1, 1)}


def query_texts(sentences: list[str], count: int, rng: np.random.Generator) -> list[str]:
    """The quality set's queries, then four-word starts of corpus sentences up to ``count``."""
    texts = list(JUDGMENTS)
    return texts + [" ".join(s.split()[:4]) for s in rng.choice(sentences, count - len(texts))]


def measure(args: argparse.Namespace, embedder: object, keyword: KeywordIndex, segment: Segment,
            vectors: np.ndarray, sentences: list[str], rng: np.random.Generator
            ) -> dict[str, object]:
    texts = query_texts(sentences, args.queries, rng)
    qvecs = embedder.embed(texts)  # type: ignore[attr-defined]
    lat: dict[str, list[float]] = {"keyword": [], "semantic": [], "hybrid": [], "embed": [],
                                   "hybrid_two_threads": []}
    cpu: dict[str, list[float]] = {"keyword": [], "semantic": [], "hybrid": []}
    pool = ThreadPoolExecutor(1)
    hits = 0
    for text, qv in zip(texts, qvecs, strict=True):  # warm-up: page cache, mmap, allocator
        keyword.search(parse_query(text), 100)
        segment.search(qv, 100, args.shortlist)
    for text, qv in zip(texts, qvecs, strict=True):
        t = time.perf_counter()
        embedder.embed_query(text)  # type: ignore[attr-defined]
        lat["embed"].append(time.perf_counter() - t)
        t, c = time.perf_counter(), time.thread_time()
        keyword.search(parse_query(text), 100)
        lat["keyword"].append(time.perf_counter() - t)
        cpu["keyword"].append(time.thread_time() - c)
        t, c = time.perf_counter(), time.thread_time()
        sem = segment.search(qv, 100, args.shortlist)
        lat["semantic"].append(time.perf_counter() - t)
        cpu["semantic"].append(time.thread_time() - c)
        t, c = time.perf_counter(), time.thread_time()
        fuse_rankings(keyword.search(parse_query(text), 100),
                      segment.search(qv, 100, args.shortlist))
        lat["hybrid"].append(time.perf_counter() - t)
        cpu["hybrid"].append(time.thread_time() - c)
        t = time.perf_counter()
        future = pool.submit(segment.search, qv, 100, args.shortlist)
        fuse_rankings(keyword.search(parse_query(text), 100), future.result())
        lat["hybrid_two_threads"].append(time.perf_counter() - t)
        exact = set(np.argpartition(-(vectors @ qv), 10)[:10].tolist())
        hits += len(exact & {int(pid[1:]) for pid, _ in sem[:10]})
    return {"recall@10": round(hits / (10 * len(texts)), 4), "shortlist": args.shortlist,
            "latency_ms": {name: {"p50": pct(v, 50), "p99": pct(v, 99)}
                           for name, v in lat.items()},
            "cpu_ms": {name: {"p50": pct(v, 50), "p99": pct(v, 99)} for name, v in cpu.items()}}


def sweep(args: argparse.Namespace, embedder: object, segment: Segment, vectors: np.ndarray,
          sentences: list[str]) -> list[dict[str, float]]:
    """recall@10 and semantic p50/p99 of each probe share and base shortlist (scaled with
    the probed codes as the service does), on the queries of the main measurement."""
    texts = query_texts(sentences, args.queries, np.random.default_rng(7))
    qvecs = embedder.embed(texts)  # type: ignore[attr-defined]
    exact = [set(np.argpartition(-(vectors @ qv), 10)[:10].tolist()) for qv in qvecs]
    out = []
    for pair in args.sweep.split(","):
        probe, shortlist = float(pair.split(":")[0]), int(pair.split(":")[1])
        times, cpu, hits = [], [], 0
        for qv, truth in zip(qvecs, exact, strict=True):
            t, c = time.perf_counter(), time.thread_time()
            sem = segment.search(qv, 100, shortlist, probe)
            times.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
            hits += len(truth & {int(pid[1:]) for pid, _ in sem[:10]})
        out.append({"probe": probe, "shortlist": shortlist,
                    "recall@10": round(hits / (10 * len(texts)), 4),
                    "p50_ms": pct(times, 50), "p99_ms": pct(times, 99),
                    "cpu_p50_ms": pct(cpu, 50), "cpu_p99_ms": pct(cpu, 99)})
    return out


def project(result: dict[str, object], n: int) -> dict[str, float]:
    per = result["bytes_per_paper"]
    assert isinstance(per, dict)
    lat = result["latency_ms"]
    assert isinstance(lat, dict)
    factor = FULL / n
    return {"keyword_disk_gb": round(per["keyword_disk"] * FULL / 1e9, 2),
            "vector_disk_gb": round(per["vector_disk"] * FULL / 1e9, 2),
            "vector_ram_mb": round(per["vector_ram"] * FULL / 1e6, 1),
            "semantic_p50_ms_linear": round(lat["semantic"]["p50"] * factor, 2),
            "hybrid_p50_ms_upper_bound": round(lat["hybrid"]["p50"] * factor, 2)}


if __name__ == "__main__":
    main()
