"""Catalogue versions: the same vehicle under a new id, and links re-keyed (Q37).

TecDoc-style vehicle ids (K-types) are not stable between releases: vehicle
15657 may come back as 1015657. A new version is matched to the previous one
vehicle by vehicle, in this order:

1. an explicit `vehicle_id_map` shipped with the new version (`id_map`);
2. the natural key `make + model + type + engine_code + power_kw + year_from`
   (text folded: case, spaces and punctuation ignored) when it is unique on
   both sides (`same_id` if the id did not change, else `natural_key`);
3. the same id whose key changed (a corrected attribute) when no other old
   vehicle claimed that id in step 2 (`same_id`);
4. otherwise the old vehicle is `retired` (or `ambiguous` when its key is
   shared by several vehicles).

`year_to` is not in the key: a release fills it in when production ends.

Every old id that now means another id is kept in `vehicle_aliases`, chained
across versions, so a stored id (a client's car, a saved search) resolves to
the current vehicle. An `update` version (web-service replies) is merged into
the previous one and the previous links move to the new ids.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from crosses.articles import article_expr
from crosses.catalogue import Catalogue, empty_table

KEY_COLUMNS = ("make", "model", "type", "engine_code", "power_kw", "year_from")
EXAMPLES = 5


def vehicle_key() -> pl.Expr:
    """The natural key of a vehicle as one folded string."""
    parts = [article_expr(pl.col(c).cast(pl.String).fill_null("")) for c in KEY_COLUMNS]
    return pl.concat_str(parts, separator="|").alias("vehicle_key")


@dataclass
class RekeyReport:
    """How the vehicles of a new version were matched to the previous one."""

    previous_version: str | None = None
    vehicles_same_id: int = 0
    vehicles_by_id_map: int = 0
    vehicles_by_natural_key: int = 0
    vehicles_retired: int = 0
    vehicles_kept: int = 0
    vehicles_ambiguous: int = 0
    links_rekeyed: int = 0
    links_dropped: int = 0
    aliases: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return asdict(self)


_ALIAS_SCHEMA = pl.Schema(
    {
        "alias_id": pl.Int64,
        "vehicle_id": pl.Int64,
        "method": pl.String,
        "since_version": pl.String,
    }
)
_MATCH_SCHEMA = pl.Schema(
    {
        "old_vehicle_id": pl.Int64,
        "vehicle_id": pl.Int64,
        "method": pl.String,
    }
)


def match_vehicles(
    previous: pl.DataFrame, new: pl.DataFrame, id_map: pl.DataFrame
) -> pl.DataFrame:
    """Every previous vehicle with its id in the new version, and how it was found.

    Columns `old_vehicle_id`, `vehicle_id` (null when not found) and `method`:
    `id_map`, `same_id`, `natural_key`, `retired` or `ambiguous` (an update
    relabels the vehicles it leaves alone `kept`).
    """
    prev = previous.select(pl.col("vehicle_id").alias("old_vehicle_id"), vehicle_key())
    cur = new.select("vehicle_id", vehicle_key())
    by_map = (
        id_map.select("old_vehicle_id", pl.col("new_vehicle_id").alias("vehicle_id"))
        .join(prev.select("old_vehicle_id"), on="old_vehicle_id", how="semi")
        .unique("old_vehicle_id", keep="first")
        .with_columns(method=pl.lit("id_map"))
    )
    rest = prev.join(by_map, on="old_vehicle_id", how="anti")
    unique_prev = rest.filter(pl.len().over("vehicle_key") == 1)
    unique_cur = cur.filter(pl.len().over("vehicle_key") == 1)
    by_key = unique_prev.join(unique_cur, on="vehicle_key", how="inner").select(
        "old_vehicle_id",
        "vehicle_id",
        method=pl.when(pl.col("old_vehicle_id") == pl.col("vehicle_id"))
        .then(pl.lit("same_id"))
        .otherwise(pl.lit("natural_key")),
    )
    claimed = pl.concat([by_map["vehicle_id"], by_key["vehicle_id"]])
    rest = rest.join(by_key, on="old_vehicle_id", how="anti")
    same_id = (
        rest.join(
            cur.select("vehicle_id"), left_on="old_vehicle_id", right_on="vehicle_id"
        )
        .filter(~pl.col("old_vehicle_id").is_in(claimed.implode()))
        .select("old_vehicle_id", vehicle_id="old_vehicle_id", method=pl.lit("same_id"))
    )
    rest = rest.join(same_id, on="old_vehicle_id", how="anti")
    shared = pl.len().over("vehicle_key") > 1
    lost = rest.with_columns(
        vehicle_id=pl.lit(None, pl.Int64),
        method=pl.when(shared | pl.col("vehicle_key").is_in(
            cur.filter(pl.len().over("vehicle_key") > 1)["vehicle_key"].implode()
        )).then(pl.lit("ambiguous")).otherwise(pl.lit("retired")),
    ).select(list(_MATCH_SCHEMA))  # fmt: skip
    found = [by_map, by_key, same_id, lost]
    return pl.concat([f.select(list(_MATCH_SCHEMA)).cast(_MATCH_SCHEMA) for f in found])


def next_version(
    previous: Catalogue | None, loaded: Catalogue
) -> tuple[Catalogue, RekeyReport]:
    """The catalogue to publish after `previous`, with vehicles matched and re-keyed."""
    report = RekeyReport(previous_version=previous.version if previous else None)
    if previous is None:
        matches = pl.DataFrame(schema=_MATCH_SCHEMA)
        prior = empty_table("vehicle_aliases")
    else:
        matches = match_vehicles(
            previous.vehicles, loaded.vehicles, loaded.vehicle_id_map
        )
        prior = previous.vehicle_aliases
    merged = loaded
    if loaded.mode == "update" and previous is not None:
        merged = _merge(previous, loaded, matches, report)
        kept = pl.col("vehicle_id").is_null() & pl.col("old_vehicle_id").is_in(
            merged.vehicles["vehicle_id"].implode()
        )
        matches = matches.with_columns(
            vehicle_id=pl.when(kept).then("old_vehicle_id").otherwise("vehicle_id"),
            method=pl.when(kept).then(pl.lit("kept")).otherwise("method"),
        )
    aliases = _alias_frame(prior, matches, loaded, merged)
    links, rekeyed, dropped = _resolve_links(merged.links, merged.vehicles, aliases)
    report.links_rekeyed += rekeyed
    report.links_dropped += dropped
    _count(report, matches, aliases)
    return merged.with_tables(links=links, vehicle_aliases=aliases), report


def _count(report: RekeyReport, matches: pl.DataFrame, aliases: pl.DataFrame) -> None:
    counts = dict(matches.group_by("method").len().iter_rows())
    report.vehicles_same_id = counts.get("same_id", 0)
    report.vehicles_by_id_map = counts.get("id_map", 0)
    report.vehicles_by_natural_key = counts.get("natural_key", 0)
    report.vehicles_retired = counts.get("retired", 0)
    report.vehicles_ambiguous = counts.get("ambiguous", 0)
    report.vehicles_kept = counts.get("kept", 0)
    report.aliases = aliases.filter(pl.col("vehicle_id").is_not_null()).height
    moved = matches.filter(
        pl.col("vehicle_id").is_not_null()
        & (pl.col("vehicle_id") != pl.col("old_vehicle_id"))
    )
    report.examples = moved.head(EXAMPLES).to_dicts()


def _merge(
    previous: Catalogue, loaded: Catalogue, matches: pl.DataFrame, report: RekeyReport
) -> Catalogue:
    """An update: the loaded rows win, previous rows stay, previous links re-keyed."""
    new_ids = loaded.vehicles.select("vehicle_id")
    unmatched = matches.filter(pl.col("method").is_in(["retired", "ambiguous"]))
    kept_old = previous.vehicles.join(
        unmatched.select(vehicle_id="old_vehicle_id"), on="vehicle_id", how="semi"
    ).join(new_ids, on="vehicle_id", how="anti")
    vehicles = pl.concat([loaded.vehicles, kept_old])
    moves = pl.concat(
        [
            matches.filter(pl.col("vehicle_id").is_not_null()).select(
                "old_vehicle_id", "vehicle_id"
            ),
            kept_old.select(old_vehicle_id="vehicle_id", vehicle_id="vehicle_id"),
        ]
    )
    old_links = _replace_rows(previous.links, loaded.links)
    moved = old_links.rename({"vehicle_id": "old_vehicle_id"}).join(
        moves, on="old_vehicle_id", how="left"
    )
    report.links_dropped += moved.filter(pl.col("vehicle_id").is_null()).height
    report.links_rekeyed += moved.filter(
        pl.col("vehicle_id").is_not_null()
        & (pl.col("vehicle_id") != pl.col("old_vehicle_id"))
    ).height
    carried = moved.filter(pl.col("vehicle_id").is_not_null()).drop("old_vehicle_id")
    key = ["brand", "article"]
    return loaded.with_tables(
        brands=_upsert(previous.brands, loaded.brands, ["brand"]),
        articles=_upsert(previous.articles, loaded.articles, key),
        article_criteria=pl.concat(
            [
                _replace_rows(previous.article_criteria, loaded.article_criteria),
                loaded.article_criteria,
            ]
        ),
        oe_numbers=pl.concat(
            [_replace_rows(previous.oe_numbers, loaded.oe_numbers), loaded.oe_numbers]
        ),
        vehicles=vehicles,
        links=pl.concat([carried.select(loaded.links.columns), loaded.links]).unique(
            ["brand", "article", "vehicle_id"], keep="last", maintain_order=True
        ),
    )


def _upsert(old: pl.DataFrame, new: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    return pl.concat([old.join(new, on=key, how="anti"), new])


def _replace_rows(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Old rows of the articles the update does not bring rows for."""
    return old.join(
        new.select("brand", "article").unique(), on=["brand", "article"], how="anti"
    )


