"""The crosses inbox sensor: a file dropped into `inbox/crosses/<source>/` loads itself."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    RunConfig,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from parts.settings import get_settings
from pipelines.crosslists import inbox
from pipelines.crosslists.assets import (
    CROSS_SOURCES,
    SOURCE_TAG,
    CrossFileConfig,
    cross_sources,
    crosses,
)
from pipelines.pricelists.inbox import SETTLE_S, InboxFile, new_files


def build_crosses_sensor(
    *, poll_s: int, settle_s: float = SETTLE_S, name: str = "crosses_inbox_sensor"
) -> SensorDefinition:
    """A sensor that requests one `crosses` run per new cross file."""

    @sensor(
        name=name,
        target=AssetSelection.assets(crosses),
        minimum_interval_seconds=poll_s,
        default_status=DefaultSensorStatus.RUNNING,
        description="Loads every complete cross file dropped into inbox/crosses/<source>/.",
    )
    def _crosses_sensor(context: SensorEvaluationContext) -> SensorResult:
        scan = inbox.scan_crosses_inbox(
            inbox.crosses_inbox(get_settings()), settle_s=settle_s
        )
        for path, reason in scan.skipped:
            context.log.info("skipped %s: %s", path, reason)
        fresh, cursor = new_files(scan.ready, context.cursor)
        known = set(context.instance.get_dynamic_partitions(CROSS_SOURCES))
        added = sorted({f.supplier_id for f in fresh} - known)
        return SensorResult(
            run_requests=[_run_request(f) for f in fresh],
            dynamic_partitions_requests=(
                [cross_sources.build_add_request(added)] if added else []
            ),
            cursor=cursor,
        )

    return _crosses_sensor


def _run_request(file: InboxFile) -> RunRequest:
    return RunRequest(
        run_key=file.run_key,
        partition_key=file.supplier_id,
        run_config=RunConfig(ops={"crosses": CrossFileConfig(path=str(file.path))}),
        tags={SOURCE_TAG: file.supplier_id},
    )
