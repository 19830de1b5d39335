"""`GET /api/analogs`: the analogs of a part, with paths and catalogue checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from crosses.graph import confirm_analogs
from search import catalogue_lake
from service.deps import GraphDep, SettingsDep

router = APIRouter(tags=["crosses"])


@router.get("/analogs")
def analogs(
    settings: SettingsDep,
    graph: GraphDep,
    brand: str = Query(min_length=1, max_length=100),
    article: str = Query(min_length=1, max_length=100),
    depth: int | None = Query(None, ge=1, le=4),
    blocked: bool = False,
) -> dict[str, Any]:
    """Like `parts analogs --json`, plus whether the answer was cut by the cap."""
    found = graph.analogs(brand, article, depth=depth, include_blocked=blocked)
    catalogue = catalogue_lake.read_current(settings.lake_dir)
    found = confirm_analogs(found, catalogue.oe_numbers if catalogue else None)
    return {
        "brand": found.brand,
        "article": found.article,
        "known": found.known,
        "analogs": found.to_list(),
        "truncated": found.truncated,
        "guard": found.guard.to_dict() if found.guard else None,
    }
