"""FastAPI dependencies as `Annotated` aliases: settings, brands, crosses,
database, the signed-in user."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from crosses.brand_decisions import decisions_path
from crosses.brands import BrandTable, default_table
from crosses.graph import CrossGraph
from parts.settings import Settings
from search.index_read import ALL_DEPARTMENTS
from service.db.audit import Actor
from service.db.engine import Database
from service.users import logic as users
from service.users import signin
from service.users.logic import CurrentUser

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSET = object()


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_brands(settings: SettingsDep) -> BrandTable:
    """The seed brand table with this data dir's accepted aliases."""
    return default_table(accepted=decisions_path(settings.lake_dir))


BrandsDep = Annotated[BrandTable, Depends(get_brands)]


def get_graph(request: Request) -> CrossGraph:
    """The live cross graph, rebuilt only when a source or a mark changed."""
    graph: CrossGraph = request.app.state.graphs.get()
    return graph


GraphDep = Annotated[CrossGraph, Depends(get_graph)]


def get_session(request: Request) -> Iterator[Session]:
    """A session on the operational database, closed after the request."""
    database: Database = request.app.state.db
    with database.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def _signed_in(request: Request, session: Session) -> CurrentUser | None:
    """The user of the request's bearer token or session cookie, else None.

    A cookie-signed request that writes must carry the session's CSRF token in
    `X-CSRF-Token`: another site can make a browser send the cookie, not read
    the token.
    """
    cached = getattr(request.state, "user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    user = None
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret:
        found = signin.resolve(session, secret.strip(), kind="token")
        if found is not None:
            user = users.current_user(session, found.user)
    elif cookie := request.cookies.get(signin.COOKIE):
        found = signin.resolve(session, cookie, kind="session")
        if found is not None:
            if request.method not in SAFE_METHODS and not _csrf_ok(request, found):
                raise HTTPException(
                    403, "a page write needs the session's `X-CSRF-Token` header"
                )
            user = users.current_user(session, found.user)
            request.state.csrf = found.csrf
    request.state.user = user
    return user


def user_of(request: Request) -> CurrentUser | None:
    """The signed-in user of a request no dependency looked at (an unknown
    page's error), so its page keeps the header; None when it cannot be told."""
    cached = getattr(request.state, "user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    if request.method not in SAFE_METHODS:
        return None
    database: Database = request.app.state.db
    try:
        with database.sessions() as session:
            return _signed_in(request, session)
    except Exception:  # an error page is shown even when the database is not there
        return None


def _csrf_ok(request: Request, found: signin.Resolved) -> bool:
    sent = request.headers.get("x-csrf-token", "").encode("utf-8", "replace")
    expected = (found.csrf or "").encode()
    return bool(expected) and hmac.compare_digest(sent, expected)


def get_current_user(request: Request, session: SessionDep) -> CurrentUser:
    """The signed-in user, or 401."""
    user = _signed_in(request, session)
    if user is None:
        raise HTTPException(
            401,
            "sign in first: `Authorization: Bearer <token>` from "
            "`POST /api/auth/token`, or the page's session cookie",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def get_optional_user(request: Request, session: SessionDep) -> CurrentUser | None:
    """The signed-in user, or None (pages send the rest to the sign-in form)."""
    return _signed_in(request, session)


CurrentUserDep = Annotated[CurrentUser, Depends(get_current_user)]
OptionalUserDep = Annotated[CurrentUser | None, Depends(get_optional_user)]


def require(right: str) -> Any:
    """A dependency: the signed-in user, if their role grants `right`; else 403."""

    def check(user: CurrentUserDep) -> CurrentUser:
        if not user.can(right):
            raise HTTPException(
                403, f"role `{user.role}` may not do this (needs `{right}`)"
            )
        return user

    return Depends(check)


def get_visible_suppliers(
    request: Request, user: CurrentUserDep
) -> frozenset[str] | None:
    """The price lists the user's department may see (None: every one).

    Read from the live index, where each supplier's departments are kept; with
    no index yet, only the lists open to every department.
    """
    department = users.search_department(user)
    snapshot = request.app.state.quotes.index.snapshot()
    if snapshot is None:
        return None if department == ALL_DEPARTMENTS else frozenset()
    allowed: frozenset[str] | None = snapshot.allowed(department)
    return allowed


VisibleSuppliersDep = Annotated[frozenset[str] | None, Depends(get_visible_suppliers)]


def get_actor(user: CurrentUserDep) -> Actor:
    """Who writes: the signed-in user."""
    return user.actor


ActorDep = Annotated[Actor, Depends(get_actor)]
