"""FastAPI dependencies as `Annotated` aliases: settings, brand table, crosses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from crosses.brand_decisions import decisions_path
from crosses.brands import BrandTable, default_table
from crosses.graph import CrossGraph
from parts.settings import Settings


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
