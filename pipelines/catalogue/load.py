"""One catalogue load end to end: detect, read, re-key, publish.

The CLI (`parts catalogue load`) and the Dagster `catalogue` asset call
`load_catalogue`. A catalogue that fails to read is rejected with the error
(file, row, column) in its report, and the live version stays.
"""

from __future__ import annotations

import hashlib
import logging
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from crosses import store as cross_store
from crosses.catalogue import (
    MANIFEST,
    Catalogue,
    CatalogueError,
    UnreadableCatalogue,
    parse_manifest,
    read_catalogue,
    read_table,
)
from crosses.catalogue_versions import next_version
from crosses.tecdoc_ws import read_tecdoc_replies
from parts.settings import Settings
from search import catalogue_lake
from search.lake import new_load_id

log = logging.getLogger(__name__)

PARSER_VERSION = "catalogue-1"
"""Part of the fingerprint: a new parser re-reads files it saw before."""

REPLY_SUFFIXES = (".json", ".xml")
Kind = Literal["format", "tecdoc-ws"]


@dataclass
class CatalogueLoadReport:
    """What one catalogue load did."""

    status: Literal["published", "unchanged", "rejected"]
    file: str
    load_id: str
    kind: Kind | None = None
    version: str | None = None
    date: str | None = None
    mode: str | None = None
    previous_version: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    rekey: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    error_at: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return asdict(self)


def load_catalogue(
    path: Path, *, settings: Settings, version: str | None = None
) -> CatalogueLoadReport:
    """Load a catalogue folder, ZIP or web-service replies and publish it."""
    started = time.perf_counter()
    lake = settings.lake_dir
    load_id = new_load_id()
    report = CatalogueLoadReport(status="rejected", file=str(path), load_id=load_id)
    try:
        kind, members = collect_members(
            path, max_bytes=settings.max_decompressed_mb << 20
        )
        report.kind = kind
        fingerprint = _fingerprint(kind, members, version)
        live = catalogue_lake.current(lake)
        if live is not None and live.fingerprint == fingerprint:
            _unchanged(report, live)
        else:
            loaded = _read(kind, path, members, version=version)
            _publish(report, loaded, settings=settings, fingerprint=fingerprint)
    except CatalogueError as exc:
        report.error = str(exc)
        report.error_at = {
            k: v
            for k, v in (("file", exc.file), ("row", exc.row), ("column", exc.column))
            if v is not None
        }
        log.warning("catalogue rejected file=%s error=%s", path, exc)
    report.seconds = round(time.perf_counter() - started, 3)
    catalogue_lake.write_report(lake, load_id, report.to_dict())
    return report


def collect_members(path: Path, *, max_bytes: int) -> tuple[Kind, dict[str, bytes]]:
    """The files of a catalogue and whether it is the import format or replies."""
    if path.is_dir():
        members = {
            p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob("*"))
            if p.is_file() and not p.name.startswith(".")
        }
    elif path.is_file() and path.suffix.lower() in REPLY_SUFFIXES:
        members = {path.name: path.read_bytes()}
    elif path.is_file():
        members = _zip_members(path, max_bytes=max_bytes)
    else:
        raise UnreadableCatalogue(f"`{path}` does not exist")
    names = {Path(n).stem.lower() for n in members}
    if "articles" in names:
        return "format", members
    if any(
        n.lower().endswith(REPLY_SUFFIXES) and Path(n).name != MANIFEST for n in members
    ):
        return "tecdoc-ws", members
    raise UnreadableCatalogue(
        "neither a catalogue (no `articles.csv`) nor web-service replies "
        "(no `.json` or `.xml` files); see docs/catalogue-format.md",
        file=path.name,
    )


def _zip_members(path: Path, *, max_bytes: int) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise UnreadableCatalogue(
            "not a ZIP archive, a folder, a `.json` or an `.xml` file", file=path.name
        ) from exc
    members, budget = {}, max_bytes
    if "[Content_Types].xml" in archive.namelist():
        archive.close()
        raise UnreadableCatalogue(
            "an Office document (XLSX/DOCX), not a catalogue; a catalogue is a "
            "folder or ZIP of tables with `manifest.json` (docs/catalogue-format.md)",
            file=path.name,
        )
    with archive:
        for info in archive.infolist():
            if info.is_dir() or Path(info.filename).name.startswith("."):
                continue
            with archive.open(info) as fh:
                data = fh.read(budget + 1)
            budget -= len(data)
            if budget < 0:
                raise UnreadableCatalogue(
                    f"unpacks to more than {max_bytes >> 20} MiB "
                    "(setting PARTS_MAX_DECOMPRESSED_MB)",
                    file=path.name,
                )
            members[info.filename] = data
    return members


