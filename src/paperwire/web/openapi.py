"""The OpenAPI document, made to say exactly what the server answers: every error body is
``{"error": ..., "parameter": ...}`` (a 422 included, not FastAPI's default shape)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error", "type": "object", "required": ["error"],
    "properties": {"error": {"type": "string", "description": "what is wrong and where"},
                   "parameter": {"type": "string", "description": "the parameter at fault"}},
}


def error_responses(**described: str) -> dict[int | str, dict[str, Any]]:
    """Route ``responses`` for error answers, e.g. ``error_responses(e401="Log in first")``:
    each with the one error body."""
    return {int(key.removeprefix("e")): {
        "description": text,
        "content": {"application/json": {"schema": ERROR_SCHEMA}}}
        for key, text in described.items()}


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's schema with the validation-error components replaced by the error body."""
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("ValidationError", None)
    components["HTTPValidationError"] = ERROR_SCHEMA
    return schema


def install_openapi(app: FastAPI) -> None:
    cached: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not cached:
            cached.update(build_openapi(app))
        return cached

    app.openapi = openapi  # type: ignore[method-assign]
