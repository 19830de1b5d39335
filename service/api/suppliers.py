"""`GET /api/suppliers`: live loads and last attempts; a supplier's last report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path

from search import lake
from service.deps import SettingsDep, VisibleSuppliersDep

router = APIRouter(tags=["suppliers"])


@router.get("/suppliers")
def suppliers(
    settings: SettingsDep, visible: VisibleSuppliersDep
) -> list[dict[str, Any]]:
    """Every supplier with a load the user's department may see: the live one
    and the last attempt."""
    # TODO(#7): freshness (`stale`) is shown by `parts suppliers` and Dagster;
    # the API would need each profile's expected period in the index manifest
    rows = []
    for supplier_id in lake.suppliers(settings.lake_dir):
        if visible is not None and supplier_id not in visible:
            continue
        live = lake.current(settings.lake_dir, supplier_id)
        attempts = lake.reports(settings.lake_dir, supplier_id)
        last = attempts[-1] if attempts else {}
        rows.append(
            {
                "supplier_id": supplier_id,
                "live_load_id": live.load_id if live else None,
                "live_rows": live.rows if live else None,
                "last_status": last.get("status"),
                "last_file": last.get("file"),
                "last_error": last.get("error"),
            }
        )
    return rows


@router.get("/suppliers/{supplier_id}/report")
def last_report(
    settings: SettingsDep,
    visible: VisibleSuppliersDep,
    supplier_id: str = Path(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$"),
) -> dict[str, Any]:
    """The last load report of a supplier (404 when it never sent a file, or
    when the user's department does not see it)."""
    found = lake.reports(settings.lake_dir, supplier_id)
    if visible is not None and supplier_id not in visible:
        found = []
    if not found:
        raise LookupError(f"no loads for supplier `{supplier_id}`")
    return found[-1]
