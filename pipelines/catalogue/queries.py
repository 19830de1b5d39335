"""Catalogue answers as plain data: VIN decodes, parts of a vehicle, plate lookups.

What `parts vin`, `parts vehicle parts` and `parts plate` print; the live
catalogue comes from the lake, offers from the live price lists.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from crosses.catalogue import Catalogue
from crosses.fitment import parts_for_vehicle
from crosses.fitment import vin_answer as vin_report
from crosses.plates import PlateClient, normalize_plate
from crosses.vin import decode_many, decode_vin
from parts.settings import Settings
from search import catalogue_lake, lake


def live_catalogue(settings: Settings) -> Catalogue | None:
    """The published catalogue, or None before the first load."""
    return catalogue_lake.read_current(settings.lake_dir)


def vin_reports(vins: list[str], settings: Settings) -> list[dict[str, Any]]:
    """Every VIN decoded and matched against the live catalogue."""
    catalogue = live_catalogue(settings)
    return [vin_report(d, catalogue) for d in decode_many(vins)]


def vehicle_parts_report(
    vehicle_id: int, generic_article: str, settings: Settings, *, limit: int = 500
) -> dict[str, Any]:
    """The linked articles of a vehicle, each with its live offers count and price."""
    catalogue = live_catalogue(settings)
    if catalogue is None:
        raise LookupError("no catalogue loaded yet: run `parts catalogue load PATH`")
    found = parts_for_vehicle(catalogue, vehicle_id, generic_article, limit=limit)
    offers = _offer_summary(settings, found.parts)
    parts = [
        {
            **p,
            **offers.get(
                (p["brand"], p["article"]), {"offers": 0, "min_price_rub": None}
            ),
        }
        for p in found.parts
    ]
    return {
        "vehicle": found.vehicle,
        "generic_articles": found.generic_articles,
        "parts": parts,
        "truncated": found.truncated,
        "catalogue_version": catalogue.version,
    }


def _offer_summary(
    settings: Settings, parts: list[dict[str, Any]]
) -> dict[tuple[str, str], dict[str, Any]]:
    if not parts:
        return {}
    wanted = pl.DataFrame(
        {"brand": [p["brand"] for p in parts], "article": [p["article"] for p in parts]}
    ).lazy()
    summary = (
        lake.scan_offers(settings.lake_dir)
        .join(wanted, on=["brand", "article"], how="semi")
        .group_by("brand", "article")
        .agg(
            offers=pl.len(),
            min_price_rub=pl.col("price").filter(pl.col("currency") == "RUB").min(),
        )
        .collect()
    )
    return {
        (r["brand"], r["article"]): {
            "offers": r["offers"],
            "min_price_rub": (
                f"{r['min_price_rub']:.2f}" if r["min_price_rub"] is not None else None
            ),
        }
        for r in summary.iter_rows(named=True)
    }


def plate_report(plate: str, settings: Settings) -> dict[str, Any]:
    """The registry's answer for a plate, its VIN decoded and matched."""
    plate = normalize_plate(plate)  # a bad plate is refused even with no service
    with PlateClient(
        settings.plates_url,
        settings.plates_token.get_secret_value(),
        timeout_s=settings.plates_timeout_s,
        retries=settings.plates_retries,
    ) as client:
        found = client.lookup(plate)
    report = found.to_dict()
    if found.vin:
        report["vin_decode"] = vin_report(
            decode_vin(found.vin), live_catalogue(settings)
        )
    return report
