"""Inbox sensors: a file dropped into an inbox folder starts a load on its own.

`build_file_sensor` serves every feed whose files belong to a partition (a
supplier, a cross source); `build_inbox_sensor` is the price-list one.
"""

from __future__ import annotations

from collections.abc import Callable

from dagster import (
    AssetsDefinition,
    AssetSelection,
    Config,
    DefaultSensorStatus,
    DynamicPartitionsDefinition,
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
    PriceFileConfig,
    supplier_offers,
    suppliers,
)


def build_file_sensor(
    *,
    name: str,
    asset: AssetsDefinition,
    partitions: DynamicPartitionsDefinition,
    config: Callable[[str], Config],
    tag: str,
    scan: Callable[[], inbox.InboxScan],
    poll_s: int,
    description: str,
) -> SensorDefinition:
    """A sensor requesting one run of `asset` per new file `scan` finds, adding
    the file's partition (its supplier or source) when it is new."""
    op_name = asset.op.name

    @sensor(
        name=name,
        target=AssetSelection.assets(asset),
        minimum_interval_seconds=poll_s,
        default_status=DefaultSensorStatus.RUNNING,
        description=description,
    )
    def _sensor(context: SensorEvaluationContext) -> SensorResult:
        found = scan()
        for path, reason in found.skipped:
            context.log.info("skipped %s: %s", path, reason)
        fresh, cursor = inbox.new_files(found.ready, context.cursor)
        known = set(context.instance.get_dynamic_partitions(partitions.name or ""))
        added = sorted({f.supplier_id for f in fresh} - known)
        requests = [
            RunRequest(
                run_key=f.run_key,
                partition_key=f.supplier_id,
                run_config=RunConfig(ops={op_name: config(str(f.path))}),
                tags={tag: f.supplier_id},
            )
            for f in fresh
        ]
        return SensorResult(
            run_requests=requests,
            dynamic_partitions_requests=(
                [partitions.build_add_request(added)] if added else []
            ),
            cursor=cursor,
        )

    return _sensor


def build_inbox_sensor(
    *,
    poll_s: int,
    settle_s: float = inbox.SETTLE_S,
    name: str = "inbox_sensor",
) -> SensorDefinition:
    """A sensor that requests one `supplier_offers` run per new inbox file."""

    def scan() -> inbox.InboxScan:
        settings = get_settings()
        return inbox.scan_inbox(
            settings.inbox_dir, profiles_dir=settings.profiles_dir, settle_s=settle_s
        )

    return build_file_sensor(
        name=name,
        asset=supplier_offers,
        partitions=suppliers,
        config=lambda path: PriceFileConfig(path=path),
        tag=SUPPLIER_TAG,
        scan=scan,
        poll_s=poll_s,
        description="Loads every complete file dropped into the inbox.",
    )
