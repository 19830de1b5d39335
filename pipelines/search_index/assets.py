"""The offers index in Dagster: an asset kept in step by a sensor, compacted
nightly by a schedule.

Dagster reads the parameter annotations at run time, so this module does not
use `from __future__ import annotations`.
"""

from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetSelection,
    Config,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    MaterializeResult,
    MetadataValue,
    RunConfig,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    asset,
    define_asset_job,
    sensor,
)
from pydantic import Field

from parts.settings import get_settings
from pipelines.pricelists.assets import supplier_offers
from pipelines.search_index.sync import pending_changes, sync_index
from search.index_store import SyncReport


class IndexConfig(Config):
    """Run config of `offers_index`."""

    full: bool = Field(
        False, description="Build a new generation from every live load."
    )


@asset(
    deps=[supplier_offers],
    group_name="search_index",
    kinds={"tantivy", "arrow"},
    description="The quote-search index of every live offer: deltas per supplier "
    "load, a new generation on a full rebuild.",
)
def offers_index(
    context: AssetExecutionContext, config: IndexConfig
) -> MaterializeResult:
    """Sync the index with the lake (a full rebuild when asked)."""
    report = sync_index(get_settings(), full=config.full)
    context.log.info("index sync: %s", report.to_dict())
    return MaterializeResult(metadata=sync_metadata(report))


def sync_metadata(report: SyncReport) -> dict[str, Any]:
    """The index sync figures the Dagster UI shows."""
    return {
        "action": report.action,
        "manifest_seq": MetadataValue.int(report.manifest_seq),
        "generation": report.generation,
        "suppliers_changed": MetadataValue.json(report.suppliers_changed),
        "suppliers_removed": MetadataValue.json(report.suppliers_removed),
        "offers_indexed": MetadataValue.int(report.offers_indexed),
        "seconds": MetadataValue.float(float(report.seconds)),
        "docs_per_s": MetadataValue.float(float(report.docs_per_s)),
    }


index_job = define_asset_job(
    "offers_index_job", selection=AssetSelection.assets(offers_index)
)


def build_index_sensor(*, poll_s: int, name: str = "index_sensor"):  # type: ignore[no-untyped-def]
    """A sensor that requests an index sync whenever the lake moved on."""

    @sensor(
        name=name,
        job=index_job,
        minimum_interval_seconds=poll_s,
        default_status=DefaultSensorStatus.RUNNING,
        description="Syncs the offers index when a live load or a profile changed "
        "and the ingest did not already index it.",
    )
    def _sensor(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        reasons = pending_changes(get_settings())
        if not reasons:
            return SkipReason("the index is in step with the lake")
        key = "|".join(reasons)
        return SensorResult(
            run_requests=[
                RunRequest(
                    run_key=key,
                    run_config=RunConfig(ops={"offers_index": IndexConfig(full=False)}),
                    tags={"parts/index": "sync"},
                )
            ]
        )

    return _sensor


compaction_schedule = ScheduleDefinition(
    name="index_compaction",
    job=index_job,
    cron_schedule="30 3 * * *",
    run_config=RunConfig(ops={"offers_index": IndexConfig(full=True)}),
    default_status=DefaultScheduleStatus.RUNNING,
    description="A new index generation every night: deltas folded into one base.",
)
