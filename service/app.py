"""The HTTP API: `create_app()` wires settings, caches, routers and errors.

Quote search, offers, analogs, VINs, brands to review, suppliers, pricing
rules; the operational system (users, clients, orders…) grows here.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from crosses.graph import CrossGraph, GraphCache
from parts.settings import Settings, get_settings
from service.api import brands, crosses, mail, offers, pricing, suppliers, vehicles
from service.clients import router as clients
from service.db import router as audit
from service.db.engine import Database, DatabaseUnavailable, masked_url
from service.db.migrate import current_revision, head_revision, upgrade
from service.deps import require
from service.orders import logic as orders_logic
from service.orders import router as orders
from service.pricing_rules import router as pricing_rules
from service.quotes import router as quotes
from service.quotes.engine import build_engine
from service.users import router as users
from service.users.logic import NotAllowed, TooManyAttempts
from service.users.signin import SignInThrottle
from service.web import router as web

log = logging.getLogger(__name__)
DATABASE_DOWN = "the operational database cannot be reached: try again shortly"


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
    graphs = LockedGraphs(
        GraphCache(
            settings.lake_dir,
            max_group=settings.crosses_max_group,
            depth=settings.crosses_depth,
        )
    )
    engine, engine_parts = build_engine(settings, database, graph=graphs.get)
    app = FastAPI(
        title="parts", version="0.1.0", lifespan=_lifespan(database, engine_parts)
    )
    app.state.settings = settings
    app.state.db = database
    app.state.graphs = graphs
    app.state.quotes = engine
    app.state.quote_parts = engine_parts
    app.state.signin_throttle = SignInThrottle()
    app.add_api_route("/api/health", _health, methods=["GET"], tags=["health"])
    app.include_router(users.router, prefix="/api")
    app.include_router(clients.router, prefix="/api")
    app.include_router(orders.router, prefix="/api")
    # every other route needs a signed-in user; writes check their own right
    signed_in = [require("quote")]
    for module in (quotes, offers, crosses, vehicles, brands, suppliers, pricing,
                   pricing_rules, mail):  # fmt: skip
        app.include_router(module.router, prefix="/api", dependencies=signed_in)
    app.include_router(
        audit.router, prefix="/api", dependencies=[require("audit.read")]
    )
    app.include_router(web.router)
    app.mount("/ui/static", StaticFiles(directory=web.HERE / "static"), name="static")
    app.add_exception_handler(web.SignInNeeded, web.sign_in_needed)
    app.add_exception_handler(
        pricing_rules.logic.RulesRejected, pricing_rules.rules_rejected
    )
    app.add_exception_handler(orders_logic.OrderRejected, orders.order_rejected)
    app.add_exception_handler(DatabaseUnavailable, _database_down)
    app.add_exception_handler(NotAllowed, _problem(403, "not allowed"))
    app.add_exception_handler(TooManyAttempts, _too_many)
    app.add_exception_handler(LookupError, _problem(404, "not found"))
    app.add_exception_handler(StarletteHTTPException, _http_problem)
    app.add_exception_handler(RequestValidationError, _validation_problem)
    app.add_exception_handler(ValueError, _problem(422, "bad input"))
    # the last resort: a problem+json or a page in the user's language, never
    # a bare "Internal Server Error" (the server logs the traceback)
    app.add_exception_handler(Exception, _server_error)
    return app


async def _server_error(request: Request, exc: Exception) -> Response:
    """An error nobody foresaw: answered 500 without its inner words."""
    return await _problem(500, "internal error")(
        request, RuntimeError("an unexpected error: it is logged on the server")
    )


async def _too_many(request: Request, exc: Exception) -> Response:
    """Sign-ins refused for a while, with when to try again."""
    assert isinstance(exc, TooManyAttempts)
    wait = str(max(1, round(exc.wait_s)))
    return JSONResponse(
        {"type": "about:blank", "title": "too many attempts", "status": 429,
         "detail": str(exc)},
        status_code=429, media_type="application/problem+json",
        headers={"Retry-After": wait},
    )  # fmt: skip


async def _health() -> dict[str, str]:
    """Whether the API is up (no sign-in: for process supervisors)."""
    return {"status": "ok"}


def _lifespan(database: Database, parts: dict[str, Any]) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_database(database)
        # the cross graph and the catalogue are loaded before the first search
        # and followed in the background: no search waits for a rebuild
        refreshed = parts["refreshed"]
        await asyncio.to_thread(refreshed.load)
        refreshed.start()
        yield
        refreshed.close()
        if parts.get("online") is not None:
            parts["online"].close()
        parts["log"].close()
        database.close()

    return lifespan


def check_database(database: Database) -> None:
    """Bring a SQLite file up to date (it belongs to this install); say in one
    line when the database is unreachable, or behind the code: a PostgreSQL
    server is migrated on purpose, with `parts db upgrade`."""
    try:
        if database.is_sqlite:
            upgrade(database.engine)
            return
        at = current_revision(database.engine)
    except DatabaseUnavailable as exc:
        log.error("%s; requests answer 503 until it is back", exc)
        return
    if at != (head := head_revision()):
        log.warning(
            "database %s is at revision %s, this code needs %s: run "
            "`parts db upgrade`",
            masked_url(database.url), at or "none (never migrated)", head,
        )  # fmt: skip


async def _database_down(request: Request, exc: Exception) -> Response:
    """An unreachable database: logged in full, answered 503 without where it is."""
    log.error("%s", exc)
    return await _problem(503, "database unavailable")(
        request, RuntimeError(DATABASE_DOWN)
    )


def _problem(status: int, title: str) -> Any:
    async def handler(request: Request, exc: Exception) -> Response:
        if (shown := web.ui_error(request, status, str(exc))) is not None:
            return shown
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


async def _http_problem(request: Request, exc: Exception) -> Response:
    """FastAPI's own HTTP errors (401, 404 routes…) as problem+json too."""
    assert isinstance(exc, StarletteHTTPException)
    if (shown := web.ui_error(request, exc.status_code, str(exc.detail))) is not None:
        return shown
    return JSONResponse(
        {"type": "about:blank", "title": str(exc.detail), "status": exc.status_code,
         "detail": str(exc.detail)},
        status_code=exc.status_code,
        media_type="application/problem+json",
        headers=getattr(exc, "headers", None),
    )  # fmt: skip


async def _validation_problem(request: Request, exc: Exception) -> Response:
    """Query and body validation errors as problem+json, every problem listed."""
    assert isinstance(exc, RequestValidationError)
    problems = [
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
    ]
    if (shown := web.ui_error(request, 422, "; ".join(problems))) is not None:
        return shown
    return JSONResponse(
        {"type": "about:blank", "title": "bad input", "status": 422,
         "detail": "; ".join(problems), "problems": problems},
        status_code=422,
        media_type="application/problem+json",
    )  # fmt: skip
