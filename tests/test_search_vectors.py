"""The vector index on its own: inverted lists, probing, and segments saved before lists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paperwire.search.codebook import Codebook, outgrown
from paperwire.search.embedder import OnnxEmbedder
from paperwire.search.vectors import (
    PROBE,
    REFERENCE_PROBED,
    SHORTLIST,
    Candidates,
    Segment,
    VectorIndex,
    build_keys,
    scaled_shortlist,
)
from tests.search_helpers import LATE, PAPERS


@pytest.fixture(scope="module")
def mix(embedder: OnnxEmbedder) -> np.ndarray:
    """Vectors mixed from real embeddings plus noise (quantization behaves as on real data)."""
    rng = np.random.default_rng(3)
    base = embedder.embed([p.title + " " + p.summary for p in [*PAPERS, LATE]])
    out = rng.dirichlet(np.full(len(base), 0.3), size=4000).astype(np.float32) @ base
    out += rng.normal(0, 0.02, out.shape).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def recall(segment: Segment, vectors: np.ndarray) -> float:
    hits = 0
    for q in vectors[:60]:
        exact = set(np.argsort(-(vectors @ q))[:10])
        hits += len(exact & {int(pid[1:]) for pid, _ in segment.search(q, 10)})
    return hits / 600


def test_rows_are_stored_list_by_list_and_a_query_scans_a_few(mix: np.ndarray,
                                                                tmp_path: Path) -> None:
    book = Codebook.fit(mix, lists=200)
    Segment.build([f"p{i}" for i in range(len(mix))], mix, book).save(tmp_path / "seg", {})
    segment = Segment.load(tmp_path / "seg")
    assert len(segment.offsets) == 201 and segment.offsets[-1] == len(mix)
    order = [int(raw.decode()[1:]) for raw in segment.ids]
    lists = book.assign(mix[order])
    assert (np.diff(lists) >= 0).all()  # rows sorted by list
    assert (np.bincount(lists, minlength=200) == np.diff(segment.offsets)).all()
    codes, to_rows = segment._probe(mix[0], PROBE)  # MIN_PROBE of 200 lists
    assert 0 < len(codes) < len(mix) / 4
    assert (segment.codes[to_rows(np.arange(len(codes)))] == codes).all()
    assert recall(segment, mix) >= 0.9
    assert segment.search(mix[5], 1)[0][0] == "p5"


def test_a_segment_saved_before_lists_scans_everything(mix: np.ndarray, tmp_path: Path) -> None:
    Segment.build([f"p{i}" for i in range(len(mix))], mix, Codebook.fit(mix, lists=1)).save(
        tmp_path / "seg", {})
    (tmp_path / "seg" / "offsets.npy").unlink()
    (tmp_path / "seg" / "centroids.npy").unlink()
    segment = Segment.load(tmp_path / "seg")
    assert len(segment._probe(mix[0], PROBE)[0]) == len(mix)
    assert recall(segment, mix) >= 0.9


def test_a_grown_index_gets_new_lists(mix: np.ndarray) -> None:
    small = Codebook.fit(mix[:100])
    assert len(small.centroids) == 1
    assert not outgrown(small, 40_000)
    assert outgrown(small, 60_000)  # past 50,000 papers: about sqrt(N) lists
    assert not outgrown(Codebook.fit(mix, lists=300), 300 ** 2)
    assert outgrown(Codebook.fit(mix, lists=300), 700 ** 2)


def test_restricted_search_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    low = rng.normal(size=(3000, 6)) @ rng.normal(size=(6, 32))  # low intrinsic dimension
    vectors = (low + 0.1 * rng.normal(size=(3000, 32))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"p{i}" for i in range(3000)]
    index = VectorIndex(Segment.build(ids[:2900], vectors[:2900],
                                      Codebook.fit(vectors[:2900], lists=16)), 32)
    index.add(ids[2900:], vectors[2900:])
    query = vectors[5]
    keys = build_keys(ids)
    for allowed in (np.arange(0, 3000, 97), np.arange(0, 3000, 3)):
        exact = vectors[allowed] @ query
        want = [ids[allowed[i]] for i in np.argsort(-exact)[:10]]
        few = index.search(query, 10, candidates=Candidates(keys=keys[allowed]))
        members = keys[allowed]
        many = index.search(query, 10, candidates=Candidates(
            accept=lambda batch, members=members: np.isin(batch, members), share=len(allowed) / 3000))
        for found in (few, many):
            assert {pid for pid, _ in found} <= {ids[i] for i in allowed}
            assert len(found) == 10
        assert len({pid for pid, _ in few} & set(want)) >= 9  # exact scan of allowed rows
        assert len({pid for pid, _ in many} & set(want)) >= 8  # approximate path


def test_the_shortlist_grows_with_the_probed_codes() -> None:
    assert scaled_shortlist(SHORTLIST, 2_000) == SHORTLIST
    assert scaled_shortlist(SHORTLIST, REFERENCE_PROBED) == SHORTLIST
    assert scaled_shortlist(SHORTLIST, 3 * REFERENCE_PROBED) == 3 * SHORTLIST


def test_a_filter_far_from_the_query_still_finds_what_brute_force_finds(
        mix: np.ndarray) -> None:
    """The allowed papers are the half least like the query, so the nearest lists hold
    none of them: the filtered search probes wider lists, then scans, and still returns the
    best allowed papers."""
    ids = [f"p{i}" for i in range(len(mix))]
    index = VectorIndex(Segment.build(ids[:3900], mix[:3900], Codebook.fit(mix[:3900],
                                                                           lists=100)),
                        mix.shape[1])
    index.add(ids[3900:], mix[3900:])
    keys = build_keys(ids)
    for query in mix[:5]:
        allowed = np.argsort(mix @ query)[:len(mix) // 2]  # the far half
        exact = allowed[np.argsort(-(mix[allowed] @ query))[:10]]
        members = np.sort(keys[allowed])
        found = index.search(query, 10, candidates=Candidates(
            accept=lambda batch, m=members: np.isin(batch, m), share=0.5))
        assert len(found) == 10
        assert {pid for pid, _ in found} <= {ids[i] for i in allowed}
        assert len({pid for pid, _ in found} & {ids[i] for i in exact}) >= 9


def test_a_paper_updated_in_the_delta_is_returned_once_by_the_exact_pass(
        mix: np.ndarray) -> None:
    """Fewer allowed papers than asked for: the exact pass returns each once, a paper whose
    vector the delta replaced with the delta's score."""
    ids = [f"p{i}" for i in range(200)]
    index = VectorIndex(Segment.build(ids, mix[:200]), mix.shape[1])
    index.add(["p5"], mix[300:301])
    members = np.sort(build_keys(["p5", "p7"]))
    found = index.search(mix[300], 10, candidates=Candidates(
        accept=lambda batch: np.isin(batch, members), share=1e-6))
    assert [pid for pid, _ in found] == ["p5", "p7"]
    assert found[0][1] == pytest.approx(float(mix[300] @ mix[300]), abs=1e-5)
