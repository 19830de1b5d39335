"""One load end to end: fingerprint, parse, then publish or quarantine.

This is the function the CLI, the Dagster asset and the mailbox intake call.
"""

from __future__ import annotations

import logging
import resource
import shutil
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from parts.settings import Settings
from pipelines.brand_review import brand_table
from pipelines.pricelists.errors import IngestError
from pipelines.pricelists.ingest import Progress, file_fingerprint, parse_price_file
from pipelines.pricelists.profiles import (
    SupplierProfile,
    check_supplier_id,
    load_profile,
    load_profiles,
)
from pipelines.pricelists.reading import Limits
from pipelines.pricelists.report import LoadReport, SheetReport
from pipelines.search_index.sync import sync_after_publish
from search import lake

log = logging.getLogger(__name__)


def limits_from(settings: Settings) -> Limits:
    """Reader limits from the settings."""
    return Limits(
        max_file_bytes=settings.max_file_mb << 20,
        max_unpacked_bytes=settings.max_decompressed_mb << 20,
        max_rows=settings.max_rows,
        max_columns=settings.max_columns,
        max_cell_chars=settings.max_cell_chars,
    )


def profile_for(settings: Settings, supplier_id: str) -> SupplierProfile | None:
    """The supplier's profile from the profiles folder, if it has one.

    A broken `<supplier_id>.toml` is this supplier's error; other broken
    profiles are logged and do not concern it.
    """
    own = settings.profiles_dir / f"{supplier_id}.toml"
    if own.is_file():
        profile = load_profile(own)
        if profile.id == supplier_id:
            return profile
    return load_profiles(settings.profiles_dir, strict=False).get(supplier_id)


def ingest(
    path: Path,
    *,
    supplier_id: str,
    settings: Settings,
    profile: SupplierProfile | None = None,
    use_profile_dir: bool = True,
    progress: Progress | None = None,
) -> LoadReport:
    """Ingest one file for one supplier and return its load report."""
    check_supplier_id(supplier_id)
    if profile is None and use_profile_dir:
        profile = profile_for(settings, supplier_id)
    started = time.perf_counter()
    lake_dir = settings.lake_dir
    fingerprint = file_fingerprint(path, profile)
    with lake.supplier_lock(lake_dir, supplier_id):
        live = lake.current(lake_dir, supplier_id)
        if live is not None and live.fingerprint == fingerprint:
            lake.confirm(lake_dir, supplier_id, load_id=live.load_id)  # freshness
            report = _live_report(lake_dir, supplier_id, live.load_id, path.name)
            report.status = "unchanged"
            report.seconds = time.perf_counter() - started
            log.info("unchanged supplier=%s file=%s", supplier_id, path.name)
            return report
        load_id = lake.new_load_id()
        report = _parse_and_publish(
            path, supplier_id, profile, settings, load_id, fingerprint, progress
        )
        report.seconds = time.perf_counter() - started
        report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        lake.write_report(lake_dir, supplier_id, load_id, report.to_dict())
    return report


def _parse_and_publish(
    path: Path,
    supplier_id: str,
    profile: SupplierProfile | None,
    settings: Settings,
    load_id: str,
    fingerprint: str,
    progress: Progress | None,
) -> LoadReport:
    try:
        result = parse_price_file(
            path,
            progress=progress,
            supplier_id=supplier_id,
            profile=profile,
            limits=limits_from(settings),
            tmp_dir=settings.tmp_dir,
            max_reject_share=settings.max_reject_share,
            brands=brand_table(settings),
        )
    except IngestError as exc:
        report = getattr(exc, "report", None) or LoadReport(supplier_id, path.name)
        return _quarantine(path, report, settings, load_id, fingerprint, str(exc))
    except Exception as exc:  # a bug must not lose the file or stop the run
        log.exception("internal error ingesting %s", path.name)
        report = LoadReport(supplier_id, path.name)
        return _quarantine(
            path, report, settings, load_id, fingerprint, f"internal error: {exc!r}"
        )
    report = result.report
    if progress:
        progress("publishing", 0.9)
    report.load_id = load_id
    report.sha256 = fingerprint
    pointer = lake.publish(
        settings.lake_dir,
        supplier_id=supplier_id,
        load_id=load_id,
        offers=result.offers,
        fingerprint=fingerprint,
        file=path.name,
        keep=settings.keep_loads,
    )
    report.status = "published"
    report.published_at = pointer.published_at
    problem = sync_after_publish(settings)
    if problem:
        report.warnings.append(problem)
    return report


