"""/docs: a readable heading, description, parameter constraints and an example per operation."""

from __future__ import annotations

import html
import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from paperwire.web.api_docs import describe_constraints, render_doc_text


def test_every_operation_has_a_summary_description_constraints_and_example(
        client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    text = html.unescape(page.text)
    headings = re.findall(r'<h2 id="[^"]+">([^<]+)</h2>', text)
    schema = client.get("/openapi.json").json()
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert len(headings) == len(operations) >= 4
    assert not any(re.fullmatch(r"(Api )?[A-Z][a-z]+( [A-Z][a-z]+)*", h) and " Api" in f" {h}"
                   for h in headings), headings
    assert "Subscribe to the email digest" in headings and "Api Subscribe" not in text
    named = [route.path for route in client.app.routes  # type: ignore[attr-defined]
             if isinstance(route, APIRoute) and route.include_in_schema and not route.summary]
    assert not named, f"operations titled by their function's name: {named}"
    assert text.count("curl '") + text.count("curl -X") == len(operations)
    assert "``" not in text
    assert "integer, 1 to 100, default 50" in text
    assert '"email": "reader@example.org"' in text


def test_literals_and_constraints_read_as_text() -> None:
    assert str(render_doc_text("Papers matching ``q`` <b>")) == \
        "Papers matching <code>q</code> &lt;b&gt;"
    assert describe_constraints({"type": "string", "maxLength": 20, "default": "hybrid"}) == \
        'string, up to 20 characters, default "hybrid"'
