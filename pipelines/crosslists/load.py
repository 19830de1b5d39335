"""One cross file end to end: fingerprint, parse, then publish or quarantine.

The CLI, the Dagster asset and the demo call `load_crosses`. A bad file is
copied to `quarantine/crosses/<source>/` with its report, and the source's
previous edges stay live.
"""

from __future__ import annotations

import logging
import resource
import time
from dataclasses import replace
from pathlib import Path

from crosses import store
from parts.settings import Settings
from pipelines.crosslists.options import CrossOptions, cross_profile_for
from pipelines.crosslists.parse import file_fingerprint, parse_cross_file
from pipelines.crosslists.report import CrossLoadReport
from pipelines.pricelists.errors import IngestError, ProfileError
from pipelines.pricelists.load import keep_in_quarantine, limits_from, report_fields

log = logging.getLogger(__name__)


def check_source_name(source: str) -> str:
    """A valid cross source name, or a `ProfileError` saying why not."""
    try:
        return store.check_source(source)
    except store.CrossStoreError as exc:
        raise ProfileError(str(exc)) from exc


def options_for(settings: Settings, source: str) -> CrossOptions:
    """The source's cross profile, or the defaults (everything detected)."""
    return cross_profile_for(settings.profiles_dir, source) or CrossOptions()


def load_crosses(
    path: Path,
    *,
    source: str,
    settings: Settings,
    options: CrossOptions | None = None,
) -> CrossLoadReport:
    """Load one cross file as the whole of `source` and return its load report."""
    check_source_name(source)
    options = options or options_for(settings, source)
    started = time.perf_counter()
    lake = settings.lake_dir
    fingerprint = file_fingerprint(path, options)
    with store.source_lock(lake, source):
        live = store.current(lake, source)
        if live is not None and live.fingerprint == fingerprint:
            report = _live_report(lake, source, live.load_id, path.name)
            report.status = "unchanged"
            report.seconds = time.perf_counter() - started
            log.info("crosses unchanged source=%s file=%s", source, path.name)
            return report
        load_id = store.new_load_id()
        report = _parse_and_publish(
            path, source, options, settings, load_id, fingerprint
        )
        report.seconds = time.perf_counter() - started
        report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        store.write_report(lake, source, load_id, report.to_dict())
    return report


def _parse_and_publish(
    path: Path,
    source: str,
    options: CrossOptions,
    settings: Settings,
    load_id: str,
    fingerprint: str,
) -> CrossLoadReport:
    try:
        parsed = parse_cross_file(
            path,
            source=source,
            options=options,
            limits=limits_from(settings),
            tmp_dir=settings.tmp_dir,
            max_group=settings.crosses_max_group,
            max_reject_share=settings.max_reject_share,
        )
    except IngestError as exc:
        report = getattr(exc, "report", None) or CrossLoadReport(source, path.name)
        return _quarantine(path, report, settings, load_id, fingerprint, str(exc))
    except Exception as exc:  # a bug must not lose the file or stop the run
        log.exception("internal error loading crosses %s", path.name)
        report = CrossLoadReport(source, path.name)
        return _quarantine(
            path, report, settings, load_id, fingerprint, f"internal error: {exc!r}"
        )
    report = parsed.report
    report.load_id, report.sha256 = load_id, fingerprint
    pointer = store.publish(
        settings.lake_dir,
        source=source,
        load_id=load_id,
        edges=parsed.edges,
        fingerprint=fingerprint,
        file=path.name,
        keep=settings.keep_loads,
    )
    report.status = "published"
    report.published_at = pointer.published_at
    return report


def _live_report(lake: Path, source: str, load_id: str, file: str) -> CrossLoadReport:
    """The report of the live load, for an `unchanged` answer."""
    kept = report_fields(
        store.reports(lake, source), load_id, CrossLoadReport.__dataclass_fields__
    )
    if kept is None:
        return CrossLoadReport(source=source, file=file, load_id=load_id)
    return replace(CrossLoadReport(**kept), file=file)


def _quarantine(
    path: Path,
    report: CrossLoadReport,
    settings: Settings,
    load_id: str,
    fingerprint: str,
    error: str,
) -> CrossLoadReport:
    report.status = "quarantined"
    report.error = error
    report.load_id, report.sha256 = load_id, fingerprint
    keep_in_quarantine(
        quarantine_dir(settings, report.source), path, load_id, report.to_json()
    )
    log.warning(
        "crosses quarantined source=%s file=%s: %s", report.source, path.name, error
    )
    return report


def quarantine_dir(settings: Settings, source: str) -> Path:
    """Where rejected cross files of a source are kept."""
    return settings.quarantine_dir / "crosses" / source


def source_overview(settings: Settings) -> list[dict[str, object]]:
    """Every cross source: live load and the last attempt."""
    lake = settings.lake_dir
    rows = []
    for source in store.sources(lake):
        live = store.current(lake, source)
        attempts = store.reports(lake, source)
        last = attempts[-1] if attempts else {}
        rows.append(
            {
                "source": source,
                "live_load_id": live.load_id if live else None,
                "live_edges": live.edges if live else None,
                "live_file": live.file if live else None,
                "published_at": live.published_at if live else None,
                "last_file": last.get("file"),
                "last_status": last.get("status"),
                "last_error": last.get("error"),
            }
        )
    return rows
