"""The inbox sensor: a file dropped into `inbox/` starts a load on its own."""

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
from pipelines.pricelists import inbox
from pipelines.pricelists.assets import (
    SUPPLIER_TAG,
    SUPPLIERS,
    PriceFileConfig,
    supplier_offers,
    suppliers,
)


def build_inbox_sensor(
    *,
    poll_s: int,
    settle_s: float = inbox.SETTLE_S,
    name: str = "inbox_sensor",
) -> SensorDefinition:
    """A sensor that requests one `supplier_offers` run per new inbox file."""

    @sensor(
        name=name,
        target=AssetSelection.assets(supplier_offers),
        minimum_interval_seconds=poll_s,
        default_status=DefaultSensorStatus.RUNNING,
        description="Loads every complete file dropped into the inbox.",
    )
    def _inbox_sensor(context: SensorEvaluationContext) -> SensorResult:
        settings = get_settings()
        scan = inbox.scan_inbox(
            settings.inbox_dir, profiles_dir=settings.profiles_dir, settle_s=settle_s
        )
        for path, reason in scan.skipped:
            context.log.info("skipped %s: %s", path, reason)
        fresh, cursor = inbox.new_files(scan.ready, context.cursor)
        known = set(context.instance.get_dynamic_partitions(SUPPLIERS))
        added = sorted({f.supplier_id for f in fresh} - known)
        return SensorResult(
            run_requests=[_run_request(f) for f in fresh],
            dynamic_partitions_requests=(
                [suppliers.build_add_request(added)] if added else []
            ),
            cursor=cursor,
        )

    return _inbox_sensor


def _run_request(file: inbox.InboxFile) -> RunRequest:
    return RunRequest(
        run_key=file.run_key,
        partition_key=file.supplier_id,
        run_config=RunConfig(
            ops={"supplier_offers": PriceFileConfig(path=str(file.path))}
        ),
        tags={SUPPLIER_TAG: file.supplier_id},
    )
