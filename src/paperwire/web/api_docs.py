"""The API reference page, built from the OpenAPI schema (pure): a readable heading per
operation, its description with ``code`` marked up, each parameter's constraints, and an
example request."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

_LITERAL = re.compile(r"``([^`]+)``|`([^`]+)`")
PATH_EXAMPLES = {"paper_id": "2404.04487"}
QUERY_EXAMPLES = {"q": "retrieval augmented generation", "date": "2025-10-13"}


@dataclass(frozen=True)
class DocParameter:
    name: str
    where: str
    required: bool
    description: str
    constraints: str


@dataclass(frozen=True)
class DocOperation:
    method: str
    path: str
    anchor: str
    summary: str
    description: Markup
    parameters: list[DocParameter]
    responses: list[str]
    example: str
    body_example: str | None = None
    tags: list[str] = field(default_factory=list)


def render_doc_text(text: str) -> Markup:
    """Escaped text whose RST or Markdown literals (``x``, `x`) become <code>."""
    out, last = [], 0
    for match in _LITERAL.finditer(text):
        out += [str(escape(text[last:match.start()])),
                f"<code>{escape(match.group(1) or match.group(2))}</code>"]
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def _schema_of(prm: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = prm.get("schema", {})
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    return {**schema, **options[0]} if options else schema


def describe_constraints(schema: dict[str, Any]) -> str:
    """``integer, 1 to 100, default 50``: type, range, length, choices, format, default."""
    parts = [schema.get("type", "string")]
    if "format" in schema:
        parts.append(f"format {schema['format']}")
    if "minimum" in schema and "maximum" in schema:
        parts.append(f"{schema['minimum']} to {schema['maximum']}")
    elif "minimum" in schema:
        parts.append(f"at least {schema['minimum']}")
    elif "maximum" in schema:
        parts.append(f"at most {schema['maximum']}")
    if "minLength" in schema:
        parts.append(f"at least {schema['minLength']} characters")
    if "maxLength" in schema:
        parts.append(f"up to {schema['maxLength']} characters")
    if "enum" in schema:
        parts.append("one of " + ", ".join(str(v) for v in schema["enum"]))
    if schema.get("default") not in (None, ""):
        parts.append(f"default {json.dumps(schema['default'])}")
    return ", ".join(parts)


def _example_url(base: str, path: str, params: list[dict[str, Any]]) -> str:
    for prm in params:
        if prm["in"] == "path":
            value = PATH_EXAMPLES.get(prm["name"], "example")
            path = path.replace("{" + prm["name"] + "}", value)
    query = {p["name"]: QUERY_EXAMPLES[p["name"]] for p in params
             if p["in"] == "query" and p["name"] in QUERY_EXAMPLES}
    return base + path + (f"?{urlencode(query)}" if query else "")


def _body_example(schema: dict[str, Any], op: dict[str, Any]) -> str | None:
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    ref = content.get("schema", {}).get("$ref", "")
    model = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    example = {name: (prop.get("examples") or [prop.get("default", "")])[0]
               for name, prop in model.get("properties", {}).items()}
    return json.dumps(example)


def build_operation(schema: dict[str, Any], base: str, method: str, path: str,
                    op: dict[str, Any]) -> DocOperation:
    params = op.get("parameters", [])
    documented = [DocParameter(p["name"], p["in"], bool(p.get("required")),
                               p.get("description") or _schema_of(p).get("description", ""),
                               describe_constraints(_schema_of(p))) for p in params]
    body = _body_example(schema, op)
    url = _example_url(base, path, params)
    if body is None:
        example = f"curl '{url}'"
    else:
        example = f"curl -X {method.upper()} '{url}' -H 'Content-Type: application/json' -d '{body}'"
    anchor = re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-")
    return DocOperation(method.upper(), path, anchor, op.get("summary") or path,
                        render_doc_text(op.get("description", "")), documented,
                        list(op.get("responses", {})), example, body, op.get("tags", []))


def build_operations(schema: dict[str, Any], base: str) -> list[DocOperation]:
    """Every operation of ``schema``, ordered by path then method."""
    return [build_operation(schema, base.rstrip("/"), method, path, op)
            for path, item in sorted(schema.get("paths", {}).items())
            for method, op in sorted(item.items())]
