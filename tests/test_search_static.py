"""The static embedder: a table distilled from the shipped MiniLM, checked, deterministic."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from paperwire.bootstrap import open_store
from paperwire.config import load_settings
from paperwire.errors import ConfigError
from paperwire.search.distill import FIRST_WORD, build_table, build_token_vectors, table_paths
from paperwire.search.embedder import load_embedder, package_files
from paperwire.search.static import StaticEmbedder, load_static
from paperwire.services.search import SearchService
from paperwire.services.search_indexing import model_key
from tests.backfill_helpers import build_papers
from tests.search_helpers import search_env

TEXTS = ["Binary embeddings make retrieval of scientific papers fast.",
         "A diffusion model predicts protein structures from sequences.",
         "Reward models trained on preferences align chat assistants. " * 40, ""]


@pytest.fixture(scope="module")
def static() -> StaticEmbedder:
    return load_static()


def model_folder() -> Path:
    with resources.as_file(resources.files("paperwire.search") / "model") as folder:
        return Path(folder)


def test_vectors_are_unit_deterministic_and_the_same_batched_or_alone(
        static: StaticEmbedder) -> None:
    batched = static.embed(TEXTS)
    alone = np.stack([static.embed_query(t) for t in TEXTS])
    assert batched.shape == (4, static.dim) and batched.dtype == np.float32
    assert np.array_equal(batched, alone)
    assert np.array_equal(load_static().embed(TEXTS), batched)
    assert np.allclose(np.linalg.norm(batched[:3], axis=1), 1.0, atol=1e-5)
    assert not batched[3].any()  # no tokens, no direction
    assert static.embed([]).shape == (0, static.dim)


def test_meaning_survives_the_distillation(static: StaticEmbedder) -> None:
    query = static.embed_query("protein structure prediction")
    assert int(np.argmax(static.embed(TEXTS[:3]) @ query)) == 1


def test_the_model_key_names_the_table_and_the_setting_picks_it(tmp_path: Path) -> None:
    embedder = load_embedder("static", None, tmp_path)
    assert model_key(embedder).startswith("static-all-MiniLM-L6-v2@static-minilm-256+")
    with pytest.raises(ConfigError, match="PAPERWIRE_EMBEDDER"):
        load_settings({"PAPERWIRE_EMBEDDER": "hub", "PAPERWIRE_DATA_DIR": str(tmp_path)})


def test_a_changed_table_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(model_folder(), folder)
    rows, _scale = table_paths(folder)
    data = bytearray(rows.read_bytes())
    data[-1] ^= 1
    rows.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match=r"static-minilm-256\.rows\.npy.*SHA-256"):
        StaticEmbedder(folder, folder / "tokenizer.json")


@pytest.mark.slow
def test_the_shipped_table_is_what_the_distiller_builds_from_the_shipped_model() -> None:
    files = package_files()
    rows, scale = table_paths(model_folder())
    probe = np.arange(FIRST_WORD, 30522, 997)
    vectors = build_token_vectors(files, 30522)
    built_rows, built_scale = build_table(vectors)
    shipped = np.load(rows)[probe] * np.load(scale)[probe, None]
    rebuilt = built_rows[probe] * built_scale[probe, None]
    cosine = (shipped * rebuilt).sum(1) / (np.linalg.norm(shipped, axis=1)
                                           * np.linalg.norm(rebuilt, axis=1))
    assert cosine.min() > 0.999


def test_a_catalog_indexed_by_minilm_is_re_embedded_by_the_static_model(
        tmp_path: Path, embedder: object) -> None:
    env = search_env(tmp_path / "data")
    store = open_store(load_settings(env))
    papers = build_papers(30)
    store.upsert_papers(papers)
    SearchService(load_settings(env), store, embedder).index()  # type: ignore[arg-type]
    static_settings = load_settings({**env, "PAPERWIRE_EMBEDDER": "static"})
    service = SearchService(static_settings, store)
    report = service.index()
    assert report.embedded == 30 and report.vectors == 30
    assert service.weights.semantic == 0.25
    assert {m for m, _h in store.embedding_hashes([f"2401.{i:05d}" for i in range(30)]).values()
            } == {model_key(service.embedder)}
    found = service.search(papers[5].paper.summary[:200], "semantic", 3, refresh=False)
    assert found.hits[0].paper.id == "2401.00005"
    store.close()