def report_fields(
    reports: list[dict[str, Any]], load_id: str, fields: Iterable[str]
) -> dict[str, Any] | None:
    """The kept report of `load_id`, reduced to `fields` (for `unchanged`)."""
    wanted = set(fields)
    for data in reversed(reports):
        if data.get("load_id") == load_id:
            return {k: v for k, v in data.items() if k in wanted}
    return None


def keep_in_quarantine(
    folder: Path, path: Path, load_id: str, report_json: str
) -> None:
    """Copy a rejected file and its report into a quarantine folder."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, folder / f"{load_id}-{path.name}")
    (folder / f"{load_id}.report.json").write_text(report_json, encoding="utf-8")


def _live_report(
    lake_dir: Path, supplier_id: str, load_id: str, file: str
) -> LoadReport:
    """The report of the live load, for an `unchanged` answer."""
    kept = report_fields(
        lake.reports(lake_dir, supplier_id), load_id, LoadReport.__dataclass_fields__
    )
    if kept is None:
        return LoadReport(supplier_id=supplier_id, file=file, load_id=load_id)
    kept["sheets"] = [SheetReport(**s) for s in kept.get("sheets", [])]
    return replace(LoadReport(**kept), file=file)


def _quarantine(
    path: Path,
    report: LoadReport,
    settings: Settings,
    load_id: str,
    fingerprint: str,
    error: str,
) -> LoadReport:
    report.status = "quarantined"
    report.error = error
    report.size_bytes = report.size_bytes or path.stat().st_size
    report.load_id = load_id
    report.sha256 = fingerprint
    keep_in_quarantine(
        settings.quarantine_dir / report.supplier_id, path, load_id, report.to_json()
    )
    log.warning(
        "quarantined supplier=%s file=%s: %s", report.supplier_id, path.name, error
    )
    return report


def supplier_overview(settings: Settings) -> list[dict[str, object]]:
    """Every known supplier: profile, live load and the last attempt."""
    profiles = load_profiles(settings.profiles_dir, strict=False)
    ids = sorted(set(profiles) | set(lake.suppliers(settings.lake_dir)))
    rows = []
    for supplier_id in ids:
        live = lake.current(settings.lake_dir, supplier_id)
        attempts = lake.reports(settings.lake_dir, supplier_id)
        last = attempts[-1] if attempts else {}
        rows.append(
            {
                "supplier_id": supplier_id,
                "name": profiles[supplier_id].name if supplier_id in profiles else "",
                "has_profile": supplier_id in profiles,
                "live_load_id": live.load_id if live else None,
                "live_rows": live.rows if live else None,
                "live_published_at": live.published_at if live else None,
                "last_file": last.get("file"),
                "last_status": last.get("status"),
                "last_error": last.get("error"),
                "loads_kept": len(lake.load_history(settings.lake_dir, supplier_id)),
            }
        )
    return rows


def load_inbox_file(path: Path, *, supplier_id: str, settings: Settings) -> LoadReport:
    """Ingest a file of the inbox, then move it out (archive or quarantine).

    An `IngestError` (a bad supplier id or profile, not a bad file) leaves
    the file where it is.
    """
    from pipelines.pricelists import inbox

    stamp = inbox.FileStamp.of(path)
    report = ingest(path, supplier_id=supplier_id, settings=settings)
    inbox.settle_file(
        path,
        supplier_id=supplier_id,
        status=report.status,
        load_id=report.load_id,
        stamp=stamp,
        inbox=settings.inbox_dir,
        archive=settings.archive_dir,
        quarantine=settings.quarantine_dir,
    )
    return report
