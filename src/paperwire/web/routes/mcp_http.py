"""The MCP tools over streamable HTTP at ``/mcp`` (when ``PAPERWIRE_MCP_HTTP`` is on).

``setup(app)`` runs after the search capability's (it needs ``extras["search"]``): it adds
the SDK's endpoint to the app's routes and runs the SDK's session manager for the app's
lifespan. Stateless, JSON answers: any worker can answer any call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from paperwire.web.mcp import PaperTools, build_mcp_server, http_security

PATH = "/mcp"


def setup(app: FastAPI) -> None:
    ctx = app.state.ctx
    if not ctx.settings.mcp_http:
        return
    server = build_mcp_server(PaperTools(ctx.settings, ctx.store, ctx.extras["search"]))
    inner = server.streamable_http_app(streamable_http_path=PATH, json_response=True,
                                       stateless_http=True,
                                       transport_security=http_security(ctx.settings))
    app.router.routes[:0] = inner.routes
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(outer: Any) -> AsyncIterator[Any]:
        async with server.session_manager.run(), original(outer) as state:
            yield state

    app.router.lifespan_context = lifespan
