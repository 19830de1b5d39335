"""Everything Dagster loads: `dagster dev -m pipelines.definitions`."""

from __future__ import annotations

from dagster import Definitions

from parts.settings import get_settings
from pipelines.catalogue.assets import catalogue
from pipelines.catalogue.sensors import build_catalogue_sensor
from pipelines.crosslists.assets import crosses
from pipelines.crosslists.sensors import build_crosses_sensor
from pipelines.mailbox.sensors import build_mailbox_sensor, mailbox
from pipelines.pricelists.assets import price_list_checks, supplier_offers
from pipelines.pricelists.sensors import build_freshness_sensor, build_inbox_sensor
from pipelines.search_index.assets import (
    build_index_sensor,
    compaction_schedule,
    index_job,
    offers_index,
)

defs = Definitions(
    assets=[supplier_offers, catalogue, crosses, offers_index, mailbox],
    jobs=[index_job],
    schedules=[compaction_schedule],
    asset_checks=price_list_checks,
    sensors=[
        build_inbox_sensor(poll_s=get_settings().inbox_poll_s),
        build_catalogue_sensor(poll_s=get_settings().inbox_poll_s),
        build_crosses_sensor(poll_s=get_settings().inbox_poll_s),
        build_index_sensor(poll_s=get_settings().inbox_poll_s),
        build_mailbox_sensor(poll_s=get_settings().mail_poll_s),
        build_freshness_sensor(),
    ],
)
