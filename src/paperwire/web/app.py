"""``create_app(services)``: the FastAPI application (HTML pages and the JSON API).

The app runs with the ``Services`` it is given (``paperwire.bootstrap``) and builds none of its
own: routes reach them through the aliases in ``web.deps``. While the app runs (its lifespan),
a background thread indexes what changed (``SearchService.refresh``) every
``PAPERWIRE_SEARCH_REFRESH`` seconds, so papers imported while ``serve`` or ``demo`` runs
become searchable within seconds.
"""

from __future__ import annotations

import logging
import threading
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
    SourceError,
)
from paperwire.services.search import SearchService
from paperwire.web.routes import (
    accounts,
    api,
    community,
    digests,
    feeds,
    organizations,
    pages,
    search,
)
from paperwire.web.security import security_middleware
from paperwire.web.sessions import session_middleware
from paperwire.web.templating import render

STATUS = {NotFound: 404, Conflict: 409, InvalidInput: 400, PermissionDenied: 403, SourceError: 502}


log = logging.getLogger(__name__)
# Search routes come before ``/api/papers/{id}``, which would otherwise match them.
ROUTERS = (search, feeds, accounts, community, organizations, digests, api, pages)


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
    app.middleware("http")(security_middleware)
    app.middleware("http")(session_middleware)
    _add_error_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    services: Services = app.state.services
    stop = threading.Event()
    thread = _start_refresher(services.search, stop)
    try:
        yield
    finally:
        stop.set()
        if thread is not None:  # wait out a refresh in progress: the store closes next
            thread.join()


def _start_refresher(svc: SearchService, stop: threading.Event) -> threading.Thread | None:
    every = svc.settings.search_refresh
    if every <= 0:
        return None
    thread = threading.Thread(target=_refresh_loop, args=(svc, stop, every),
                              name="search-refresh", daemon=True)
    thread.start()
    return thread


def _refresh_loop(svc: SearchService, stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        try:
            if svc.stale():
                svc.refresh()
        except Exception:  # keep serving; the next round retries
            log.exception("search index refresh failed")


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
        return _error_response(request, status, str(exc), getattr(exc, "field", None))

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
        response = _error_response(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response
