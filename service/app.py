"""The HTTP API: `create_app()` wires settings, caches, routers and errors.

Read-only for now (offers, analogs, VINs, brands to review, suppliers); the
operational system (users, clients, orders…) grows here in later issues.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from crosses.graph import CrossGraph, GraphCache
from parts.settings import Settings, get_settings
from service.api import brands, crosses, offers, pricing, suppliers, vehicles
from service.db import router as audit
from service.db.engine import Database
from service.db.migrate import upgrade
from service.pricing_rules import router as pricing_rules


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
    database = Database.from_settings(settings)
    app = FastAPI(title="parts", version="0.1.0", lifespan=_lifespan(database))
    app.state.settings = settings
    app.state.db = database
    app.state.graphs = LockedGraphs(
        GraphCache(
            settings.lake_dir,
            max_group=settings.crosses_max_group,
            depth=settings.crosses_depth,
        )
    )
    routers = (
        offers,
        crosses,
        vehicles,
        brands,
        suppliers,
        pricing,
        pricing_rules,
        audit,
    )
    for module in routers:
        app.include_router(module.router, prefix="/api")
    app.add_exception_handler(
        pricing_rules.logic.RulesRejected, pricing_rules.rules_rejected
    )
    app.add_exception_handler(LookupError, _problem(404, "not found"))
    app.add_exception_handler(ValueError, _problem(422, "bad input"))
    return app


def _lifespan(database: Database) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # a SQLite file belongs to this install: bring it up to date; a
        # PostgreSQL server is migrated on purpose with `parts db upgrade`
        if database.is_sqlite:
            upgrade(database.engine)
        yield
        database.close()

    return lifespan


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
