"""The MCP tools over streamable HTTP at ``/mcp`` (when ``PAPERWIRE_MCP_HTTP`` is on).

``mount(app, services)`` (called by ``create_app``) adds the SDK's endpoint to the app's
routes and returns the SDK's session manager, which the app's lifespan runs. Stateless, JSON
answers: any worker can answer any call.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from paperwire.bootstrap import Services
from paperwire.web.mcp import PaperTools, build_mcp_server, http_security

PATH = "/mcp"


def mount(app: FastAPI, services: Services) -> Any | None:
    """The session manager to run for the app's lifespan, or None when the endpoint is off."""
    settings = services.settings
    if not settings.mcp_http:
        return None
    server = build_mcp_server(PaperTools(settings, services.store, services.search))
    inner = server.streamable_http_app(streamable_http_path=PATH, json_response=True,
                                       stateless_http=True,
                                       transport_security=http_security(settings))
    app.router.routes[:0] = inner.routes
    return server.session_manager
