"""Which suppliers' price lists are overdue.

A supplier is stale when its live offers were last confirmed longer ago than
its profile's `expected_every_hours` (48 h by default, as the Dagster asset
check): confirmed by a publish, or by the same bytes arriving again by mail
(the ledger skips them, so they publish nothing). A supplier with no live
load is stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from parts.settings import Settings
from pipelines.pricelists.offer_checks import DEFAULT_EXPECTED_EVERY_HOURS
from pipelines.pricelists.profiles import load_profiles
from search import lake
from search import mail_store as store


@dataclass(frozen=True)
class Freshness:
    """How old a supplier's live offers are, against what its profile expects."""

    supplier_id: str
    expected_every_hours: int
    confirmed_at: str | None
    age_h: float | None
    stale: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def supplier_freshness(
    settings: Settings, *, now: dt.datetime | None = None
) -> dict[str, Freshness]:
    """Every supplier with a profile or a load, by id."""
    now = now or dt.datetime.now(dt.UTC)
    profiles = load_profiles(settings.profiles_dir, strict=False)
    by_mail = store.Ledger.load(settings.mail_dir).confirmed_at()
    out = {}
    for supplier_id in sorted(set(profiles) | set(lake.suppliers(settings.lake_dir))):
        profile = profiles.get(supplier_id)
        expected = (
            profile.expected_every_hours if profile else None
        ) or DEFAULT_EXPECTED_EVERY_HOURS
        live = lake.current(settings.lake_dir, supplier_id)
        seen = [live.published_at] if live else []
        if live and supplier_id in by_mail:
            seen.append(by_mail[supplier_id])
        out[supplier_id] = _freshness(supplier_id, expected, seen, now)
    return out


def _freshness(
    supplier_id: str, expected: int, seen: list[str], now: dt.datetime
) -> Freshness:
    if not seen:
        return Freshness(supplier_id, expected, None, None, stale=True)
    confirmed = max(dt.datetime.fromisoformat(s) for s in seen)
    age_h = (now - confirmed).total_seconds() / 3600
    return Freshness(
        supplier_id,
        expected,
        confirmed.isoformat(timespec="seconds"),
        round(age_h, 2),
        stale=age_h > expected,
    )
