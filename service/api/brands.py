"""`GET /api/brands/{brand}`: canonical name, aliases and family of a brand."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.deps import BrandsDep

router = APIRouter(tags=["brands"])


@router.get("/brands/{brand}")
def brand(brands: BrandsDep, brand: str) -> dict[str, Any]:
    """How the alias table reads a brand spelling."""
    canonical = brands.canonical(brand)
    return {
        "brand": brand,
        "canonical": canonical,
        "known": brands.is_known(canonical),
        "aliases": sorted(brands.aliases_of(canonical)),
        "family": sorted(brands.families_of(canonical)),
        "suggestions": [] if brands.is_known(canonical) else brands.suggest(canonical),
    }
