"""The demo catalogue: the demo parts linked to 56 vehicles sold in Russia.

Written in the import format (`docs/catalogue-format.md`) over the same parts
the demo price lists offer (`pipelines/demo_data.py`, same seed): every filter,
brake pad, brake disc and spark plug is linked to the vehicles its `fits` label
names, and the headline parts (in every price list) to a few popular cars, so
a VIN of a demo vehicle finds parts that are on sale. `DEMO_VINS` are such VINs.

Deterministic for a seed, down to the bytes.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipelines.demo_crosses import HEADLINE_OE
from pipelines.demo_data import LADA_CARS, Part, build_catalogue

VERSION = "demo-2026.01"
DATE = "2026-01-15"
FOLDER = "demo_catalogue"

# (generic article id, name) as a Russian TecDoc-style catalogue names them.
OIL_FILTER = (7, "Масляный фильтр")
AIR_FILTER = (8, "Воздушный фильтр")
FUEL_FILTER = (9, "Топливный фильтр")
CABIN_FILTER = (424, "Фильтр, воздух во внутреннем пространстве")
BRAKE_PADS = (402, "Комплект тормозных колодок, дисковый тормоз")
BRAKE_DISC = (82, "Тормозной диск")
SPARK_PLUG = (686, "Свеча зажигания")

# Part name prefix (as the demo price lists spell it) → generic article.
GENERIC_BY_NAME: tuple[tuple[str, tuple[int, str]], ...] = (
    ("Фильтр масляный", OIL_FILTER),
    ("Фильтр воздушный", AIR_FILTER),
    ("Фильтр топливный", FUEL_FILTER),
    ("Фильтр салона", CABIN_FILTER),
    ("Колодки тормозные", BRAKE_PADS),
    ("Диск тормозной", BRAKE_DISC),
    ("Свеча зажигания", SPARK_PLUG),
)

# id, make, model, type, engine code, kW, hp, from, to, fuel, body, demo label
Vehicle = tuple[int, str, str, str, str, int, int, str, str, str, str, str]
VEHICLES: tuple[Vehicle, ...] = (
    (18301, "LADA", "2114 Samara (2114)", "1.6", "11183", 59, 80, "2007-03", "2013-12", "Бензин", "Хэтчбек", "ВАЗ 2108-2115"),
    (18302, "LADA", "2115 Samara (2115)", "1.5", "2111", 57, 78, "1997-01", "2012-12", "Бензин", "Седан", "ВАЗ 2108-2115"),
    (18303, "LADA", "Granta (2190)", "1.6", "11186", 64, 87, "2011-11", "", "Бензин", "Седан", "Lada Granta"),
    (18304, "LADA", "Granta (2190)", "1.6 16V", "21127", 78, 106, "2015-06", "", "Бензин", "Седан", "Lada Granta"),
    (18305, "LADA", "Kalina (1118)", "1.6", "11183", 59, 80, "2004-11", "2013-05", "Бензин", "Седан", "Lada Kalina"),
    (18306, "LADA", "Kalina II (2192)", "1.6", "11186", 64, 87, "2013-05", "2018-07", "Бензин", "Хэтчбек", "Lada Kalina"),
    (18307, "LADA", "Priora (2170)", "1.6 16V", "21126", 72, 98, "2007-03", "2018-07", "Бензин", "Седан", "Lada Priora"),
    (18308, "LADA", "Vesta (GFL)", "1.6 16V", "21129", 78, 106, "2015-09", "", "Бензин", "Седан", "Lada Vesta"),
    (18309, "LADA", "Vesta (GFL)", "1.8 16V", "21179", 90, 122, "2015-09", "2022-03", "Бензин", "Седан", "Lada Vesta"),
    (18310, "LADA", "Largus (R90)", "1.6", "K7M", 62, 84, "2012-07", "", "Бензин", "Универсал", "Lada Largus"),
    (18311, "LADA", "Largus (R90)", "1.6 16V", "K4M", 75, 102, "2012-07", "2021-03", "Бензин", "Универсал", "Lada Largus"),
    (18312, "LADA", "Niva 4x4 (2121)", "1.7", "21214", 61, 83, "1994-01", "", "Бензин", "Внедорожник", "Нива 4x4"),
    (18313, "VOLKSWAGEN", "Golf V (1K1)", "1.6", "BSE", 75, 102, "2003-10", "2008-11", "Бензин", "Хэтчбек", "VW Golf V/VI"),
    (18314, "VOLKSWAGEN", "Golf VI (5K1)", "1.4 TSI", "CAXA", 90, 122, "2008-10", "2012-11", "Бензин", "Хэтчбек", "VW Golf V/VI"),
    (18315, "VOLKSWAGEN", "Passat B6 (3C2)", "1.8 TSI", "BZB", 118, 160, "2005-03", "2010-11", "Бензин", "Седан", "VW Passat B6"),
    (18316, "VOLKSWAGEN", "Polo Sedan (612)", "1.6", "CFNA", 77, 105, "2010-06", "2015-05", "Бензин", "Седан", "VW Polo Sedan"),
    (18317, "VOLKSWAGEN", "Polo Sedan (612)", "1.6", "CWVA", 81, 110, "2015-05", "2020-06", "Бензин", "Седан", "VW Polo Sedan"),
    (18318, "SKODA", "Octavia A5 (1Z3)", "1.6", "BSE", 75, 102, "2004-02", "2013-04", "Бензин", "Лифтбек", "Skoda Octavia A5"),
    (18319, "SKODA", "Octavia A5 (1Z3)", "1.8 TSI", "CDAB", 112, 152, "2008-11", "2013-04", "Бензин", "Лифтбек", "Skoda Octavia A5"),
    (18320, "SKODA", "Rapid (NH3)", "1.6", "CWVA", 81, 110, "2014-10", "2020-03", "Бензин", "Лифтбек", "Skoda Rapid"),
    (18321, "AUDI", "A4 B8 (8K2)", "1.8 TFSI", "CDHB", 118, 160, "2008-06", "2015-05", "Бензин", "Седан", "Audi A4 B8"),
    (18322, "FORD", "Focus II (DA_)", "1.6", "HWDA", 74, 100, "2004-07", "2011-07", "Бензин", "Хэтчбек", "Ford Focus II"),
    (18323, "FORD", "Focus III", "1.6 Ti-VCT", "PNDA", 92, 125, "2011-04", "2018-05", "Бензин", "Седан", "Ford Focus III"),
    (18324, "RENAULT", "Logan I (LS_)", "1.4", "K7J", 55, 75, "2004-09", "2012-12", "Бензин", "Седан", "Renault Logan"),
    (18325, "RENAULT", "Logan I (LS_)", "1.6", "K7M", 64, 87, "2004-09", "2012-12", "Бензин", "Седан", "Renault Logan"),
    (18326, "RENAULT", "Logan II (L8_)", "1.6 16V", "K4M", 75, 102, "2014-04", "2022-03", "Бензин", "Седан", "Renault Logan"),
    (18327, "RENAULT", "Duster (HS_)", "1.6 16V", "K4M", 75, 102, "2010-04", "2018-01", "Бензин", "Внедорожник", "Renault Duster"),
    (18328, "RENAULT", "Duster (HS_)", "2.0", "F4R", 99, 135, "2011-06", "2018-01", "Бензин", "Внедорожник", "Renault Duster"),
    (18329, "OPEL", "Astra H (A04)", "1.6", "Z16XER", 85, 115, "2006-01", "2010-10", "Бензин", "Хэтчбек", "Opel Astra H"),
    (18330, "BMW", "3 (E90)", "320i", "N46B20", 110, 150, "2005-01", "2007-09", "Бензин", "Седан", "BMW 3 E90"),
    (18331, "MERCEDES-BENZ", "E-Class (W211)", "E 200 Kompressor", "M271.941", 120, 163, "2002-03", "2009-03", "Бензин", "Седан", "Mercedes W211"),
    (18332, "MERCEDES-BENZ", "C-Class (W204)", "C 180", "M271.910", 115, 156, "2007-03", "2014-01", "Бензин", "Седан", "Mercedes W204"),
    (18333, "MERCEDES-BENZ", "E-Class (W212)", "E 200", "M274.920", 135, 184, "2013-01", "2016-12", "Бензин", "Седан", "Mercedes W212"),
    (18334, "MERCEDES-BENZ", "Sprinter 906", "313 CDI", "OM651.955", 95, 129, "2009-05", "2018-12", "Дизель", "Фургон", "Sprinter 906"),
    (18335, "PEUGEOT", "308 (4A_)", "1.6 VTi", "EP6C", 88, 120, "2007-09", "2014-10", "Бензин", "Хэтчбек", "Peugeot 308"),
    (18336, "CITROEN", "C4 (LC_)", "1.6 16V", "TU5JP4", 80, 109, "2004-11", "2011-07", "Бензин", "Хэтчбек", "Citroen C4"),
    (18337, "HYUNDAI", "Solaris (RB)", "1.4", "G4FA", 79, 107, "2010-12", "2017-02", "Бензин", "Седан", "Hyundai Solaris"),
    (18338, "HYUNDAI", "Solaris (RB)", "1.6", "G4FC", 90, 123, "2010-12", "2017-02", "Бензин", "Седан", "Hyundai Solaris"),
    (18339, "HYUNDAI", "Solaris II (HCR)", "1.6", "G4FG", 90, 123, "2017-02", "2023-12", "Бензин", "Седан", "Hyundai Solaris"),
    (18340, "HYUNDAI", "Creta (GS)", "1.6", "G4FG", 90, 123, "2016-08", "2021-08", "Бензин", "Внедорожник", "Hyundai Creta"),
    (18341, "HYUNDAI", "Tucson (TL)", "2.0", "G4NA", 110, 150, "2015-06", "2020-12", "Бензин", "Внедорожник", "Hyundai Tucson"),
    (18342, "KIA", "Rio III (QB)", "1.4", "G4FA", 79, 107, "2011-08", "2017-07", "Бензин", "Седан", "Kia Rio III"),
    (18343, "KIA", "Rio III (QB)", "1.6", "G4FC", 90, 123, "2011-08", "2017-07", "Бензин", "Седан", "Kia Rio III"),
    (18344, "KIA", "Sportage III (SL)", "2.0", "G4KD", 110, 150, "2010-07", "2016-03", "Бензин", "Внедорожник", "Kia Sportage"),
    (18345, "TOYOTA", "Camry (V40)", "2.4", "2AZ-FE", 123, 167, "2006-01", "2011-09", "Бензин", "Седан", "Toyota Camry V40"),
    (18346, "TOYOTA", "Camry (V40)", "3.5", "2GR-FE", 204, 277, "2006-01", "2011-09", "Бензин", "Седан", "Toyota Camry V40"),
    (18347, "TOYOTA", "Corolla (E150)", "1.6", "1ZR-FE", 91, 124, "2006-11", "2013-06", "Бензин", "Седан", "Toyota Corolla E150"),
    (18348, "TOYOTA", "RAV4 III (A3)", "2.0", "3ZR-FAE", 116, 158, "2008-11", "2013-02", "Бензин", "Внедорожник", "Toyota RAV4"),
    (18349, "TOYOTA", "Land Cruiser 200", "4.5 D-4D", "1VD-FTV", 173, 235, "2007-09", "2015-08", "Дизель", "Внедорожник", "Toyota Land Cruiser 200"),
    (18350, "NISSAN", "Qashqai (J10)", "2.0", "MR20DE", 104, 141, "2007-02", "2013-12", "Бензин", "Внедорожник", "Nissan Qashqai J10"),
    (18351, "NISSAN", "Almera (G15)", "1.6", "K4M", 75, 102, "2012-12", "2018-12", "Бензин", "Седан", "Nissan Almera"),
    (18352, "NISSAN", "X-Trail (T31)", "2.0", "MR20DE", 104, 141, "2007-06", "2014-12", "Бензин", "Внедорожник", "Nissan X-Trail T31"),
    (18353, "MITSUBISHI", "Lancer X (CY_A)", "1.6", "4A92", 86, 117, "2011-01", "2017-12", "Бензин", "Седан", "Mitsubishi Lancer X"),
    (18354, "MAZDA", "3 (BK)", "1.6", "Z6", 77, 105, "2003-10", "2009-06", "Бензин", "Хэтчбек", "Mazda 3 BK"),
    (18355, "HONDA", "Civic VIII (FD)", "1.8", "R18A2", 103, 140, "2005-09", "2012-12", "Бензин", "Седан", "Honda Civic"),
    (18356, "VOLKSWAGEN", "Tiguan (5N_)", "1.4 TSI", "CAVA", 110, 150, "2007-09", "2016-07", "Бензин", "Внедорожник", "VW Tiguan"),
)  # fmt: skip

# Headline parts (sold by every demo supplier) and the cars they are linked to.
HEADLINE_FITS: dict[tuple[str, str], tuple[str, ...]] = {
    ("BOSCH", "0 986 452 041"): ("Ford Focus II", "Ford Focus III", "Mazda 3 BK"),
    ("MANN-FILTER", "W 712/75"): (
        "VW Golf V/VI", "VW Polo Sedan", "Skoda Octavia A5", "Skoda Rapid",
    ),
    ("MAHLE", "OC 90"): ("VW Golf V/VI", "VW Polo Sedan", "Skoda Octavia A5"),
    ("MERCEDES-BENZ", "A 000 420 12 20"): ("Mercedes W211", "Mercedes W204"),
    ("VOLKSWAGEN", "1K0 615 301 AA"): ("VW Golf V/VI", "Skoda Octavia A5", "VW Tiguan"),
    ("TOYOTA", "04465-33471"): ("Toyota Camry V40",),
    ("NGK", "BKR6E-11"): (
        *LADA_CARS, "Renault Logan", "Renault Duster", "Nissan Almera",
    ),
}  # fmt: skip

DEMO_VINS: tuple[tuple[str, str, int], ...] = (
    ("XTAGFL110KY100017", "Lada Vesta", 2019),
    ("XTA219010D0123456", "Lada Granta", 2013),
    ("XTAKS0Y5LE1234567", "Lada Largus", 2014),
    ("Z94CB41AADR123456", "Kia Rio III", 2013),
    ("Z94CT41DBFR654321", "Hyundai Solaris", 2015),
    ("XW8ZZZ61ZEG012345", "VW Polo Sedan", 2014),
    ("XW8DA11Z3BK123456", "Skoda Octavia A5", 2011),
    ("XW7BF4FK2AS012345", "Toyota Camry V40", 2010),
    ("X7LLSRB1H8H123456", "Renault Logan", 2008),
    ("X9FMXXEEBDDB12345", "Ford Focus III", 2013),
)
"""VINs of demo vehicles: (VIN, demo label, model year it decodes to)."""

VEHICLE_COLUMNS = [
    "vehicle_id", "make", "model", "type", "engine_code", "power_kw", "power_hp",
    "year_from", "year_to", "fuel", "body",
]  # fmt: skip
_GAP = re.compile(r"-11$|11$")


def generic_of(part: Part) -> tuple[int, str] | None:
    """The generic article of a demo part, or None for kinds not linked."""
    for prefix, generic in GENERIC_BY_NAME:
        if part.name.startswith(prefix):
            return generic
    return None


def generate_demo_catalogue(out_dir: Path, *, seed: int = 7) -> Path:
    """Write the demo catalogue folder under `out_dir` and return its path."""
    parts = [p for p in build_catalogue(random.Random(seed)) if generic_of(p)]
    labels: dict[str, list[int]] = {}
    for vehicle in VEHICLES:
        labels.setdefault(vehicle[-1], []).append(vehicle[0])
    links: list[tuple[str, str, int]] = []
    for part in parts:
        fits = HEADLINE_FITS.get((part.brand, part.article)) or (part.fits,)
        for label in fits:
            links.extend(
                (part.brand, part.article, vid) for vid in labels.get(label, ())
            )
    linked = {(brand, article) for brand, article, _ in links}
    articles = [p for p in parts if (p.brand, p.article) in linked]

    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "brands.csv": _rows(["brand"], sorted({(p.brand,) for p in articles})),
        "articles.csv": _rows(
            [
                "brand",
                "article",
                "generic_article_id",
                "generic_article",
                "description",
            ],
            [(p.brand, p.article, *_generic(p), p.name) for p in articles],
        ),
        "article_criteria.csv": _rows(
            ["brand", "article", "criterion_id", "criterion", "value", "unit"],
            [
                (p.brand, p.article, 1162, "Зазор между электродами", "1,1", "мм")
                for p in articles
                if generic_of(p) == SPARK_PLUG and _GAP.search(p.article)
            ],
        ),
        # FILTRON OP 526 is left out on purpose: its supplier analog of
        # MANN-FILTER W 712/75 then shows as unconfirmed by the catalogue
        "oe_numbers.csv": _rows(
            ["brand", "article", "oe_brand", "oe_number"],
            [row for row in HEADLINE_OE if row[0] != "FILTRON"],
        ),
        "vehicles.csv": _rows(VEHICLE_COLUMNS, [v[:-1] for v in VEHICLES]),
        "links.csv": _rows(["brand", "article", "vehicle_id"], sorted(set(links))),
    }
    manifest = {"format": "parts-catalogue/1", "version": VERSION, "date": DATE,
                "source": f"demo (seed {seed})"}  # fmt: skip
    _write(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    for name, text in tables.items():
        _write(folder / name, text)
    return folder


def _generic(part: Part) -> tuple[int, str]:
    generic = generic_of(part)
    assert generic is not None
    return generic


def _rows(header: list[str], rows: Iterable[Sequence[object]]) -> str:
    """A `;` CSV in UTF-8 with the data version as its last column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow([*header, "data_version"])
    for row in rows:
        writer.writerow([*row, VERSION])
    return buffer.getvalue()


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    tmp.replace(path)