def _fingerprint(kind: Kind, members: dict[str, bytes], version: str | None) -> str:
    digest = hashlib.sha256(f"{PARSER_VERSION}\0{kind}\0{version or ''}".encode())
    for name in sorted(members):
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(members[name]).digest())
    return digest.hexdigest()


def _read(
    kind: Kind,
    path: Path,
    members: dict[str, bytes],
    *,
    version: str | None,
) -> Catalogue:
    if kind == "format":
        return read_catalogue(members)
    replies = [
        (name, data)
        for name, data in members.items()
        if name.lower().endswith(REPLY_SUFFIXES) and Path(name).name != MANIFEST
    ]
    manifest = next((d for n, d in members.items() if Path(n).name == MANIFEST), None)
    date = None
    if manifest is not None:
        parsed = parse_manifest(manifest)
        version, date = version or parsed.version, parsed.date
    loaded = read_tecdoc_replies(replies, version=version, date=date, source=path.name)
    for name, data in members.items():
        if Path(name).stem == "vehicle_id_map":
            id_map = read_table(name="vehicle_id_map", file=Path(name).name, data=data,
                                version=loaded.version)  # fmt: skip
            loaded = loaded.with_tables(vehicle_id_map=id_map)
    return loaded


def _unchanged(
    report: CatalogueLoadReport, live: catalogue_lake.CataloguePointer
) -> None:
    report.status = "unchanged"
    report.version, report.date, report.mode = live.version, live.date, live.mode
    report.rows = dict(live.rows)
    log.info("catalogue unchanged version=%s", live.version)


def _publish(
    report: CatalogueLoadReport,
    loaded: Catalogue,
    *,
    settings: Settings,
    fingerprint: str,
) -> None:
    lake = settings.lake_dir
    with catalogue_lake.catalogue_lock(lake):
        previous = catalogue_lake.read_current(lake)
        final, rekey = next_version(previous, loaded)
        catalogue_lake.publish(
            lake, final, fingerprint=fingerprint, keep=settings.catalogue_keep_versions
        )
        _publish_oe_crosses(
            lake, final, load_id=report.load_id, fingerprint=fingerprint
        )
    report.status = "published"
    report.version, report.date, report.mode = final.version, final.date, final.mode
    report.previous_version = rekey.previous_version
    report.rows = final.rows()
    report.rekey = rekey.to_dict()
    report.warnings = list(final.warnings)
    if rekey.links_dropped:
        report.warnings.append(
            f"{rekey.links_dropped} link(s) point at vehicles this catalogue does not "
            "have and were dropped"
        )


CATALOGUE_SOURCE = "catalogue"


def _publish_oe_crosses(
    lake: Path, catalogue: Catalogue, *, load_id: str, fingerprint: str
) -> None:
    """The catalogue's OE numbers as the `catalogue` cross source (kind `oe`), so
    analogs reach OE numbers and supplier analogs can be checked against them."""
    oe = catalogue.oe_numbers
    edges = (
        oe.filter((pl.col("article") != "") & (pl.col("oe_number") != ""))
        .select(
            brand_a=pl.col("brand"),
            article_a=pl.col("article"),
            brand_b=pl.col("oe_brand").fill_null(""),
            article_b=pl.col("oe_number"),
            kind=pl.lit("oe"),
            article_raw_b=pl.col("oe_number_raw"),
        )
        .unique(["brand_a", "article_a", "brand_b", "article_b"], maintain_order=True)
    )
    with cross_store.source_lock(lake, CATALOGUE_SOURCE):
        cross_store.publish(
            lake, source=CATALOGUE_SOURCE, load_id=load_id, edges=edges,
            fingerprint=fingerprint, file=f"catalogue {catalogue.version}", keep=2,
        )  # fmt: skip
