"""FastAPI dependencies as `Annotated` aliases: settings, brands, crosses, database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from crosses.brand_decisions import decisions_path
from crosses.brands import BrandTable, default_table
from crosses.graph import CrossGraph
from parts.settings import Settings
from service.db.audit import Actor
from service.db.engine import Database


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


def get_actor(
    x_user: Annotated[str | None, Header(description="Who makes the change.")] = None,
) -> Actor:
    """Who writes: the `X-User` header (percent-encoded UTF-8 allowed), for now."""
    # TODO(#6): take the user from the session once the workstation issue
    # brings users and sign-in; a header is trusted as given.
    who = unquote(_header_text(x_user or "")).strip()
    if not who:
        raise HTTPException(
            401, "a change needs an `X-User` header naming who makes it"
        )
    return Actor(who=who[:120], via="api")


ActorDep = Annotated[Actor, Depends(get_actor)]


def _header_text(raw: str) -> str:
    """Header bytes arrive as Latin-1; raw UTF-8 (`Иван`) is read back as UTF-8."""
    try:
        return raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw
