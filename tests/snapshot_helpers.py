"""Synthetic and real arXiv snapshot records (the Kaggle JSON lines) for tests and benchmarks."""

from __future__ import annotations

import json
import random
from pathlib import Path

WORDS = ("learning", "deep", "sparse", "graph", "neural", "attention", "model", "robust",
         "optimal", "quantum", "field", "theory", "bounds", "transformer", "diffusion",
         "language", "vision", "scaling", "laws", "efficient", "inference", "stochastic",
         "gradient", "descent", "convex", "manifold", "kernel", "bayesian")
ARCHIVES = ("hep-th", "hep-ph", "astro-ph", "cond-mat", "math", "quant-ph", "gr-qc",
            "math-ph", "nucl-th", "physics")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


def record_id(i: int) -> str:
    """Unique ids of every shape: 1 in 100 old-style, the rest new-style with 5 digits."""
    if i % 100 == 0:
        j = i // 100
        serial, archive = divmod(j, len(ARCHIVES))
        month, number = divmod(serial, 999)
        year, mon = divmod(month, 12)
        return f"{ARCHIVES[archive]}/{(91 + year) % 100:02d}{mon + 1:02d}{number + 1:03d}"
    month, number = divmod(i, 99999)
    year, mon = divmod(month, 12)
    return f"{15 + year:02d}{mon + 1:02d}.{number + 1:05d}"


def record(i: int, rng: random.Random) -> dict[str, object]:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 12))]
    authors = [[f"Author{rng.randint(1, 50000)}", rng.choice("ABCDEFGH") + ".", ""]
               for _ in range(rng.randint(1, 8))]
    versions = [{"version": f"v{v}", "created": f"{DAYS[v % 5]}, {1 + v} Apr 2023 "
                 f"1{v}:18:42 GMT"} for v in range(1, rng.randint(2, 4))]
    return {
        "id": record_id(i), "submitter": "A. Submitter",
        "authors": ", ".join(f"{a[1]} {a[0]}" for a in authors),
        "title": " ".join(words).capitalize() + f" {i}",
        "comments": "12 pages, 3 figures", "journal-ref": None, "doi": None,
        "report-no": None, "categories": rng.choice(["cs.LG stat.ML", "hep-th", "cs.CL"]),
        "license": "http://creativecommons.org/licenses/by/4.0/",
        "abstract": "  " + " ".join(rng.choice(WORDS) for _ in range(120)) + " $x<y$.\n",
        "versions": versions, "update_date": "2023-04-05", "authors_parsed": authors,
    }


def write_snapshot(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps(record(i, rng)) + "\n")


REAL_LINE = {
    "id": "0704.0001", "submitter": "Pavel Nadolsky",
    "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
    "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC"
             " energies", "comments": "37 pages, 15 figures", "journal-ref": "Phys.Rev.D76:013009",
    "doi": "10.1103/PhysRevD.76.013009", "report-no": "ANL-HEP-PR-07-12", "categories": "hep-ph",
    "license": None, "abstract": "  A fully differential calculation $x<y$ & <b>.\n",
    "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                 {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
    "update_date": "2008-11-13",
    "authors_parsed": [["Balázs", "C.", ""], ["Berger", "E. L.", ""], ["Nadolsky", "P. M.", ""],
                       ["Yuan", "C. -P.", ""]],
}


def line(obj: object) -> bytes:
    return json.dumps(obj).encode() + b"\n"
