"""The HTTP API: `create_app()` wires settings, caches, routers and errors.

Read-only for now (offers, analogs, VINs, brands to review, suppliers); the
operational system (users, clients, orders…) grows here in later issues.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from crosses.graph import CrossGraph, GraphCache
from parts.settings import Settings, get_settings
from service.api import brands, crosses, offers, suppliers, vehicles


class LockedGraphs:
    """A `GraphCache` shared by request threads (it is not thread-safe alone)."""

    def __init__(self, cache: GraphCache) -> None:
        self._cache = cache
        self._lock = threading.Lock()

    def get(self) -> CrossGraph:
        with self._lock:
            return self._cache.get()


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI application over one data directory."""
    settings = settings or get_settings()
    app = FastAPI(title="parts", version="0.1.0")
    app.state.settings = settings
    app.state.graphs = LockedGraphs(
        GraphCache(
            settings.lake_dir,
            max_group=settings.crosses_max_group,
            depth=settings.crosses_depth,
        )
    )
    for module in (offers, crosses, vehicles, brands, suppliers):
        app.include_router(module.router, prefix="/api")
    app.add_exception_handler(LookupError, _problem(404, "not found"))
    app.add_exception_handler(ValueError, _problem(422, "bad input"))
    return app


def _problem(status: int, title: str) -> Any:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            {
                "type": "about:blank",
                "title": title,
                "status": status,
                "detail": str(exc),
            },
            status_code=status,
            media_type="application/problem+json",
        )

    return handler
