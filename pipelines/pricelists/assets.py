"""Price lists in Dagster: the `supplier_offers` asset and its checks.

One partition per supplier. A run loads one file: the asset calls `ingest`,
moves the file out of the inbox and shows the load report as metadata; a
quarantined file fails the run while the previous offers stay live.

Dagster reads the parameter annotations at run time, so this module does not
use `from __future__ import annotations`.
"""

import json
import warnings
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetExecutionContext,
    AssetMaterialization,
    Config,
    DynamicPartitionsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    PreviewWarning,
    asset,
    asset_check,
)
from pydantic import Field

from parts.settings import Settings, get_settings
from pipelines.dagster_notes import index_in_step_metadata
from pipelines.pricelists import offer_checks
from pipelines.pricelists.errors import IngestError
from pipelines.pricelists.freshness import supplier_freshness
from pipelines.pricelists.load import load_inbox_file
from pipelines.pricelists.report import LoadReport
from search import lake
from search.freshness import Freshness

# Partitioned checks are a Dagster preview; they give one result per supplier,
# which is what a data engineer reads. Only this warning is silenced.
warnings.filterwarnings(
    "ignore",
    message="Specifying a partitions_def on an AssetCheckSpec",
    category=PreviewWarning,
)

SUPPLIERS = "suppliers"
"""Name of the dynamic partitions: one per supplier id."""

suppliers = DynamicPartitionsDefinition(name=SUPPLIERS)

SUPPLIER_TAG = "parts/supplier"
"""Run tag naming the supplier; dagster.yaml allows one run per supplier at once."""


class PriceFileConfig(Config):
    """Run config of `supplier_offers`: the file to load."""

    path: str = Field(description="Price file to load (usually in the inbox).")


@asset(
    partitions_def=suppliers,
    group_name="price_lists",
    kinds={"parquet"},
    description="Live offers of one supplier, published atomically to the lake.",
)
def supplier_offers(
    context: AssetExecutionContext, config: PriceFileConfig
) -> MaterializeResult:
    """Load one price file for the partition's supplier."""
    settings = get_settings()
    report = load_price_file(
        Path(config.path), supplier_id=context.partition_key, settings=settings
    )
    metadata = report_metadata(report)
    if report.status == "quarantined":
        raise Failure(
            description=report.error or "quarantined",
            metadata={
                **metadata,
                "report": MetadataValue.json(json.loads(report.to_json())),
            },
            allow_retries=False,
        )
    if report.status == "published":
        # the load brought the index in step too (`PARTS_INDEX_ON_INGEST`)
        index = index_in_step_metadata(settings)
        if index is not None:
            context.instance.report_runless_asset_event(
                AssetMaterialization(
                    asset_key="offers_index", metadata=index,
                    description=f"in step after {context.partition_key}'s load",
                )
            )  # fmt: skip
    return MaterializeResult(metadata=metadata)


def load_price_file(path: Path, *, supplier_id: str, settings: Settings) -> LoadReport:
    """Ingest a file, then move it out of the inbox; a usage error is a Failure."""
    if not path.is_file():
        raise Failure(description=f"price file `{path}` not found", allow_retries=False)
    try:
        return load_inbox_file(path, supplier_id=supplier_id, settings=settings)
    except IngestError as exc:  # a bad supplier id or profile, not a bad file
        raise Failure(description=str(exc), allow_retries=False) from exc


def report_metadata(report: LoadReport) -> dict[str, Any]:
    """The load report figures a data engineer reads in the Dagster UI."""
    return {
        "status": report.status,
        "load_id": report.load_id,
        "file": report.file,
        "rows_read": MetadataValue.int(report.rows_read),
        "rows_accepted": MetadataValue.int(report.rows_accepted),
        "rows_rejected": MetadataValue.int(report.rows_rejected),
        "rejects": MetadataValue.json(report.rejects),
        "columns": MetadataValue.json(report.columns),
        "encoding": report.encoding or "",
        "unknown_brands": MetadataValue.int(len(report.unknown_brands)),
        "seconds": MetadataValue.float(round(report.seconds, 3)),
        "dagster/row_count": MetadataValue.int(report.rows_accepted),
    }


def _check_result(outcome: offer_checks.CheckOutcome) -> AssetCheckResult:
    return AssetCheckResult(
        passed=outcome.passed,
        description=outcome.description,
        metadata=outcome.metadata,
    )


@asset_check(
    asset=supplier_offers,
    partitions_def=suppliers,
    description="Every live offer has a price above zero.",
)
def prices_positive(context: AssetCheckExecutionContext) -> AssetCheckResult:
    """Check the prices of the supplier's live offers."""
    offers = lake.scan_offers(get_settings().lake_dir, context.partition_key)
    return _check_result(offer_checks.prices_positive(offers))


@asset_check(
    asset=supplier_offers,
    partitions_def=suppliers,
    description="Every live offer is priced in a known ISO 4217 currency.",
)
def currencies_known(context: AssetCheckExecutionContext) -> AssetCheckResult:
    """Check the currencies of the supplier's live offers."""
    offers = lake.scan_offers(get_settings().lake_dir, context.partition_key)
    return _check_result(offer_checks.currencies_known(offers))


@asset_check(
    asset=supplier_offers,
    partitions_def=suppliers,
    description="The live list is not overdue: published, or confirmed by the "
    "same offers, within the profile's expected_every_hours (also evaluated "
    "for every supplier by the freshness sensor, without a load).",
)
def offers_fresh(context: AssetCheckExecutionContext) -> AssetCheckResult:
    """Check the age of the supplier's live list (`search.freshness`)."""
    supplier_id = context.partition_key
    found = supplier_freshness(get_settings(), suppliers=[supplier_id])
    return _check_result(offer_checks.offers_fresh(found[supplier_id]))


def freshness_evaluation(found: Freshness) -> AssetCheckEvaluation:
    """The `offers_fresh` result of one supplier, reported without a run."""
    outcome = offer_checks.offers_fresh(found)
    return AssetCheckEvaluation(
        asset_key=supplier_offers.key,
        check_name="offers_fresh",
        passed=outcome.passed,
        description=outcome.description,
        metadata=outcome.metadata,
        partition=found.supplier_id,
    )


price_list_checks = [prices_positive, currencies_known, offers_fresh]
