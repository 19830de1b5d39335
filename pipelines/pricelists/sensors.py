"""Inbox sensors: a file dropped into an inbox folder starts a load on its own.

`build_file_sensor` serves every feed whose files belong to a partition (a
supplier, a cross source); `build_inbox_sensor` is the price-list one.
`build_freshness_sensor` evaluates the `offers_fresh` check of every supplier
on its own: a supplier who stopped sending shows red with no load to run it.
"""

from __future__ import annotations

import json
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
    SkipReason,
    sensor,
)

from parts.settings import get_settings
from pipelines.pricelists import inbox
from pipelines.pricelists.assets import (
    SUPPLIER_TAG,
    PriceFileConfig,
    freshness_evaluation,
    supplier_offers,
    suppliers,
)
from pipelines.pricelists.freshness import supplier_freshness

FRESHNESS_POLL_S = 300
"""Expected periods are hours: every five minutes is soon enough."""


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


def build_freshness_sensor(
    *, poll_s: int = FRESHNESS_POLL_S, name: str = "freshness_sensor"
) -> SensorDefinition:
    """A sensor that reports the `offers_fresh` check of every supplier whose
    freshness changed since its last tick (a new supplier is added as a
    partition first, and reported on the next tick)."""

    @sensor(
        name=name,
        minimum_interval_seconds=poll_s,
        default_status=DefaultSensorStatus.RUNNING,
        description="Evaluates every supplier's `offers_fresh` check, so an "
        "overdue price list shows red without a new load.",
    )
    def _sensor(context: SensorEvaluationContext) -> SensorResult:
        found = supplier_freshness(get_settings())
        known = set(context.instance.get_dynamic_partitions(suppliers.name or ""))
        before = json.loads(context.cursor) if context.cursor else {}
        state = {s: f.stale for s, f in found.items() if s in known}
        changed = [s for s in sorted(state) if before.get(s) != state[s]]
        added = sorted(set(found) - known)
        stale = sorted(s for s, f in found.items() if f.stale)
        return SensorResult(
            asset_events=[freshness_evaluation(found[s]) for s in changed],
            dynamic_partitions_requests=(
                [suppliers.build_add_request(added)] if added else []
            ),
            cursor=json.dumps(state, sort_keys=True),
            skip_reason=SkipReason(
                f"{len(stale)} of {len(found)} supplier(s) overdue"
                + (f": {', '.join(stale)}" if stale else "")
                + f"; {len(changed)} check result(s) reported"
            ),
        )

    return _sensor
