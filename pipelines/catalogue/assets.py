"""The `catalogue` asset: the live catalogue version in the lake.

A run loads one catalogue: the path in the run config, or else the oldest
ready item in `inbox/catalogue/`. The asset calls `load_catalogue`, moves the
item out of the inbox and shows the load report as metadata; a rejected
catalogue fails the run while the previous version stays live.

Dagster reads the parameter annotations at run time, so this module does not
use `from __future__ import annotations`.
"""

from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import Field

from parts.settings import get_settings
from pipelines.catalogue import inbox
from pipelines.catalogue.load import CatalogueLoadReport, load_catalogue


class CatalogueConfig(Config):
    """Run config of `catalogue`: what to load."""

    path: str = Field(
        "",
        description="Catalogue folder, ZIP or reply file; empty: the oldest in "
        "inbox/catalogue/.",
    )
    version: str = Field(
        "", description="Version of web-service replies (default: ws-<date>)."
    )


@asset(
    group_name="catalogue",
    kinds={"parquet"},
    description="The live TecDoc-style catalogue: articles, vehicles, links, "
    "published atomically as one version.",
)
def catalogue(
    context: AssetExecutionContext, config: CatalogueConfig
) -> MaterializeResult:
    """Load one catalogue version and publish it."""
    settings = get_settings()
    path = _pick(config.path, settings.inbox_dir / inbox.FOLDER)
    report = load_catalogue(path, settings=settings, version=config.version or None)
    inbox.settle(
        path,
        status=report.status,
        load_id=report.load_id,
        report=report.to_dict(),
        settings=settings,
    )
    metadata = report_metadata(report)
    if report.status == "rejected":
        raise Failure(
            description=report.error or "rejected",
            metadata={**metadata, "report": MetadataValue.json(report.to_dict())},
            allow_retries=False,
        )
    context.log.info("catalogue %s: version %s", report.status, report.version)
    return MaterializeResult(metadata=metadata)


def _pick(configured: str, folder: Path) -> Path:
    if configured:
        return Path(configured)
    ready = inbox.scan(folder)
    if not ready:
        raise Failure(description=f"nothing to load in `{folder}`", allow_retries=False)
    return ready[0].path


def report_metadata(report: CatalogueLoadReport) -> dict[str, Any]:
    """The load report figures a data engineer reads in the Dagster UI."""
    return {
        "status": report.status,
        "version": report.version or "",
        "kind": report.kind or "",
        "file": report.file,
        "load_id": report.load_id,
        "rows": MetadataValue.json(report.rows),
        "rekey": MetadataValue.json(report.rekey),
        "warnings": MetadataValue.json(report.warnings),
        "seconds": MetadataValue.float(report.seconds),
        "dagster/row_count": MetadataValue.int(report.rows.get("articles", 0)),
    }
