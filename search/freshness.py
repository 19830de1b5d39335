"""Which suppliers' price lists are overdue.

A supplier is stale when its live offers were last confirmed longer ago than
its expected period (`expected_every_hours` of its profile, 48 h by default):
confirmed by a publish, by an unchanged file (the lake's `CONFIRMED`), or by
the same bytes arriving again by mail (the mail ledger skips them, so they
reach no load). A supplier with no live load is stale. This is the one rule:
`parts suppliers`, `GET /api/suppliers`, the Dagster check `offers_fresh` and
the `mailbox` observation all ask it. Here, not in `pipelines/`, so that the
API can say it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from search import lake
from search import mail_store as store

DEFAULT_EXPECTED_EVERY_HOURS = 48


@dataclass(frozen=True)
class Freshness:
    """How old a supplier's live offers are, against what is expected."""

    supplier_id: str
    expected_every_hours: int
    confirmed_at: str | None
    age_h: float | None
    stale: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def freshness(
    lake_dir: Path,
    mail_dir: Path,
    *,
    expected: Mapping[str, int | None],
    suppliers: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> dict[str, Freshness]:
    """Every supplier named in `expected` or `suppliers`, or with a load, by id."""
    now = now or dt.datetime.now(dt.UTC)
    by_mail = store.Ledger.load(mail_dir).confirmed_at()
    out = {}
    for supplier_id in sorted({*expected, *suppliers, *lake.suppliers(lake_dir)}):
        hours = expected.get(supplier_id) or DEFAULT_EXPECTED_EVERY_HOURS
        live = lake.current(lake_dir, supplier_id)
        seen = [live.published_at] if live else []
        unchanged = lake.confirmed_at(lake_dir, supplier_id) if live else None
        if unchanged:
            seen.append(unchanged)
        if live and supplier_id in by_mail:
            seen.append(by_mail[supplier_id])
        out[supplier_id] = _freshness(supplier_id, hours, seen, now)
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
