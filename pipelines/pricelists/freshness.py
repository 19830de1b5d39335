"""Which suppliers' price lists are overdue, by their profiles' expected
periods (the rule itself is `search.freshness`): what `parts suppliers`, the
Dagster check `offers_fresh`, the freshness sensor and the `mailbox`
observation show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from parts.settings import Settings
from pipelines.pricelists.profiles import load_profiles
from search.freshness import Freshness, freshness


def supplier_freshness(
    settings: Settings,
    *,
    suppliers: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> dict[str, Freshness]:
    """Every supplier with a profile or a load (or named), by id."""
    profiles = load_profiles(settings.profiles_dir, strict=False)
    expected = {sid: p.expected_every_hours for sid, p in profiles.items()}
    return freshness(
        settings.lake_dir, settings.mail_dir, expected=expected,
        suppliers=suppliers, now=now,
    )  # fmt: skip
