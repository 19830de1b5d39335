"""The crosses lake: typed edges per source, and the marks people make on them.

Layout under `lake/crosses/`:

    <source>/loads/<load_id>.parquet   every kept load of a source
    <source>/CURRENT                   JSON pointer to the live load
    <source>/reports/<load_id>.json    the load report of every attempt
    _marks/marks.parquet               verified and blocked marks (who, when)

A source is one feed of crosses (a supplier's file, a catalogue export, a web
service); loading it again replaces that source's edges and nothing else.
Publishing writes the new file, fsyncs it and swaps the pointer with an atomic
rename, as `search.lake` does for offers: readers see the old edges or the new
ones. Marks live apart from every source, so they survive its re-loads.

An edge is directed as stored: `oe` runs from the aftermarket part (a) to the
original number (b), `replacement` from the old number to the new one,
`one_way` from the part to the one it may be replaced by. `analog` and `oe` are
followed both ways by the graph; an empty brand means the maker is unknown.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from crosses import lake_files as files
from crosses.lake_files import new_load_id as new_load_id

log = logging.getLogger(__name__)

Kind = Literal["analog", "oe", "replacement", "one_way"]
KINDS: tuple[Kind, ...] = ("analog", "oe", "replacement", "one_way")
TWO_WAY: frozenset[str] = frozenset({"analog", "oe"})
MANUAL_SOURCE = "manual"
"""Source name of crosses a person added by verifying a pair no source has."""

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_MARKS_DIR = "_marks"

EDGE_SCHEMA: dict[str, Any] = {
    "brand_a": pl.String,
    "article_a": pl.String,
    "article_raw_a": pl.String,
    "brand_b": pl.String,
    "article_b": pl.String,
    "article_raw_b": pl.String,
    "kind": pl.String,
    "source": pl.String,
    "verified": pl.Boolean,
    "blocked": pl.Boolean,
    "load_id": pl.String,
    "row": pl.Int32,
}

MARK_SCHEMA: dict[str, Any] = {
    "brand_a": pl.String,
    "article_a": pl.String,
    "brand_b": pl.String,
    "article_b": pl.String,
    "action": pl.String,
    "kind": pl.String,
    "by": pl.String,
    "at": pl.String,
}


class CrossStoreError(Exception):
    """A request the crosses lake cannot honour (bad source name, bad mark)."""


def check_source(name: str) -> str:
    """A source name is short, lower case and safe as a folder name."""
    if not SOURCE_ID.match(name):
        raise CrossStoreError(
            f"cross source `{name}` is not valid; use lower-case letters, digits, "
            "`-`, `_` or `.` (at most 64)"
        )
    if name == MANUAL_SOURCE:
        raise CrossStoreError(
            f"`{MANUAL_SOURCE}` is reserved for crosses people add by verifying them"
        )
    return name


@dataclass(frozen=True)
class CrossPointer:
    """The live load of one cross source."""

    source: str
    load_id: str
    fingerprint: str
    edges: int
    published_at: str
    file: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def crosses_dir(lake: Path) -> Path:
    """The folder holding every cross source and the marks."""
    return lake / "crosses"


def _source_dir(lake: Path, source: str) -> Path:
    return crosses_dir(lake) / source


def current(lake: Path, source: str) -> CrossPointer | None:
    """The live pointer of a source, or None if nothing was published."""
    data = files.read_pointer(_source_dir(lake, source))
    return CrossPointer(**data) if data else None


def sources(lake: Path) -> list[str]:
    """Sources with at least one load attempt."""
    folder = crosses_dir(lake)
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir() if p.is_dir() and SOURCE_ID.match(p.name)
    )


@contextmanager
def source_lock(lake: Path, source: str) -> Iterator[None]:
    """Serialize publishes of one source across processes."""
    with files.locked(_source_dir(lake, source)):
        yield


def conform_edges(edges: pl.DataFrame, *, source: str, load_id: str) -> pl.DataFrame:
    """Edges in the lake's column order and types, stamped with source and load."""
    required = {"brand_a", "article_a", "brand_b", "article_b", "kind"}
    missing = required - set(edges.columns)
    if missing:
        raise CrossStoreError(f"edges lack the required columns {sorted(missing)}")
    stamped = edges.with_columns(source=pl.lit(source), load_id=pl.lit(load_id))
    columns = []
    for name, dtype in EDGE_SCHEMA.items():
        if name in stamped.columns:
            columns.append(pl.col(name).cast(dtype))
        elif name in ("verified", "blocked"):
            columns.append(pl.lit(False).alias(name))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    frame = stamped.select(columns)
    bad = frame.filter(~pl.col("kind").is_in(list(KINDS)))
    if bad.height:
        raise CrossStoreError(
            f"edge kind `{bad['kind'][0]}` is not one of {list(KINDS)}"
        )
    return frame


