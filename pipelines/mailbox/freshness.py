"""Which suppliers' price lists are overdue, by their profiles' expected
periods (the rule itself is `search.freshness`)."""

from __future__ import annotations

import datetime as dt

from parts.settings import Settings
from pipelines.pricelists.profiles import load_profiles
from search.freshness import Freshness, freshness


def supplier_freshness(
    settings: Settings, *, now: dt.datetime | None = None
) -> dict[str, Freshness]:
    """Every supplier with a profile or a load, by id."""
    profiles = load_profiles(settings.profiles_dir, strict=False)
    expected = {sid: p.expected_every_hours for sid, p in profiles.items()}
    return freshness(settings.lake_dir, settings.mail_dir, expected=expected, now=now)