def _alias_frame(
    prior: pl.DataFrame, matches: pl.DataFrame, loaded: Catalogue, merged: Catalogue
) -> pl.DataFrame:
    """Old id → current id, chained through earlier versions; current ids win."""
    changed = pl.col("vehicle_id") != pl.col("old_vehicle_id")
    moved = matches.filter(pl.col("vehicle_id").is_null() | changed).select(
        alias_id="old_vehicle_id", vehicle_id="vehicle_id", method="method",
        since_version=pl.lit(loaded.version),
    )  # fmt: skip
    step = matches.select("old_vehicle_id", new_id="vehicle_id")
    chained = prior.join(
        step, left_on="vehicle_id", right_on="old_vehicle_id", how="left"
    ).with_columns(
        vehicle_id=pl.when(pl.col("vehicle_id").is_in(step["old_vehicle_id"].implode()))
        .then(pl.col("new_id"))
        .otherwise(pl.col("vehicle_id")),
        method=pl.when(
            pl.col("vehicle_id").is_in(step["old_vehicle_id"].implode())
            & pl.col("new_id").is_null()
        )
        .then(pl.lit("retired"))
        .otherwise(pl.col("method")),
    )
    mapped = loaded.vehicle_id_map.select(
        alias_id="old_vehicle_id", vehicle_id="new_vehicle_id",
        method=pl.lit("id_map"), since_version=pl.lit(loaded.version),
    )  # fmt: skip
    aliases = pl.concat(
        [
            f.select(list(_ALIAS_SCHEMA)).cast(_ALIAS_SCHEMA)
            for f in (moved, mapped, chained)
        ]
    )
    current = merged.vehicles.select("vehicle_id")
    return (
        aliases.join(current, left_on="alias_id", right_on="vehicle_id", how="anti")
        .unique("alias_id", keep="first", maintain_order=True)
        .with_columns(data_version=pl.lit(loaded.version))
        .sort("alias_id")
    )


