"""The demo data set: five made-up suppliers offering one shared catalogue.

Each supplier sends its price list the way real Russian suppliers do, each in
its own format, encoding and header layout:

| supplier | file | what is hard about it |
| --- | --- | --- |
| `avtoopt-msk` | cp1251 CSV, `;` | decimal comma, NBSP thousands (`1 299,50`), stock `>10` / `есть` / `под заказ`, trailing `;`, CRLF |
| `ural-detal` | UTF-8 BOM CSV, `,` | quoted header, quoted descriptions with commas and one with a line break, warehouses |
| `forward-trade` | XLSX | title and blank row, 2-row header with `Цена` merged over `Опт \\| Розница`, leading-zero articles as text, sheets `Запчасти`, `Масла`, `Условия` |
| `sever-1c` | HTML table named `.xls` | a 1C print form: title rows, group rows under the header (its profile pins the header row) |
| `euroline-eur` | ZIP holding a headerless CSV | prices in EUR with a currency column, delivery `3-5` / `2 недели` (its profile pins the columns) |

The same identity is offered by two to five suppliers at different prices,
spelled differently (`0 986 452 041`, `0986452041`, `0.986.452.041`; `MB`,
`MERCEDES`, `Мерседес`; `LEMFÖRDER`, `FEBI`…), so a quote search shows several
offers per part. A handful of rows are bad on purpose (no price, a zero price,
a missing article): `DemoSupplier.expected_rejects` lists them.

Everything is deterministic for a seed, down to the bytes (ZIP timestamps and
XLSX document dates are fixed), so running the demo twice finds every file
`unchanged`.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

NBSP = "\u00a0"
_ZIP_TIME = (2026, 1, 15, 9, 0, 0)
_DOC_TIME = "2026-01-15T09:00:00Z"
PRICE_DATE = "15.01.2026"


@dataclass(frozen=True)
class DemoSupplier:
    """One demo supplier: who it is, the file it sends, the rows it gets wrong."""

    id: str
    name: str
    file: str
    expected_rejects: dict[str, int] = field(default_factory=dict)


SUPPLIERS: tuple[DemoSupplier, ...] = (
    DemoSupplier("avtoopt-msk", "АвтоОпт Москва", "avtoopt_price.csv",
                 {"no_price": 2, "bad_price": 1}),
    DemoSupplier("ural-detal", "Урал-Деталь", "ural_detal_stock.csv",
                 {"price_not_positive": 1}),
    DemoSupplier("forward-trade", "Форвард Трейд", "forward_price.xlsx",
                 {"no_article": 1, "bad_price": 1}),
    DemoSupplier("sever-1c", "Север Авто (выгрузка 1С)", "price.xls",
                 {"no_price": 1}),
    DemoSupplier("euroline-eur", "ЕвроЛайн (склад ЕС, EUR)", "euroline_eur.zip",
                 {"bad_price": 1}),
)  # fmt: skip

# Parts every supplier offers (brand, article as the maker prints it, name).
HEADLINE: tuple[tuple[str, str, str, int], ...] = (
    ("BOSCH", "0 986 452 041", "Фильтр масляный", 41200),
    ("MANN-FILTER", "W 712/75", "Фильтр масляный", 68900),
    ("MAHLE", "OC 90", "Фильтр масляный", 59500),
    ("MERCEDES-BENZ", "A 000 420 12 20", "Колодки тормозные передние", 1249000),
    ("VOLKSWAGEN", "1K0 615 301 AA", "Диск тормозной передний вентилируемый", 684000),
    ("LADA", "2108-1001010", "Опора двигателя передняя", 52000),
    ("LEMFORDER", "30173 01", "Рычаг подвески передний нижний", 589000),
    ("FEBI BILSTEIN", "01234", "Сайлентблок рычага передний", 97000),
    ("TOYOTA", "04465-33471", "Колодки тормозные передние", 784000),
    ("NGK", "BKR6E-11", "Свеча зажигания", 32000),
    ("KYB", "334302", "Амортизатор передний газомасляный", 689000),
    ("SKF", "VKBA 3525", "Подшипник ступицы, комплект", 412000),
)


@dataclass(frozen=True)
class Part:
    """One catalogue item: the identity as the maker prints it, a name, a price."""

    brand: str
    article: str
    name: str
    fits: str
    base_cents: int
    oil: bool = False


# Catalogue ------------------------------------------------------------------

Gen = Callable[[random.Random], str]


def _d(n: int) -> Gen:
    return lambda r: "".join(r.choice("0123456789") for _ in range(n))


def _fmt(template: str) -> Gen:
    """`{3}` is three random digits, `{L}` a random letter, `{A}` either."""

    def gen(r: random.Random) -> str:
        def sub(m: re.Match[str]) -> str:
            token = m.group(1)
            if token == "L":
                return r.choice("ABCDEFGHJKLMNPRSTVWXYZ")
            if token == "A":
                return r.choice("0123456789ABCDEFGHJKLMNPRSTVWXYZ")
            return _d(int(token))(r)

        return re.sub(r"\{(\d+|L|A)\}", sub, template)

    return gen


EURO_CARS = (
    "VW Golf V/VI", "VW Passat B6", "VW Polo Sedan", "Skoda Octavia A5",
    "Skoda Rapid", "Audi A4 B8", "Ford Focus II", "Ford Focus III",
    "Renault Logan", "Renault Duster", "Opel Astra H", "BMW 3 E90",
    "Mercedes W211", "Mercedes W204", "Peugeot 308", "Citroen C4",
)  # fmt: skip
ASIAN_CARS = (
    "Hyundai Solaris", "Kia Rio III", "Kia Sportage", "Toyota Camry V40",
    "Toyota Corolla E150", "Toyota RAV4", "Nissan Qashqai J10", "Nissan Almera",
    "Mitsubishi Lancer X", "Mazda 3 BK", "Honda Civic",
)  # fmt: skip
LADA_CARS = ("ВАЗ 2108-2115", "Lada Granta", "Lada Kalina", "Lada Priora",
             "Lada Vesta", "Lada Largus", "Нива 4x4")  # fmt: skip

# brand: (weight, cars, [(name, article generator, price range in roubles)])
FAMILIES: dict[str, tuple[int, tuple[str, ...], list[tuple[str, Gen, tuple[int, int]]]]] = {
    "BOSCH": (14, EURO_CARS + ASIAN_CARS, [
        ("Фильтр масляный", _fmt("0 451 103 {3}"), (300, 1100)),
        ("Фильтр масляный", _fmt("F 026 407 {3}"), (350, 1200)),
        ("Колодки тормозные передние", _fmt("0 986 494 {3}"), (1800, 7500)),
        ("Колодки тормозные задние", _fmt("0 986 424 {3}"), (1500, 5200)),
        ("Диск тормозной", _fmt("0 986 479 {3}"), (2200, 9800)),
        ("Свеча зажигания", _fmt("0 242 {3} {3}"), (280, 1400)),
        ("Щётка стеклоочистителя", _fmt("3 397 118 {3}"), (900, 2900)),
        ("Фильтр топливный", _fmt("0 450 906 {3}"), (700, 3100)),
        ("Датчик кислородный (лямбда-зонд)", _fmt("0 258 006 {3}"), (3500, 12500)),
    ]),
    "MANN-FILTER": (9, EURO_CARS + ASIAN_CARS, [
        ("Фильтр масляный", _fmt("W {3}/{2}"), (450, 1500)),
        ("Фильтр масляный (элемент)", _fmt("HU {3}/{1} x"), (500, 1800)),
        ("Фильтр воздушный", _fmt("C {2} {3}/{1}"), (700, 2600)),
        ("Фильтр салона угольный", _fmt("CUK {4}"), (900, 2800)),
        ("Фильтр топливный", _fmt("WK {3}/{1}"), (900, 3400)),
    ]),
    "MAHLE": (7, EURO_CARS, [
        ("Фильтр масляный", _fmt("OC {3}"), (400, 1400)),
        ("Фильтр масляный (элемент)", _fmt("OX {3}D"), (450, 1500)),
        ("Фильтр воздушный", _fmt("LX {4}"), (700, 2500)),
        ("Фильтр салона", _fmt("LA {3}"), (600, 2200)),
        ("Фильтр топливный", _fmt("KL {3}"), (800, 3300)),
    ]),
    "FEBI BILSTEIN": (10, EURO_CARS, [
        ("Сайлентблок рычага", _d(5), (500, 2500)),
        ("Опора двигателя", _d(5), (1500, 7800)),
        ("Тяга стабилизатора", _d(5), (600, 2400)),
        ("Натяжитель ремня", _d(5), (1700, 6900)),
        ("Датчик ABS", _d(5), (1300, 5200)),
        ("Термостат", _d(5), (900, 3800)),
    ]),
    "LEMFORDER": (7, EURO_CARS, [
        ("Рычаг подвески передний нижний", _fmt("{5} 0{1}"), (3500, 14500)),
        ("Шаровая опора", _fmt("{5} 0{1}"), (1400, 4800)),
        ("Наконечник рулевой тяги", _fmt("{5} 0{1}"), (1100, 3900)),
        ("Тяга рулевая", _fmt("{5} 0{1}"), (1600, 5500)),
    ]),
    "SACHS": (5, EURO_CARS + ASIAN_CARS, [
        ("Комплект сцепления", _fmt("3000 951 {3}"), (8900, 29000)),
        ("Амортизатор передний газовый", _fmt("{3} {3}"), (3900, 14000)),
        ("Амортизатор задний", _fmt("{3} {3}"), (2900, 9800)),
    ]),
    "TRW": (6, EURO_CARS + ASIAN_CARS, [
        ("Колодки тормозные передние", _fmt("GDB{4}"), (1700, 6800)),
        ("Диск тормозной", _fmt("DF{4}"), (2100, 8700)),
        ("Наконечник рулевой тяги", _fmt("JTE{4}"), (1000, 3600)),
        ("Шаровая опора", _fmt("JBJ{3}"), (1300, 4200)),
    ]),
    "NGK": (4, EURO_CARS + ASIAN_CARS + LADA_CARS, [
        ("Свеча зажигания", _fmt("BKR{1}E-11"), (250, 900)),
        ("Свеча зажигания иридиевая", _fmt("ILZKR{1}B11"), (900, 2400)),
        ("Свеча зажигания", _fmt("ZFR{1}F-11"), (260, 950)),
    ]),
    "DENSO": (4, ASIAN_CARS, [
        ("Свеча зажигания", _fmt("K{2}TT"), (300, 1000)),
        ("Свеча зажигания иридиевая", _fmt("IK{2}"), (950, 2200)),
        ("Датчик кислородный", _fmt("DOX-{4}"), (4200, 11800)),
    ]),
    "KYB": (6, EURO_CARS + ASIAN_CARS + LADA_CARS, [
        ("Амортизатор передний газомасляный", _d(6), (3400, 11000)),
        ("Амортизатор задний газомасляный", _d(6), (2900, 9500)),
        ("Пыльник амортизатора, комплект", _fmt("SB{3}"), (900, 2500)),
    ]),
    "GATES": (5, EURO_CARS + ASIAN_CARS + LADA_CARS, [
        ("Ремень ГРМ", _fmt("{4}XS"), (1300, 4900)),
        ("Комплект ремня ГРМ", _fmt("K0{5}XS"), (4900, 16500)),
        ("Ремень поликлиновой", _fmt("6PK{4}"), (700, 2400)),
    ]),
    "SKF": (5, EURO_CARS + ASIAN_CARS, [
        ("Подшипник ступицы, комплект", _fmt("VKBA {4}"), (2800, 9800)),
        ("Комплект ГРМ с помпой", _fmt("VKMC {5}"), (9500, 28000)),
        ("ШРУС наружный, комплект", _fmt("VKJA {4}"), (4800, 14500)),
    ]),
    "VALEO": (4, EURO_CARS, [
        ("Комплект сцепления", _d(6), (7800, 25000)),
        ("Щётка стеклоочистителя", _fmt("574{3}"), (800, 2600)),
        ("Генератор", _fmt("439{3}"), (14000, 42000)),
    ]),
    "HELLA": (3, EURO_CARS, [
        ("Датчик температуры охлаждающей жидкости", _fmt("6PT 009 {3}-{3}"), (900, 3200)),
        ("Реле поворотов", _fmt("4DM 003 {3}-{3}"), (600, 2100)),
        ("Фара противотуманная", _fmt("1N0 010 {3}-{3}"), (3200, 9800)),
    ]),
    "MERCEDES-BENZ": (4, ("Mercedes W211", "Mercedes W204", "Mercedes W212", "Sprinter 906"), [
        ("Колодки тормозные передние", _fmt("A 00{1} 420 {2} {2}"), (6500, 18500)),
        ("Фильтр масляный (элемент)", _fmt("A 27{1} 180 {2} 09"), (800, 2600)),
        ("Датчик износа тормозных колодок", _fmt("A 2{2} 540 {2} 17"), (900, 2700)),
        ("Опора амортизатора", _fmt("A 2{2} 320 {2} 73"), (3900, 12000)),
    ]),
    "TOYOTA": (4, ("Toyota Camry V40", "Toyota Corolla E150", "Toyota RAV4", "Toyota Land Cruiser 200"), [
        ("Колодки тормозные передние", _fmt("04465-{5}"), (4800, 13500)),
        ("Фильтр масляный", _fmt("90915-YZZ{L}{1}"), (500, 1300)),
        ("Фильтр масляный", _fmt("04152-YZZA{1}"), (600, 1500)),
        ("Свеча зажигания", _fmt("90919-01{3}"), (900, 2300)),
    ]),
    "LADA": (6, LADA_CARS, [
        ("Опора двигателя", _fmt("2108-100{4}"), (400, 1900)),
        ("Насос водяной (помпа)", _fmt("21080-1307{3}-00"), (1100, 3100)),
        ("Колодки тормозные передние", _fmt("2108-3501{3}"), (500, 1500)),
        ("Ремень ГРМ", _fmt("2112-1006{3}"), (600, 1700)),
        ("Фильтр масляный", _fmt("2105-1012{3}"), (180, 450)),
    ]),
    "VOLKSWAGEN": (4, ("VW Golf V/VI", "VW Passat B6", "VW Tiguan", "Skoda Octavia A5"), [
        ("Диск тормозной передний", _fmt("1K0 615 {3} {L}{L}"), (3900, 11500)),
        ("Фильтр масляный (элемент)", _fmt("03C 115 {3} {L}"), (700, 2100)),
        ("Катушка зажигания", _fmt("06A 905 {3} {L}"), (2900, 7800)),
    ]),
    "HYUNDAI": (3, ("Hyundai Solaris", "Hyundai Creta", "Hyundai Tucson"), [
        ("Фильтр масляный", _fmt("26300-35{3}"), (450, 1100)),
        ("Колодки тормозные передние", _fmt("58101-{L}{1}{L}{2}"), (2900, 7500)),
    ]),
    "NISSAN": (2, ("Nissan Qashqai J10", "Nissan Almera", "Nissan X-Trail T31"), [
        ("Фильтр масляный", _fmt("15208-{2}F0{L}"), (500, 1200)),
        ("Колодки тормозные передние", _fmt("D1060-{1}{L}{3}"), (3900, 9800)),
    ]),
}  # fmt: skip

OILS: list[tuple[str, Gen, str, tuple[int, int]]] = [
    ("MOBIL", _d(6), "Масло моторное синтетическое {v} 4 л", (3200, 5400)),
    ("SHELL", _fmt("5500{5}"), "Масло моторное Helix Ultra {v} 4 л", (3100, 5200)),
    ("CASTROL", _fmt("15{3}{L}"), "Масло моторное Edge {v} 4 л", (3600, 6100)),
    ("LIQUI MOLY", _d(4), "Масло моторное Top Tec {v} 5 л", (5200, 8900)),
    ("TOTAL", _d(6), "Масло моторное Quartz {v} 4 л", (2900, 4800)),
    ("LUKOIL", _d(7), "Масло моторное Genesis {v} 4 л", (1900, 3100)),
    ("ROSNEFT", _d(5), "Масло моторное Magnum {v} 4 л", (1500, 2600)),
    ("ZIC", _d(6), "Масло моторное X9 {v} 4 л", (2400, 3900)),
    ("MOTUL", _d(6), "Масло моторное 8100 X-clean {v} 5 л", (5900, 9500)),
]
VISCOSITY = ("0W-20", "0W-30", "5W-30", "5W-40", "10W-40", "75W-90")

# How each supplier spells a canonical brand (anything not listed: as is).
SPELLINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "avtoopt-msk": {
        "MERCEDES-BENZ": ("MERCEDES",), "LEMFORDER": ("LEMFOERDER",),
        "FEBI BILSTEIN": ("FEBI",), "LADA": ("ВАЗ",), "VOLKSWAGEN": ("VAG",),
        "MANN-FILTER": ("MANN",), "KYB": ("KAYABA",),
    },
    "ural-detal": {
        "MERCEDES-BENZ": ("Mercedes-Benz",), "LEMFORDER": ("Lemförder",),
        "FEBI BILSTEIN": ("Febi Bilstein", "Febi"), "MANN-FILTER": ("Mann-Filter",),
        "BOSCH": ("Bosch",), "LADA": ("Lada",), "VOLKSWAGEN": ("Volkswagen",),
        "TOYOTA": ("Toyota",), "MAHLE": ("Mahle Original",),
    },
    "forward-trade": {
        "MERCEDES-BENZ": ("MB",), "LEMFORDER": ("LEMFÖRDER",), "LADA": ("АВТОВАЗ",),
        "VOLKSWAGEN": ("VW",), "NGK": ("NGK SPARK PLUG",), "LUKOIL": ("ЛУКОЙЛ",),
        "ROSNEFT": ("РОСНЕФТЬ",), "LIQUI MOLY": ("LIQUIMOLY",),
    },
    "sever-1c": {
        "MERCEDES-BENZ": ("МЕРСЕДЕС",), "LADA": ("ЛАДА",), "FEBI BILSTEIN": ("ФЕБИ",),
        "BOSCH": ("BOSCH / Германия", "Bosch"), "TRW": ("TRW Automotive",),
        "LEMFORDER": ("ЛЕМФОРДЕР",), "KYB": ("KYB (Япония)",),
    },
    "euroline-eur": {
        "MERCEDES-BENZ": ("MERCEDES BENZ",), "LEMFORDER": ("LEMFOERDER",),
        "SACHS": ("ZF SACHS",), "KYB": ("KAYABA",), "FEBI BILSTEIN": ("FEBI-BILSTEIN",),
        "MANN-FILTER": ("MANN FILTER",), "VOLKSWAGEN": ("VAG",),
    },
}  # fmt: skip

_FOLD = re.compile(r"[^0-9A-Z]+")
# Latin letters with a Cyrillic twin: some suppliers type the Cyrillic one.
_TO_CYRILLIC = str.maketrans("ABCEHKMOPTX", "АВСЕНКМОРТХ")


def build_catalogue(rng: random.Random, size: int = 3000) -> list[Part]:
    """`size` parts: the headline parts, then random parts of every family, then oils."""
    parts = [
        Part(brand, article, name, "", cents)
        for brand, article, name, cents in HEADLINE
    ]
    seen = {(p.brand, _FOLD.sub("", p.article)) for p in parts}
    n_oils = size // 20
    brands = list(FAMILIES)
    weights = [FAMILIES[b][0] for b in brands]
    while len(parts) < size - n_oils:
        brand = rng.choices(brands, weights)[0]
        _weight, cars, kinds = FAMILIES[brand]
        name, gen, (lo, hi) = rng.choice(kinds)
        article = gen(rng)
        key = (brand, _FOLD.sub("", article))
        if key in seen:
            continue
        seen.add(key)
        cents = rng.randrange(lo, hi) * 100 + rng.choice((0, 0, 50, 90))
        parts.append(Part(brand, article, name, rng.choice(cars), cents))
    while len(parts) < size:
        brand, gen, template, (lo, hi) = rng.choice(OILS)
        article = gen(rng)
        key = (brand, _FOLD.sub("", article))
        if key in seen:
            continue
        seen.add(key)
        name = template.format(v=rng.choice(VISCOSITY))
        cents = rng.randrange(lo, hi) * 100
        parts.append(Part(brand, article, name, "", cents, oil=True))
    return parts


# Value spellings --------------------------------------------------------------


def _brand(rng: random.Random, supplier: str, brand: str) -> str:
    options = SPELLINGS[supplier].get(brand)
    if not options or rng.random() < 0.15:  # some rows keep the canonical name
        return brand
    return rng.choice(options)


def _compact(article: str) -> str:
    return article.replace(" ", "")


def _dotted(article: str) -> str:
    """`0 986 452 041` → `0.986.452.041` (other shapes stay as they are)."""
    return article.replace(" ", ".") if re.fullmatch(r"[\d ]+", article) else article


def _cyrillic(rng: random.Random, article: str, share: float) -> str:
    if rng.random() < share and re.search("[ABCEHKMOPTX]", article):
        return article.translate(_TO_CYRILLIC)
    return article


def _rub_comma(cents: int) -> str:
    """`129950` → `1 299,50` with a no-break space between thousands."""
    whole, frac = divmod(cents, 100)
    text = f"{whole:,}".replace(",", NBSP)
    return f"{text},{frac:02d}"


def _dot(cents: int) -> str:
    whole, frac = divmod(cents, 100)
    return f"{whole}.{frac:02d}"


def _price(rng: random.Random, part: Part, factor: float) -> int:
    return max(1, round(part.base_cents * factor * rng.uniform(0.94, 1.06)))


def _stock_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return str(rng.randint(1, 9))
    if roll < 0.65:
        return ">10"
    if roll < 0.75:
        return ">50"
    if roll < 0.88:
        return "есть"
    return "под заказ"


def _pick(rng: random.Random, parts: list[Part], share: float) -> list[Part]:
    headline = parts[: len(HEADLINE)]
    rest = [p for p in parts[len(HEADLINE) :] if rng.random() < share]
    return headline + rest


# The five suppliers -------------------------------------------------------------


def _avtoopt(rng: random.Random, parts: list[Part]) -> bytes:
    """cp1251, `;`, CRLF, a trailing `;`, decimal comma with NBSP thousands."""
    sid = "avtoopt-msk"
    lines = ["Производитель;Артикул;Наименование;Цена, руб.;Наличие;Кратность;"]
    chosen = _pick(rng, parts, 0.8)
    bad = {
        len(chosen) // 3: "",
        (2 * len(chosen)) // 3: "",
        len(chosen) // 2: "звоните",
    }
    for i, part in enumerate(chosen):
        article = _cyrillic(rng, part.article, 0.03)
        name = part.name.upper()
        if part.fits:
            name = f"{name} {part.fits.upper()}"
        if "КОЛОДКИ" in name:
            name = name.replace("КОЛОДКИ ТОРМОЗНЫЕ", "КОЛОДКИ ТОРМОЗНЫЕ, К-Т")
        price = bad.get(i, _rub_comma(_price(rng, part, 1.0)))
        step = "4" if "СВЕЧА" in name else "1"
        lines.append(
            f"{_brand(rng, sid, part.brand)};{article};{name};{price};"
            f"{_stock_text(rng)};{step};"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def _csv_field(value: str) -> str:
    if any(ch in value for ch in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _ural(rng: random.Random, parts: list[Part]) -> bytes:
    """UTF-8 with BOM, `,`, a quoted header, quoted fields with commas and a newline."""
    sid = "ural-detal"
    header = ["Бренд", "Номер детали", "Описание", "Цена", "Остаток", "Склад",
              "Срок поставки, дн."]  # fmt: skip
    lines = [",".join(f'"{h}"' for h in header)]
    chosen = _pick(rng, parts, 0.5)
    zero_at = len(chosen) // 4
    newline_at = len(chosen) // 5
    for i, part in enumerate(chosen):
        name = f"{part.name}, {part.fits}" if part.fits else part.name
        if i == newline_at:
            name = f"{part.name}\n(уценка: мятая упаковка)"
        stores = [("Екатеринбург", "0")]
        if rng.random() < 0.35:
            stores.append(("Челябинск", "1"))
        if rng.random() < 0.2:
            stores.append(("Москва", rng.choice(("2", "3", "2-3"))))
        for store, days in stores:
            price = "0.00" if i == zero_at else _dot(_price(rng, part, 0.96))
            qty = str(rng.randint(1, 40)) if rng.random() < 0.8 else "10+"
            cells = [_brand(rng, sid, part.brand), _compact(part.article), name,
                     price, qty, store, days]  # fmt: skip
            lines.append(",".join(_csv_field(c) for c in cells))
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def _forward(rng: random.Random, parts: list[Part]) -> bytes:
    """XLSX: a title, a blank row, a 2-row header, sheets `Запчасти`, `Масла`, `Условия`."""
    sid = "forward-trade"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Запчасти"
    sheet["A1"] = f"Прайс-лист ООО «Форвард Трейд» на {PRICE_DATE} (цены с НДС)"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:G1")
    top = ["Артикул", "Бренд", "Наименование", "Цена", None, "Остаток", "Кратность"]
    for col, text in enumerate(top, start=1):
        if text:
            sheet.cell(row=3, column=col, value=text).font = Font(bold=True)
    sheet.cell(row=4, column=4, value="Опт").font = Font(bold=True)
    sheet.cell(row=4, column=5, value="Розница").font = Font(bold=True)
    sheet.merge_cells("D3:E3")
    for letter in "ABCFG":
        sheet.merge_cells(f"{letter}3:{letter}4")
    for cell in sheet[3]:
        cell.alignment = Alignment(horizontal="center", vertical="center")
    chosen = _pick(rng, [p for p in parts if not p.oil], 0.45)
    no_article_at = len(chosen) // 3
    row = 5
    for i, part in enumerate(chosen):
        opt = _price(rng, part, 1.04) / 100
        article: object = _compact(part.article)
        pad = 0
        if i == no_article_at:
            article = None
        elif str(article).isdigit() and (
            not str(article).startswith("0") or (i % 7 == 0 and i > 20)
        ):
            # Excel keeps a plain number as a number; a leading-zero article
            # typed as a number survives only through a `0000…` format.
            pad = len(str(article)) if str(article).startswith("0") else 0
            article = int(str(article))
        name = f"{part.name} ({part.fits})" if part.fits else part.name
        stock: object = rng.randint(0, 60) if rng.random() < 0.85 else "> 100"
        values = [article, _brand(rng, sid, part.brand), name, round(opt, 2),
                  round(opt * 1.3, 2), stock, 4 if "Свеча" in part.name else 1]  # fmt: skip
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col, value=value)
            if col in (4, 5):
                cell.number_format = "#,##0.00"
            elif col == 1 and isinstance(value, str):
                cell.number_format = "@"
            elif col == 1 and pad:
                cell.number_format = "0" * pad
        row += 1
    for letter, width in zip("ABCDEFG", (18, 16, 52, 11, 11, 9, 10), strict=True):
        sheet.column_dimensions[letter].width = width

    oils = book.create_sheet("Масла")
    oils["A1"] = "Моторные масла и технические жидкости"
    oils["A1"].font = Font(bold=True)
    oil_header = ["Бренд", "Артикул", "Наименование", "Вязкость", "Цена опт",
                  "Цена розн.", "Наличие"]  # fmt: skip
    for col, text in enumerate(oil_header, start=1):
        oils.cell(row=2, column=col, value=text).font = Font(bold=True)
    oil_parts = [p for p in parts if p.oil]
    bad_at = len(oil_parts) // 2
    for i, part in enumerate(oil_parts, start=3):
        opt_value: object = round(_price(rng, part, 1.02) / 100, 2)
        if i - 3 == bad_at:
            opt_value = "договорная"
        viscosity = next((v for v in VISCOSITY if v in part.name), "")
        values = [_brand(rng, sid, part.brand), part.article, part.name, viscosity,
                  opt_value, round(part.base_cents * 1.35 / 100, 2),
                  rng.choice(("есть", "мало", "12", "30", "нет"))]  # fmt: skip
        for col, value in enumerate(values, start=1):
            cell = oils.cell(row=i, column=col, value=value)
            if col == 2:
                cell.number_format = "@"
    terms = book.create_sheet("Условия")
    terms["A1"] = "Условия работы"
    terms["A2"] = "Отгрузка со склада в Подольске ежедневно до 15:00."
    terms["A3"] = "Минимальная сумма заказа 5 000 руб."
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _sever_1c(rng: random.Random, parts: list[Part]) -> bytes:
    """A 1C print form saved as HTML under a `.xls` name, with group rows."""
    sid = "sever-1c"
    groups: dict[str, list[Part]] = {}
    for part in _pick(rng, [p for p in parts if not p.oil], 0.4):
        groups.setdefault(_group(part.name), []).append(part)
    out = [
        "<html><head>",
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
        "<title>Прайс-лист</title></head><body>",
        '<table border="1" cellspacing="0">',
        '<tr><td colspan="8"><b>ООО «Север Авто» — прайс-лист</b></td></tr>',
        f'<tr><td colspan="8">Цены указаны в рублях с НДС на {PRICE_DATE}</td></tr>',
        "<tr><td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td></tr>",
        "<tr><th>№</th><th>Код</th><th>Артикул</th><th>Номенклатура</th>"
        "<th>Производитель</th><th>Цена</th><th>Остаток</th><th>Ед. изм.</th></tr>",
    ]
    n = 0
    no_price_at = 17
    for group in sorted(groups):
        out.append(f'<tr><td colspan="8"><b>{group}</b></td></tr>')
        for part in groups[group]:
            n += 1
            roll = rng.random()
            if roll < 0.5:
                article = _dotted(part.article)
            elif roll < 0.7:
                article = part.article.replace(" ", "-")
            else:
                article = part.article
            article = _cyrillic(rng, article, 0.05)
            brand = _brand(rng, sid, part.brand)
            name = f"{part.name} {part.brand} {part.article}"
            price = "" if n == no_price_at else _rub_comma(_price(rng, part, 1.1))
            price = price.replace(NBSP, "&nbsp;")
            stock = str(rng.randint(1, 25)) if rng.random() < 0.9 else "&gt;100"
            code = f"00-{n * 37 + 10000:08d}"
            out.append(
                f"<tr><td>{n}</td><td>{code}</td><td>{article}</td><td>{name}</td>"
                f"<td>{brand}</td><td>{price}</td><td>{stock}</td><td>шт</td></tr>"
            )
    out.append("</table></body></html>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _group(name: str) -> str:
    low = name.lower()
    for word, group in (
        ("фильтр", "Фильтры"), ("колод", "Тормозная система"),
        ("диск", "Тормозная система"), ("свеч", "Зажигание"),
        ("катушк", "Зажигание"), ("амортиз", "Подвеска"), ("рычаг", "Подвеска"),
        ("сайлентблок", "Подвеска"), ("опора", "Подвеска"), ("шаров", "Подвеска"),
        ("тяга", "Рулевое управление"), ("наконечник", "Рулевое управление"),
        ("ремень", "Привод ГРМ"), ("грм", "Привод ГРМ"), ("натяжитель", "Привод ГРМ"),
        ("сцеплен", "Трансмиссия"), ("шрус", "Трансмиссия"),
        ("подшипник", "Трансмиссия"),
    ):  # fmt: skip
        if word in low:
            return group
    return "Прочее"


def _euroline(rng: random.Random, parts: list[Part]) -> bytes:
    """A ZIP holding a headerless `;` CSV priced in EUR, delivery `3-5`, `2 недели`."""
    sid = "euroline-eur"
    lines = []
    chosen = _pick(rng, [p for p in parts if not p.oil], 0.6)
    bad_at = len(chosen) // 2
    for i, part in enumerate(chosen):
        euro_cents = _price(rng, part, 0.88 / 98.0)
        price = "-" if i == bad_at else _rub_comma(euro_cents).replace(NBSP, "")
        delivery = rng.choice(("3-5", "5-7", "7-10 дней", "2 недели", "", "14"))
        qty = str(rng.choice((1, 2, 4, 5, 10, 20, 50)))
        cells = [_brand(rng, sid, part.brand), _compact(part.article).upper(),
                 part.name, price, "EUR", qty, delivery, "DE"]  # fmt: skip
        lines.append(";".join(cells))
    text = "\n".join(lines) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("euroline_stock_eur.csv", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _fixed_zip(data: bytes) -> bytes:
    """The same ZIP with fixed member times and document dates (stable bytes)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>" + _DOC_TIME.encode(),
                    body,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()


WRITERS: dict[str, Callable[[random.Random, list[Part]], bytes]] = {
    "avtoopt-msk": _avtoopt,
    "ural-detal": _ural,
    "forward-trade": _forward,
    "sever-1c": _sever_1c,
    "euroline-eur": _euroline,
}


def generate_demo(inbox_dir: Path, *, seed: int = 7) -> list[tuple[str, Path]]:
    """Write the five demo price lists into `inbox_dir/<supplier>/<file>`.

    Returns `(supplier_id, path)` in a fixed order. The same seed gives the
    same bytes.
    """
    rng = random.Random(seed)
    catalogue = build_catalogue(rng)
    written = []
    for supplier in SUPPLIERS:
        data = WRITERS[supplier.id](random.Random(f"{seed}-{supplier.id}"), catalogue)
        folder = inbox_dir / supplier.id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / supplier.file
        tmp = folder / f".{supplier.file}.partial"
        tmp.write_bytes(data)
        tmp.replace(path)  # a watcher never sees half a file
        written.append((supplier.id, path))
    return written
