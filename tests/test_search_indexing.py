"""Indexing: incremental updates, rebuilds, model changes, crash leftovers, model checks."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from paperwire.bootstrap import build_services, open_store
from paperwire.cli import main
from paperwire.config import load_settings
from paperwire.errors import ConfigError
from paperwire.models import IncomingPaper, Paper, StoredEmbedding
from paperwire.search.embedder import OnnxEmbedder, dir_files, load_embedder
from paperwire.search.vectors import Segment, VectorIndex
from paperwire.services.search import SearchService
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.search_helpers import LATE, PAPERS, search_env


@pytest.fixture
def small(tmp_path: Path, embedder: OnnxEmbedder) -> tuple[SqliteStore, SearchService]:
    settings = load_settings(search_env(tmp_path / "data"))
    store = open_store(settings)
    store.upsert_papers([IncomingPaper(p) for p in PAPERS])
    return store, SearchService(settings, store, embedder)


def ids(service: SearchService, q: str, mode: str = "hybrid") -> list[str]:
    return [hit.paper.id for hit in service.search(q, mode, 5, refresh=True).hits]


def test_a_paper_imported_after_indexing_is_found_next(
        small: tuple[SqliteStore, SearchService]) -> None:
    store, service = small
    assert service.index().papers == 3
    assert "2401.00009" not in ids(service, "surface codes qubits", "keyword")
    store.upsert_papers([IncomingPaper(LATE)])
    assert ids(service, "surface codes qubits", "keyword")[0] == "2401.00009"
    assert ids(service, "fault tolerant quantum computing", "semantic")[0] == "2401.00009"
    assert service.index().papers == 0


def test_changed_text_is_reindexed_and_reembedded(
        small: tuple[SqliteStore, SearchService]) -> None:
    store, service = small
    service.index()
    store.upsert_papers([IncomingPaper(Paper("2401.00002", "Protein folding with diffusion",
                                             "Now about graph neural networks for molecules.",
                                             version=2))])
    report = service.index()
    assert report.embedded == 1
    assert ids(service, "molecules graph", "keyword") == ["2401.00002"]


def test_rebuild_gives_the_same_answers_and_reuses_vectors(
        small: tuple[SqliteStore, SearchService]) -> None:
    _store, service = small
    service.index()
    before = ids(service, "attention for long documents")
    report = service.index(rebuild=True)
    assert report.rebuilt and report.embedded == 0 and report.vectors == 3
    assert ids(service, "attention for long documents") == before
    folders = sorted(p.name for p in (service.files.root).iterdir() if p.is_dir())
    assert folders == ["keyword-2", "vectors-2"]


def test_vectors_of_another_model_are_replaced(
        small: tuple[SqliteStore, SearchService]) -> None:
    store, service = small
    store.save_embeddings([StoredEmbedding("2401.00001", "old-model@1", "x", 2,
                                           np.zeros(2, "<f2").tobytes())], None)
    service.index()
    assert store.papers_with_other_model(service.indexer.model, 10) == []
    assert ids(service, "sparse attention", "semantic")[0] == "2401.00001"


def test_leftovers_of_a_crash_are_ignored(small: tuple[SqliteStore, SearchService]) -> None:
    _store, service = small
    service.index()
    root = service.files.root
    (root / "vectors-9.building").mkdir()
    (root / "vectors-9.building" / "q8.npy").write_bytes(b"half written")
    (root / "manifest.json.123.tmp").write_text("{", encoding="utf-8")
    fresh = SearchService(service.settings, service.store, service.embedder)
    assert ids(fresh, "reward models preferences")[0] == "2401.00003"


def test_cli_index_and_search(tmp_path: Path, embedder: OnnxEmbedder) -> None:
    env = search_env(tmp_path / "data")
    store = open_store(load_settings(env))
    store.upsert_papers([IncomingPaper(p) for p in PAPERS])
    runner = CliRunner(env=env)
    result = runner.invoke(main, ["index", "--quiet"], obj=None)
    assert result.exit_code == 0, result.output
    assert "indexed 3 papers" in result.output
    result = runner.invoke(main, ["search", "protein structure"])
    assert result.exit_code == 0 and "2401.00002" in result.output.splitlines()[0]
    result = runner.invoke(main, ["search", ""])
    assert result.exit_code != 0 and "empty" in result.output


def test_model_files_are_checked_by_sha256(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"not a model")
    (folder / "tokenizer.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ConfigError, match="SHA256SUMS is missing"):
        dir_files(folder)
    (folder / "SHA256SUMS").write_text("00" * 32 + "  model.onnx\n" + "00" * 32
                                       + "  tokenizer.json\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected"):
        load_embedder("dir", folder, tmp_path / "cache")
    with pytest.raises(ConfigError, match="must be 'package', 'dir' or 'static'"):
        load_embedder("hub", None, tmp_path / "cache")


def test_vector_index_recall_and_delta(embedder: OnnxEmbedder, tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    base = embedder.embed([p.title + " " + p.summary for p in [*PAPERS, LATE]])
    mix = rng.dirichlet(np.ones(4), size=2000).astype(np.float32) @ base
    mix += rng.normal(0, 0.02, mix.shape).astype(np.float32)
    mix /= np.linalg.norm(mix, axis=1, keepdims=True)
    segment = Segment.build([f"p{i}" for i in range(len(mix))], mix)
    segment.save(tmp_path / "seg", {})
    index = VectorIndex(Segment.load(tmp_path / "seg"), mix.shape[1])
    hits = 0
    for q in mix[:50]:
        exact = set(np.argsort(-(mix @ q))[:10])
        hits += len(exact & {int(pid[1:]) for pid, _ in index.search(q, 10)})
    assert hits / 500 >= 0.9
    index.add(["p0"], -mix[:1])
    assert index.search(mix[0], 1)[0][0] != "p0"
    assert len(index.compacted()) == len(mix)


def test_similar_to_papers_for_digests(small: tuple[SqliteStore, SearchService]) -> None:
    store, service = small
    store.upsert_papers([IncomingPaper(Paper(
        "2401.00004", "Longformer style sparse attention for long inputs",
        "Sparse attention patterns let transformers read long documents."))])
    assert service.similar_to_papers(["2401.00001"], 3) == []  # nothing indexed yet
    service.index()
    found = [p.id for p in service.similar_to_papers(["2401.00001"], 3)]
    assert found[0] == "2401.00004" and "2401.00001" not in found
    rest = service.similar_to_papers(["2401.00001"], 3, exclude=["2401.00004"])
    assert "2401.00004" not in [p.id for p in rest]


def test_the_running_site_indexes_new_papers_in_the_background(
        tmp_path: Path, embedder: OnnxEmbedder) -> None:
    env = {**search_env(tmp_path / "data"), "PAPERWIRE_SEARCH_REFRESH": "0.1"}
    settings = load_settings(env)
    store = open_store(settings)
    store.upsert_papers([IncomingPaper(p) for p in PAPERS])
    app = create_app(build_services(settings, store=store, embedder=embedder))
    with TestClient(app, base_url="http://testserver") as client:
        assert found_by_api(client, "protein structures", "2401.00002")
        store.upsert_papers([IncomingPaper(LATE)])
        assert found_by_api(client, "surface codes", "2401.00009")
    store.close()


def found_by_api(client: TestClient, q: str, paper_id: str) -> bool:
    """Poll the API until the paper shows up (the refresher runs every 0.1 s)."""
    for _ in range(300):
        items = client.get("/api/papers/search", params={"q": q, "mode": "keyword"}).json()
        if items and items[0]["paper"]["id"] == paper_id:
            return True
        time.sleep(0.1)
    return False


def test_background_steps_index_keywords_first_then_embed_a_few_at_a_time(
        small: tuple[SqliteStore, SearchService]) -> None:
    _store, service = small
    report = service.step(papers=1)
    assert report.pending and report.keyword_docs == 3 and report.embedded == 1
    found = service.search("protein structures diffusion", "keyword", 5, refresh=False).hits
    assert [hit.paper.id for hit in found][:1] == ["2401.00002"]
    query = service.embedder.embed_query("reward models from human preferences")
    assert len(service.semantic_ranking(query, 10)) == 1
    while service.step(papers=1).pending:
        pass
    ranked = service.semantic_ranking(query, 10)
    assert len(ranked) == 3 and ranked[0][0] == "2401.00003"


def test_readers_use_the_last_snapshot_while_a_writer_works(
        small: tuple[SqliteStore, SearchService]) -> None:
    store, service = small
    service.index()
    answers: list[list[str]] = []
    reader = threading.Thread(target=lambda: answers.append(
        [h.paper.id for h in service.search("surface codes qubits", "hybrid", 5,
                                            refresh=False).hits]))
    with service._writer:  # what a refresh holds while it embeds
        store.upsert_papers([IncomingPaper(LATE)])
        reader.start()
        reader.join(timeout=60)
        assert not reader.is_alive()
    assert answers and "2401.00009" not in answers[0]
    service.refresh()
    assert ids(service, "surface codes qubits", "keyword")[0] == "2401.00009"


def test_worker_processes_on_one_data_dir_index_one_at_a_time_and_reopen(
        small: tuple[SqliteStore, SearchService]) -> None:
    store, first = small
    second = SearchService(first.settings, store, first.embedder)  # another worker's service
    first.index()
    store.upsert_papers([IncomingPaper(LATE)])
    with first.files.writer_lock():  # the first worker is indexing
        report = second.step()
        assert report.busy and report.keyword_docs == 0 and report.embedded == 0
    while first.step().pending:
        pass
    hits = second.search("surface codes qubits", "keyword", 5, refresh=False).hits
    assert [hit.paper.id for hit in hits][:1] == ["2401.00009"]  # reopened, never indexed
    query = first.embedder.embed_query("fault tolerant quantum computing")
    assert second.semantic_ranking(query, 5)[0][0] == "2401.00009"
    assert not second.step().busy  # the lock is free again
