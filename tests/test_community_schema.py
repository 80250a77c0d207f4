"""schemathesis over the OpenAPI schema, in-process against the ASGI app: no 5xx and no
response that breaks the schema, over at least 1,000 generated requests per operation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from paperwire.bootstrap import build_services
from paperwire.config import Settings
from paperwire.search.embedder import OnnxEmbedder
from paperwire.storage.sqlite import SqliteStore
from paperwire.web.app import create_app
from tests.helpers import load_demo

pytestmark = pytest.mark.slow
EXAMPLES = 1000
CHECKS = (response_schema_conformance, status_code_conformance, content_type_conformance)


def fuzzer(operation: Any, counts: Counter[str], statuses: Counter[int]) -> Callable[[], None]:
    """A hypothesis test that sends EXAMPLES generated requests to one operation."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        response = case.call(timeout=60)  # the first hybrid query loads the model
        assert response.status_code < 500, (case.path, case.query, response.text[:300])
        case.validate_response(response, checks=CHECKS)
        counts[operation.label] += 1
        statuses[response.status_code] += 1

    return check  # type: ignore[no-any-return]


def test_api_fuzzing_finds_no_5xx_and_no_schema_violation(settings: Settings, store: SqliteStore,
                                                           embedder: OnnxEmbedder) -> None:
    load_demo(store, settings)
    services = build_services(settings, store=store, embedder=embedder)  # no model load mid-run
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(services))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 2
    counts: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    for operation in operations:
        fuzzer(operation, counts, statuses)()
    print(dict(counts), dict(statuses))
    assert set(counts) == {op.label for op in operations}
    open_ended = {op.label for op in operations if has_open_input(schema.raw_schema, op.label)}
    assert len(open_ended) >= 7
    assert all(counts[label] >= EXAMPLES for label in open_ended), counts


def has_open_input(raw: dict[str, Any], label: str) -> bool:
    """Whether an operation takes a body or a free string (so hypothesis cannot run out of
    distinct requests before EXAMPLES, as it does for ``?show_muted=0|1`` alone)."""
    method, path = label.split(" ", 1)
    operation = raw["paths"][path][method.lower()]
    schemas = [p.get("schema", {}) for p in operation.get("parameters", [])]
    free = [s for schema in schemas for s in [schema, *schema.get("anyOf", [])]
            if s.get("type") == "string" and "enum" not in s]
    return bool(free) or "requestBody" in operation
