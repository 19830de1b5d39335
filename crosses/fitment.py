"""Which catalogue vehicles a VIN may be, and which parts fit a vehicle.

Plain queries over a `Catalogue`; each has a row cap and says when it cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from crosses.brands import default_table
from crosses.catalogue import Catalogue
from crosses.catalogue_versions import resolve_vehicle_id
from crosses.vin import VinDecode

MAX_VEHICLES = 50
MAX_PARTS = 500
KEY = ["brand", "article"]
_WORD = re.compile(r"\w+")


class FitmentError(LookupError):
    """A vehicle or a generic article the catalogue does not know."""


class UnknownVehicle(FitmentError):
    """No vehicle with this id, now or under an older id."""


class UnknownGenericArticle(FitmentError):
    """No generic article matches the query."""


@dataclass(frozen=True)
class Capped:
    """Rows of a query and whether the row cap cut them."""

    rows: list[dict[str, Any]]
    truncated: bool


@dataclass(frozen=True)
class VinVehicles(Capped):
    """Vehicles a VIN may be; `model_matched` says whether a model name given
    narrowed them (None: none given; False: it matched none, all are kept)."""

    model_matched: bool | None = None


def vehicles_for_vin(
    catalogue: Catalogue,
    decoded: VinDecode,
    *,
    model: str | None = None,
    limit: int = MAX_VEHICLES,
) -> VinVehicles:
    """Catalogue vehicles of the VIN's make(s) built in its model year; of the
    `model` (the car's model as a client card names it, `Vesta`) when one is
    given and matches any of them.

    The VIN alone says make and year, not the model: a known model keeps a
    Vesta's search off Largus pads.
    """
    table = default_table()
    makes = sorted({table.canonical(m) for m in decoded.makes})
    if not makes:
        return VinVehicles([], False)
    found = catalogue.vehicles.filter(pl.col("make").is_in(makes))
    if decoded.model_year is not None:
        year = decoded.model_year
        found = found.filter(
            (pl.col("year_from") <= year) & (pl.col("year_to").fill_null(9999) >= year)
        )
    matched = None
    if model and _WORD.search(model):
        of_model = found.filter(_model_matches(model))
        matched = of_model.height > 0
        found = of_model if matched else found
    found = found.sort("make", "model", "type", "vehicle_id")
    capped = _cap(found.drop("data_version", "make_raw"), limit)
    return VinVehicles(capped.rows, capped.truncated, matched)


def _model_matches(model: str) -> pl.Expr:
    """Every word of `model` starts a word of the catalogue's model name."""
    condition = pl.lit(True)
    for word in _WORD.findall(model.lower()):
        pattern = rf"(?i)(^|[^\w]){re.escape(word)}"
        condition = condition & pl.col("model").str.contains(pattern)
    return condition


def _cap(frame: pl.DataFrame, limit: int) -> Capped:
    return Capped(frame.head(limit).to_dicts(), frame.height > limit)


def find_vehicle(catalogue: Catalogue, vehicle_id: int) -> dict[str, Any]:
    """The vehicle row for an id, following an old id to the current one."""
    current, how = resolve_vehicle_id(catalogue, vehicle_id)
    if current is None:
        hint = (
            f" (it was {how} in a later version)"
            if how in ("retired", "ambiguous")
            else ""
        )
        raise UnknownVehicle(
            f"vehicle `{vehicle_id}` is not in catalogue version "
            f"`{catalogue.version}`{hint}"
        )
    row = catalogue.vehicles.filter(pl.col("vehicle_id") == current).row(0, named=True)
    return {**row, "requested_id": vehicle_id, "resolved_by": how}


def generic_articles(catalogue: Catalogue, query: str) -> pl.DataFrame:
    """Generic articles matching an id (`402`) or words of the name (`колодки`)."""
    known = (
        catalogue.articles.select("generic_article_id", "generic_article")
        .unique()
        .sort("generic_article_id", "generic_article", nulls_last=True)
    )
    text = query.strip()
    if text.isdigit():
        return known.filter(pl.col("generic_article_id") == int(text))
    stems = [_stem(w) for w in _WORD.findall(text.casefold())]
    if not stems:
        return known.clear()
    name = pl.col("generic_article").str.to_lowercase()
    every = known.filter(
        pl.all_horizontal(name.str.contains(s, literal=True) for s in stems)
    )
    if every.height or len(stems) == 1:
        return every
    # a word the catalogue does not use (`колодки передние`: the catalogue
    # says `тормозные`): the names that hold the most of the words, the first
    # word (the part itself, as people say it) counting double
    hits = pl.sum_horizontal(
        name.str.contains(s, literal=True).cast(pl.Int32) * (2 if i == 0 else 1)
        for i, s in enumerate(stems)
    )
    scored = known.with_columns(hits.alias("_hits"))
    best = scored.get_column("_hits").max()
    if not isinstance(best, int) or best < 1:
        return known.clear()
    return scored.filter(pl.col("_hits") == best).drop("_hits")


def _stem(word: str) -> str:
    """A crude stem: `колодки` finds `колодок`, `pads` finds `pad`."""
    return word[: max(3, len(word) - 2)]


@dataclass(frozen=True)
class VehicleParts:
    """The linked articles of one vehicle and one generic article."""

    vehicle: dict[str, Any]
    generic_articles: list[dict[str, Any]]
    parts: list[dict[str, Any]]
    truncated: bool


def parts_for_vehicle(
    catalogue: Catalogue,
    vehicle_id: int,
    generic_article: str,
    *,
    limit: int = MAX_PARTS,
) -> VehicleParts:
    """Articles linked to a vehicle, of one generic article, with their brands."""
    vehicle = find_vehicle(catalogue, vehicle_id)
    kinds = generic_articles(catalogue, generic_article)
    if kinds.is_empty():
        raise UnknownGenericArticle(
            f"no generic article matches `{generic_article}` in catalogue version "
            f"`{catalogue.version}`; give its id or words of its name"
        )
    linked = catalogue.links.filter(pl.col("vehicle_id") == vehicle["vehicle_id"])
    parts = (
        catalogue.articles.join(linked.select("brand", "article"), on=KEY)
        .join(kinds, on=["generic_article_id", "generic_article"], nulls_equal=True)
        .select(
            "brand", "article", "article_raw", "generic_article_id", "generic_article",
            "description",
        )
        .sort("brand", "article")
    )  # fmt: skip
    capped = _cap(parts, limit)
    return VehicleParts(
        vehicle=vehicle,
        generic_articles=kinds.to_dicts(),
        parts=capped.rows,
        truncated=capped.truncated,
    )


def vin_answer(
    decoded: VinDecode, catalogue: Catalogue | None, *, limit: int = 50
) -> dict[str, Any]:
    """One VIN as `parts vin --json` prints it, with matching catalogue vehicles."""
    found = vehicles_for_vin(catalogue, decoded, limit=limit) if catalogue else None
    data = decoded.to_dict()
    head = {k: data.pop(k) for k in ("vin", "valid", "errors", "wmi", "manufacturer")}
    return {
        **head,
        "country": data.pop("country"),
        "model_year": data.pop("model_year"),
        "check_digit_ok": data.pop("check_digit_ok"),
        "vehicles": found.rows if found else [],
        "vehicles_truncated": found.truncated if found else False,
        "catalogue_version": catalogue.version if catalogue else None,
        **data,
    }