def _resolve_links(
    links: pl.DataFrame, vehicles: pl.DataFrame, aliases: pl.DataFrame
) -> tuple[pl.DataFrame, int, int]:
    """Links to an old id move to its current id; links to no vehicle are dropped."""
    known = vehicles.select("vehicle_id")
    direct = links.join(known, on="vehicle_id", how="semi")
    rest = links.join(known, on="vehicle_id", how="anti")
    moved = (
        rest.join(
            aliases.filter(pl.col("vehicle_id").is_not_null()).select(
                "alias_id", new_id="vehicle_id"
            ),
            left_on="vehicle_id",
            right_on="alias_id",
            how="inner",
        )
        .with_columns(vehicle_id="new_id")
        .drop("new_id")
    )
    dropped = rest.height - moved.height
    out = pl.concat([direct, moved.select(links.columns)]).unique(
        ["brand", "article", "vehicle_id"], maintain_order=True
    )
    return out, moved.height, dropped


def resolve_vehicle_id(catalogue: Catalogue, vehicle_id: int) -> tuple[int | None, str]:
    """The current id for a possibly old id, and how: `current`, a method, `unknown`."""
    if not catalogue.vehicles.filter(pl.col("vehicle_id") == vehicle_id).is_empty():
        return vehicle_id, "current"
    found = catalogue.vehicle_aliases.filter(pl.col("alias_id") == vehicle_id)
    if found.is_empty():
        return None, "unknown"
    row = found.row(0, named=True)
    return row["vehicle_id"], row["method"]
