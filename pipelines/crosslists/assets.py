"""Crosses in Dagster: the `crosses` asset, one partition per cross source.

A run loads one file as the whole of its source, moves it out of the inbox and
shows the load report as metadata; a quarantined file fails the run while the
source's previous crosses stay live.

Dagster reads the parameter annotations at run time, so this module does not
use `from __future__ import annotations`.
"""

from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    Config,
    DynamicPartitionsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import Field

from parts.settings import Settings, get_settings
from pipelines.crosslists import inbox
from pipelines.crosslists.load import load_crosses
from pipelines.crosslists.report import CrossLoadReport
from pipelines.pricelists.errors import IngestError
from pipelines.pricelists.inbox import FileStamp, settle_file

CROSS_SOURCES = "cross_sources"
"""Name of the dynamic partitions: one per cross source."""

cross_sources = DynamicPartitionsDefinition(name=CROSS_SOURCES)

SOURCE_TAG = "parts/cross_source"
"""Run tag naming the cross source."""


class CrossFileConfig(Config):
    """Run config of `crosses`: the file to load."""

    path: str = Field(description="Cross file to load (usually in inbox/crosses/).")


@asset(
    partitions_def=cross_sources,
    group_name="crosses",
    kinds={"parquet"},
    description="Live cross edges of one source, published atomically to the lake.",
)
def crosses(
    context: AssetExecutionContext, config: CrossFileConfig
) -> MaterializeResult:
    """Load one cross file as the partition's source."""
    report = load_cross_file(
        Path(config.path), source=context.partition_key, settings=get_settings()
    )
    metadata = report_metadata(report)
    if report.status == "quarantined":
        raise Failure(
            description=report.error or "quarantined",
            metadata={**metadata, "report": MetadataValue.json(report.to_dict())},
            allow_retries=False,
        )
    return MaterializeResult(metadata=metadata)


def load_cross_file(path: Path, *, source: str, settings: Settings) -> CrossLoadReport:
    """Load a cross file, then move it out of the inbox; a usage error is a Failure."""
    if not path.is_file():
        raise Failure(description=f"cross file `{path}` not found", allow_retries=False)
    stamp = FileStamp.of(path)
    try:
        report = load_crosses(path, source=source, settings=settings)
    except IngestError as exc:  # a bad source name or profile, not a bad file
        raise Failure(description=str(exc), allow_retries=False) from exc
    settle_file(
        path,
        supplier_id=source,
        status=report.status,
        load_id=report.load_id,
        stamp=stamp,
        inbox=inbox.crosses_inbox(settings),
        archive=inbox.crosses_archive(settings),
        quarantine=inbox.crosses_quarantine(settings),
    )
    return report


def report_metadata(report: CrossLoadReport) -> dict[str, Any]:
    """The load report figures a data engineer reads in the Dagster UI."""
    return {
        "status": report.status,
        "load_id": report.load_id,
        "file": report.file,
        "shape": report.shape,
        "rows_read": MetadataValue.int(report.rows_read),
        "edges": MetadataValue.int(report.edges),
        "edges_by_kind": MetadataValue.json(report.edges_by_kind),
        "rejects": MetadataValue.json(report.rejects),
        "columns": MetadataValue.json(report.columns),
        "unknown_brands": MetadataValue.int(len(report.unknown_brands)),
        "seconds": MetadataValue.float(round(report.seconds, 3)),
        "dagster/row_count": MetadataValue.int(report.edges),
    }
