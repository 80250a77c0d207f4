"""``create_app(services)``: the FastAPI application (HTML pages and the JSON API).

The app runs with the ``Services`` it is given (``paperwire.bootstrap``) and builds none of its
own: routes reach them through the aliases in ``web.deps``. While the app runs (its lifespan),
a background thread indexes what changed (``SearchService.refresh``) every
``PAPERWIRE_SEARCH_REFRESH`` seconds, so papers imported while ``serve`` or ``demo`` runs
become searchable within seconds, and the services' queues deliver mail and fetch queued
submissions.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperwire import __version__
from paperwire.bootstrap import Services
from paperwire.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PaperwireError,
    PermissionDenied,
    RateLimited,
    SourceError,
    StorageError,
    StorageFull,
    Unavailable,
)
from paperwire.services.search_refresher import Refresher
from paperwire.web.http_basics import add_http_basics
from paperwire.web.openapi import install_openapi
from paperwire.web.routes import (
    accounts,
    api,
    collections,
    community,
    devmail,
    digests,
    feeds,
    following,
    for_you,
    hf_compat,
    mcp_http,
    organizations,
    pages,
    personal_settings,
    private_feeds,
    search,
    thumbnails,
)
from paperwire.web.security import SecurityMiddleware
from paperwire.web.sessions import SessionMiddleware
from paperwire.web.templating import render

STATUS = {NotFound: 404, Conflict: 409, InvalidInput: 400, PermissionDenied: 403, SourceError: 502,
          StorageFull: 507, StorageError: 503, RateLimited: 429, Unavailable: 503}


log = logging.getLogger(__name__)
# Search routes come before ``/api/papers/{id}``, which would otherwise match them.
ROUTERS = (search, feeds, accounts, personal_settings, private_feeds, community, organizations,
           digests, following, collections, for_you, devmail, thumbnails, hf_compat, api, pages)


def create_app(services: Services) -> FastAPI:
    """Build the app around ``services`` (the caller owns them and closes them)."""
    app = FastAPI(
        title="paperwire",
        version=__version__,
        description="Daily papers, search, community and digests. The JSON API follows the "
        "shapes of the Hugging Face papers API.",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.services = services
    static_dir = resources.files("paperwire.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(SessionMiddleware)  # outside the security middleware, as before
    add_http_basics(app)
    _add_error_handlers(app)
    install_openapi(app)
    for module in ROUTERS:
        app.include_router(module.router)
    mcp = mcp_http.build_endpoint(services)
    if mcp is not None:
        app.include_router(mcp.router)
    app.state.mcp_sessions = None if mcp is None else mcp.sessions
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    services: Services = app.state.services
    refresher = Refresher(services.search, services.settings.search_refresh)
    refresher.start()
    services.start()
    mcp = app.state.mcp_sessions
    try:
        async with mcp.run() if mcp is not None else contextlib.nullcontext():
            yield
    finally:  # waits out a step in progress: the store closes next
        services.stop()
        refresher.stop()


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _error_response(request: Request, status: int, message: str,
                    field: str | None = None) -> Response:
    if _wants_json(request):
        body: dict[str, Any] = {"error": message}
        if field:
            body["parameter"] = field
        return JSONResponse(body, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PaperwireError)
    async def paperwire_error(request: Request, exc: PaperwireError) -> Response:
        status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 500)
        response = _error_response(request, status, str(exc), getattr(exc, "field", None))
        if isinstance(exc, RateLimited | Unavailable):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(part) for part in first.get("loc", ()) if part not in ("query", "body", "path")]
        name = ".".join(loc) or "request"
        message = f"Invalid parameter {name!r}: {first.get('msg', 'invalid value')}"
        if _wants_json(request):
            return JSONResponse({"error": message, "parameter": name}, status_code=422)
        return _error_response(request, 422, message, name)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"There is no page at {request.url.path[:200]}."
        response = _error_response(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response
