"""The app as ``serve`` runs it: around given services, or built by each worker process.

``serving_app(services, proxies)`` wraps ``create_app`` for a server: the public host from
trusted proxies' ``X-Forwarded-Host`` and tokens kept out of the access log. With
``serve --workers N`` uvicorn starts N processes, each of which calls ``worker_app()``: it
loads the settings from the environment the parent process left (``serve`` writes the base
URL it derived there, and the trusted proxies in ``WORKER_PROXIES``), builds its own
``Services`` (store connections, search snapshot, model, queues) and its app. Nothing a
request needs lives only in one process: sessions, limits and queues are in the database,
the CSRF token is derived from a cookie and the secret key, and the search indexes on disk
are written by one process at a time (``search.engine``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence

from starlette.types import ASGIApp

from paperwire.bootstrap import Services, build_services
from paperwire.config import load_settings
from paperwire.web.access_log import RedactTokens
from paperwire.web.app import create_app
from paperwire.web.proxy import ForwardedHostMiddleware

WORKER_PROXIES = "PAPERWIRE_SERVE_PROXIES"  # set by ``serve`` for its worker processes
log = logging.getLogger("uvicorn.error")


def serving_app(services: Services, proxies: Sequence[str] | None) -> ASGIApp:
    """The app ``serve`` hands to uvicorn."""
    app: ASGIApp = create_app(services)
    return app if proxies is None else ForwardedHostMiddleware(app, proxies)


def redact_access_log() -> None:
    """Keep tokens out of uvicorn's access log (call after uvicorn set up its logging)."""
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())


def worker_proxies(environ: dict[str, str]) -> list[str] | None:
    """The trusted proxies ``serve`` passed to its workers (None: proxy headers ignored)."""
    raw = environ.get(WORKER_PROXIES)
    if not raw:
        return None
    value = json.loads(raw)
    return [str(ip) for ip in value] if isinstance(value, list) else None


def worker_app() -> ASGIApp:
    """The app factory each worker process of ``serve --workers`` calls once."""
    environ = dict(os.environ)
    services = build_services(load_settings(environ))
    model = services.search.load_model()  # before the first request, not on one
    log.info("worker %s: search model %s loaded", os.getpid(), model)
    redact_access_log()  # uvicorn set up this process's logging before calling the factory
    return serving_app(services, worker_proxies(environ))
