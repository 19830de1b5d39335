"""The crosses inbox sensor: a file dropped into `inbox/crosses/<source>/` loads itself."""

from __future__ import annotations

from dagster import SensorDefinition

from parts.settings import get_settings
from pipelines.crosslists import inbox
from pipelines.crosslists.assets import (
    SOURCE_TAG,
    CrossFileConfig,
    cross_sources,
    crosses,
)
from pipelines.pricelists.inbox import SETTLE_S, InboxScan
from pipelines.pricelists.sensors import build_file_sensor


def build_crosses_sensor(
    *, poll_s: int, settle_s: float = SETTLE_S, name: str = "crosses_inbox_sensor"
) -> SensorDefinition:
    """A sensor that requests one `crosses` run per new cross file."""

    def scan() -> InboxScan:
        return inbox.scan_crosses_inbox(
            inbox.crosses_inbox(get_settings()), settle_s=settle_s
        )

    return build_file_sensor(
        name=name,
        asset=crosses,
        partitions=cross_sources,
        config=lambda path: CrossFileConfig(path=path),
        tag=SOURCE_TAG,
        scan=scan,
        poll_s=poll_s,
        description="Loads every complete cross file dropped into inbox/crosses/<source>/.",
    )
