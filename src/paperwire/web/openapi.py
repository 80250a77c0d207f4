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
    add_security(schema)
    return schema


SECURITY_SCHEMES: dict[str, Any] = {
    "session": {"type": "apiKey", "in": "cookie", "name": "pw_session",
                "description": "the session cookie of a browser that logged in"},
    "token": {"type": "http", "scheme": "bearer",
              "description": "a personal API token, made and revoked on /settings/tokens"},
}


def add_security(schema: dict[str, Any]) -> None:
    """The personal operations accept a session or a personal API token."""
    schema["components"]["securitySchemes"] = SECURITY_SCHEMES
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if "personal" in operation.get("tags", ()):
                operation["security"] = [{"session": []}, {"token": []}]


def install_openapi(app: FastAPI) -> None:
    cached: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not cached:
            cached.update(build_openapi(app))
        return cached

    app.openapi = openapi  # type: ignore[method-assign]
