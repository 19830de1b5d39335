"""Vehicle makers: brands whose part numbers are OE (original) numbers.

`data/vehicle_makers.csv` lists the car and truck makers, and the OE parts
brands that number parts as a maker does (`HYUNDAI MOBIS` for HYUNDAI and
KIA), one canonical brand a line with its numbering: the maker whose OE
numbers the brand's are. Brands of one numbering share numbers (a HYUNDAI
number is the same part as that KIA or HYUNDAI MOBIS number); every other
maker's numbers are its own, so the cross graph never joins two numberings
through an aftermarket part (VOLVO 20998367 and SCANIA 20998367 stay two
parts).

A part of a vehicle maker is an OE number whatever edge reached it, and an
`analog` edge between an aftermarket part and a vehicle maker's number is an
`oe` edge (aftermarket → OE).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from crosses.brands import BrandTable, default_table

MAKERS_PATH = Path(__file__).parent / "data" / "vehicle_makers.csv"


def read_makers(path: Path = MAKERS_PATH) -> dict[str, str]:
    """Brand → numbering, as written in the file (`brand;numbering`, one header)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        brand, _, numbering = line.partition(";")
        out[brand.strip()] = numbering.strip() or brand.strip()
    return out


_CACHE: dict[int, tuple[BrandTable, dict[str, str]]] = {}


def vehicle_makers(table: BrandTable | None = None) -> dict[str, str]:
    """Canonical brand (through `table`) → numbering, for every vehicle maker."""
    table = table or default_table()
    cached = _CACHE.get(id(table))
    if cached is None or cached[0] is not table:
        makers = {
            table.canonical(brand): table.canonical(numbering)
            for brand, numbering in read_makers().items()
        }
        cached = (table, makers)
        _CACHE[id(table)] = cached
    return cached[1]


def is_vehicle_maker(brand: str, table: BrandTable | None = None) -> bool:
    """True when a canonical brand is a vehicle maker (or an OE parts brand)."""
    return brand in vehicle_makers(table)


def is_maker_expr(brand: str | pl.Expr, table: BrandTable | None = None) -> pl.Expr:
    """`is_vehicle_maker` of a column of canonical brands."""
    expr = pl.col(brand) if isinstance(brand, str) else brand
    return expr.is_in(list(vehicle_makers(table)))
