"""`GET /api/vin/{vin}`: a decoded VIN and the catalogue vehicles it matches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path

from crosses.fitment import vin_answer
from crosses.vin import decode_vin
from search import catalogue_lake
from service.deps import SettingsDep

router = APIRouter(tags=["vehicles"])


@router.get("/vin/{vin}")
def vin(settings: SettingsDep, vin: str = Path(max_length=40)) -> dict[str, Any]:
    """The `parts vin --json` object of one VIN."""
    catalogue = catalogue_lake.read_current(settings.lake_dir)
    return vin_answer(decode_vin(vin), catalogue)
