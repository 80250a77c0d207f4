"""What every route reaches through ``request.app.state.ctx``: settings, store, services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request

from paperwire.config import Settings
from paperwire.storage import Store


@dataclass
class AppContext:
    """Built once by ``create_app``; capabilities keep their service objects in ``extras``."""

    settings: Settings
    store: Store
    extras: dict[str, Any] = field(default_factory=dict)


def get_ctx(request: Request) -> AppContext:
    return get_ctx_of(request.app)


def get_ctx_of(app: FastAPI) -> AppContext:
    ctx: AppContext = app.state.ctx
    return ctx