def publish(
    lake: Path,
    *,
    source: str,
    load_id: str,
    edges: pl.DataFrame,
    fingerprint: str,
    file: str,
    keep: int,
) -> CrossPointer:
    """Write a source's edges and make them the live ones atomically."""
    check_source(source)
    folder = _source_dir(lake, source)
    loads = folder / "loads"
    loads.mkdir(parents=True, exist_ok=True)
    frame = conform_edges(edges, source=source, load_id=load_id)
    files.write_parquet_atomic(
        frame.sort(["brand_a", "article_a"]), loads / f"{load_id}.parquet"
    )
    pointer = CrossPointer(
        source=source,
        load_id=load_id,
        fingerprint=fingerprint,
        edges=frame.height,
        published_at=files.now_iso(),
        file=file,
    )
    files.swap_pointer(folder, asdict(pointer))
    files.prune_loads(loads, keep, live=load_id)
    log.info(
        "published crosses source=%s load=%s edges=%d", source, load_id, frame.height
    )
    return pointer


def live_files(lake: Path) -> dict[str, Path]:
    """The Parquet file of every source's live load, by source."""
    files = {}
    for source in sources(lake):
        pointer = current(lake, source)
        if pointer is not None:
            files[source] = (
                _source_dir(lake, source) / "loads" / f"{pointer.load_id}.parquet"
            )
    return files


def scan_edges(lake: Path, source: str | None = None) -> pl.LazyFrame:
    """Lazy frame of the live edges (one source or all)."""
    files = live_files(lake)
    chosen = [files[source]] if source is not None and source in files else []
    if source is None:
        chosen = list(files.values())
    if not chosen:
        return pl.DataFrame(schema=EDGE_SCHEMA).lazy()
    return pl.scan_parquet(chosen)


def write_report(lake: Path, source: str, load_id: str, report: dict[str, Any]) -> Path:
    """Keep the load report of an attempt, published or not."""
    return files.write_report(_source_dir(lake, source) / "reports", load_id, report)


def reports(lake: Path, source: str) -> list[dict[str, Any]]:
    """Every kept load report of a source, oldest first."""
    return files.read_reports(_source_dir(lake, source) / "reports")


# Marks ----------------------------------------------------------------------------

Action = Literal["verify", "block"]


@dataclass(frozen=True)
class Mark:
    """A person's word on one cross: right (`verify`) or wrong (`block`)."""

    brand_a: str
    article_a: str
    brand_b: str
    article_b: str
    action: Action
    by: str
    at: str = ""
    kind: Kind = "analog"

    def stamped(self) -> Mark:
        """The same mark with `at` set to now when it was empty."""
        if self.at:
            return self
        return Mark(**{**asdict(self), "at": files.now_iso()})


def _marks_path(lake: Path) -> Path:
    return crosses_dir(lake) / _MARKS_DIR / "marks.parquet"


def add_mark(lake: Path, mark: Mark) -> Mark:
    """Append a mark to the marks table (atomically) and return it stamped."""
    if mark.action not in ("verify", "block"):
        raise CrossStoreError(f"mark action `{mark.action}` is not verify or block")
    if mark.kind not in KINDS:
        raise CrossStoreError(f"cross kind `{mark.kind}` is not one of {list(KINDS)}")
    if not mark.article_a or not mark.article_b:
        raise CrossStoreError("a mark needs both articles")
    if (mark.brand_a, mark.article_a) == (mark.brand_b, mark.article_b):
        raise CrossStoreError("a part cannot be marked as a cross of itself")
    stamped = mark.stamped()
    path = _marks_path(lake)
    with files.locked(path.parent):
        old = read_marks(lake)
        row = pl.DataFrame([asdict(stamped)], schema=MARK_SCHEMA)
        files.write_parquet_atomic(pl.concat([old, row]), path)
    log.info(
        "cross %s %s %s ↔ %s %s by %s",
        stamped.action, stamped.brand_a, stamped.article_a,
        stamped.brand_b, stamped.article_b, stamped.by,
    )  # fmt: skip
    return stamped


def read_marks(lake: Path) -> pl.DataFrame:
    """Every mark ever made, oldest first."""
    path = _marks_path(lake)
    if not path.exists():
        return pl.DataFrame(schema=MARK_SCHEMA)
    return pl.read_parquet(path)


def marks_stamp(lake: Path) -> tuple[int, int] | None:
    """Size and mtime of the marks table, to tell when it changed."""
    try:
        stat = _marks_path(lake).stat()
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns


def latest_marks(marks: pl.DataFrame) -> pl.DataFrame:
    """The last mark of every unordered pair: the one that counts."""
    if marks.is_empty():
        return marks
    key_a = pl.concat_str("brand_a", pl.lit("\x1f"), "article_a")
    key_b = pl.concat_str("brand_b", pl.lit("\x1f"), "article_b")
    return (
        marks.with_row_index("_order")
        .with_columns(
            _lo=pl.min_horizontal(key_a, key_b), _hi=pl.max_horizontal(key_a, key_b)
        )
        .sort("_order")
        .unique(subset=["_lo", "_hi"], keep="last", maintain_order=True)
        .drop("_order", "_lo", "_hi")
    )
