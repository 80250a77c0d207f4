"""The MCP tools over streamable HTTP at ``/mcp`` (when ``PAPERWIRE_MCP_HTTP`` is on).

``build_endpoint(services)`` wraps the SDK's endpoint in a router, which ``create_app``
includes after the others, and hands over the SDK's session manager, which the app's lifespan
runs. Stateless, JSON
answers: any worker can answer any call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter

from paperwire.bootstrap import Services
from paperwire.web.mcp import PaperTools, build_mcp_server, http_security

PATH = "/mcp"


@dataclass(frozen=True)
class McpEndpoint:
    """The SDK's endpoint as a router of the app, and the session manager its lifespan runs."""

    router: APIRouter
    sessions: Any


def build_endpoint(services: Services) -> McpEndpoint | None:
    """The endpoint for ``create_app`` to include, or None when it is off."""
    settings = services.settings
    if not settings.mcp_http:
        return None
    server = build_mcp_server(PaperTools(settings, services.store, services.search))
    inner = server.streamable_http_app(streamable_http_path=PATH, json_response=True,
                                       stateless_http=True,
                                       transport_security=http_security(settings))
    return McpEndpoint(APIRouter(routes=list(inner.routes)), server.session_manager)
