"""``create_app(settings, store)``: the FastAPI application (HTML pages and the JSON API)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from paperwire import __version__
from paperwire.config import Settings
from paperwire.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PaperwireError,
    PermissionDenied,
    SourceError,
)
from paperwire.services.ingest import arxiv_api_source
from paperwire.storage import Store
from paperwire.web.context import AppContext
from paperwire.web.http_basics import add_http_basics
from paperwire.web.routes import (
    accounts,
    api,
    community,
    devmail,
    digests,
    feeds,
    organizations,
    pages,
    search,
)
from paperwire.web.security import security_middleware
from paperwire.web.templating import render

STATUS = {NotFound: 404, Conflict: 409, InvalidInput: 400, PermissionDenied: 403, SourceError: 502}


def create_app(settings: Settings, store: Store, **extras: Any) -> FastAPI:
    """Build the app. ``extras`` carries capability objects (embedder, mailer, sources…)."""
    app = FastAPI(
        title="paperwire",
        version=__version__,
        description="Daily papers, search, community and digests. The JSON API follows the "
        "shapes of the Hugging Face papers API.",
        docs_url=None,
        redoc_url=None,
    )
    extras.setdefault("paper_fetcher", arxiv_api_source(settings, store))
    app.state.ctx = AppContext(settings=settings, store=store, extras=dict(extras))
    static_dir = resources.files("paperwire.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")
    app.middleware("http")(security_middleware)
    add_http_basics(app)
    _add_error_handlers(app)
    for module in (search, feeds, accounts, community, organizations, digests, devmail, api,
                   pages):
        app.include_router(module.router)
    for module in (search, community, digests):
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(app)
    return app


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
        if exc.status_code == 404 and message == "Not Found":
            message = f"There is no page at {request.url.path[:200]}."
        response = _error_response(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response
