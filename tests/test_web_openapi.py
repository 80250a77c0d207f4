"""schemathesis with every check it has, positive and negative data, over every operation
of the OpenAPI document, in-process against the app: the document says exactly what the
server enforces, so there is no failure of any kind."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS

from paperwire.bootstrap import build_services
from paperwire.config import Settings
from paperwire.search.embedder import OnnxEmbedder
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.helpers import load_demo

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("PAPERWIRE_TEST_FUZZ_EXAMPLES", "300"))


def every_check() -> list[Any]:
    return list(CHECKS.get_all())


def fuzzer(operation: Any, mode: GenerationMode, failures: list[str]) -> Callable[[], None]:
    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        response = case.call(timeout=60)
        try:
            case.validate_response(response, checks=every_check())
        except Exception as exc:  # collect every distinct failure, then report them all
            failures.append(f"{operation.label} {mode.value} {case.path_parameters} "
                            f"{case.query} {case.body!r}: {str(exc)[:400]}")

    return check  # type: ignore[no-any-return]


def test_schemathesis_finds_no_failure_of_any_kind(settings: Settings, store: SqliteStore,
                                                   embedder: OnnxEmbedder) -> None:
    load_demo(store, settings)
    services = build_services(settings, store=store, embedder=embedder)
    services.search.index()
    app = create_app(services)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    failures: list[str] = []
    unbreakable: list[str] = []
    for operation in operations:
        fuzzer(operation, GenerationMode.POSITIVE, failures)()
        try:
            fuzzer(operation, GenerationMode.NEGATIVE, failures)()
        except Unsatisfiable:  # nothing in this operation can be made invalid (a path string)
            unbreakable.append(operation.label)
    # nothing to make invalid: a path string, or no input at all
    assert set(unbreakable) <= {"GET /api/papers/{paper_id}", "GET /api/collections"}, unbreakable
    assert not failures, "\n".join(failures[:20])
