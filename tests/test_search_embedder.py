"""Where the ONNX embedder runs: PAPERWIRE_EMBED_DEVICE against onnxruntime's real providers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from paperwire.bootstrap import build_services
from paperwire.config import load_settings
from paperwire.errors import ConfigError
from paperwire.search.embedder import (
    CPU,
    CUDA,
    OnnxEmbedder,
    fetch_providers,
    package_files,
    select_providers,
)

AVAILABLE = ort.get_available_providers()
no_cuda = pytest.mark.skipif(CUDA in AVAILABLE, reason="this onnxruntime offers CUDA")


def test_cpu_never_asks_for_cuda_even_where_it_is_offered() -> None:
    assert select_providers("cpu", [CUDA, CPU]) == [CPU]
    assert select_providers("cpu", AVAILABLE) == [CPU]


def test_auto_and_cuda_put_cuda_first_where_onnxruntime_offers_it() -> None:
    assert select_providers("auto", [CUDA, CPU]) == [CUDA, CPU]
    assert select_providers("cuda", ["TensorrtExecutionProvider", CUDA, CPU]) == [CUDA, CPU]


def test_an_unknown_device_is_refused_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match="PAPERWIRE_EMBED_DEVICE='tpu' must be 'auto', 'cpu' or 'cuda'"):
        select_providers("tpu", AVAILABLE)


@no_cuda
def test_auto_falls_back_to_the_cpu_without_cuda() -> None:
    assert fetch_providers("auto") == [CPU]
    embedder = OnnxEmbedder(package_files(), device="auto")
    assert embedder.providers == [CPU]
    vector = embedder.embed_query("graph neural networks for molecules")
    assert vector.shape == (embedder.dim,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-5


@no_cuda
def test_cuda_without_a_cuda_provider_stops_with_a_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"PAPERWIRE_EMBED_DEVICE='cuda'.*onnxruntime-gpu") as err:
        fetch_providers("cuda")
    assert all(name in str(err.value) for name in AVAILABLE)  # it says what is offered
    with pytest.raises(ConfigError, match="PAPERWIRE_EMBED_DEVICE='cuda'"):
        OnnxEmbedder(package_files(), device="cuda")


@no_cuda
def test_cuda_stops_the_services_at_start_before_any_model_loads(tmp_path: Path) -> None:
    settings = load_settings({"PAPERWIRE_DATA_DIR": str(tmp_path),
                              "PAPERWIRE_EMBED_DEVICE": "cuda"})
    with pytest.raises(ConfigError, match="onnxruntime offers no CUDA execution provider"):
        build_services(settings)
    assert not (tmp_path / "paperwire.db").exists()  # nothing was opened


def test_the_setting_is_checked_when_the_settings_load() -> None:
    assert load_settings({}).embed_device == "auto"
    with pytest.raises(ConfigError, match="PAPERWIRE_EMBED_DEVICE='gpu' must be 'auto', 'cpu' or 'cuda'"):
        load_settings({"PAPERWIRE_EMBED_DEVICE": "gpu"})
    with pytest.raises(ConfigError, match="static table runs on the CPU"):
        load_settings({"PAPERWIRE_EMBED_DEVICE": "cuda", "PAPERWIRE_EMBEDDER": "static"})
