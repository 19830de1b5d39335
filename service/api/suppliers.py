"""`GET /api/suppliers`: live loads and last attempts; a supplier's last report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request

from search import lake
from search.freshness import Freshness, freshness
from service.deps import SettingsDep, VisibleSuppliersDep

router = APIRouter(tags=["suppliers"])


@router.get("/suppliers")
def suppliers(
    settings: SettingsDep, visible: VisibleSuppliersDep, request: Request
) -> list[dict[str, Any]]:
    """Every supplier with a profile or a load the user's department may see:
    the live load, the last attempt, and whether its list is overdue (`stale`:
    older than the profile's `expected_every_hours`, or never loaded)."""
    fresh = freshness(settings.lake_dir, settings.mail_dir,
                      expected=_expected(request))  # fmt: skip
    rows = []
    for supplier_id in fresh:
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
                **_fresh_fields(fresh[supplier_id]),
            }
        )
    return rows


def _expected(request: Request) -> dict[str, int | None]:
    """Each profiled supplier's expected period, as the live index has it
    from the profiles (the service does not read profiles itself), those
    with no load yet included."""
    snapshot = request.app.state.quotes.index.snapshot()
    if snapshot is None:
        return {}
    metas = snapshot.manifest.metas()
    return {sid: meta.expected_every_hours for sid, meta in metas.items()}


def _fresh_fields(found: Freshness) -> dict[str, Any]:
    return {
        "confirmed_at": found.confirmed_at,
        "expected_every_hours": found.expected_every_hours,
        "age_h": found.age_h,
        "stale": found.stale,
    }


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
