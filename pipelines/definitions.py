"""Everything Dagster loads: `dagster dev -m pipelines.definitions`."""

from __future__ import annotations

from dagster import Definitions

from parts.settings import get_settings
from pipelines.pricelists.assets import price_list_checks, supplier_offers
from pipelines.pricelists.sensors import build_inbox_sensor

defs = Definitions(
    assets=[supplier_offers],
    asset_checks=price_list_checks,
    sensors=[build_inbox_sensor(poll_s=get_settings().inbox_poll_s)],
)
