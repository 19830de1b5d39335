"""Demo crosses: three cross files over the demo catalogue, one per shape.

| source | file | shape |
| --- | --- | --- |
| `avtoopt-msk` | `avtoopt_analogs.csv`: cp1251, `;`, a kind column | pairs (`Производитель;Артикул;Производитель аналога;Артикул аналога;Тип связи`), spelled as that supplier spells brands |
| `catalogue-oe` | `oe_references.csv`: UTF-8 BOM, `;` | OE references, one per row (`Бренд;Артикул;Бренд OE;Номер OE`) |
| `ural-detal` | `analog_groups.csv`: UTF-8, `,` | groups (`Группа,Бренд,Номер детали`) |

They connect the demo offers across brands: the MANN-FILTER oil filter
`W 712/75` is crossed with BOSCH `0 986 452 041`, MAHLE `OC 90` and FILTRON
`OP 526`, and all of them with the Volkswagen number `030 115 561 AN`; the
Mercedes and Toyota brake pads of the headline list with aftermarket pads;
and the rest of the catalogue by product and car. Files are written into
`<inbox>/crosses/<source>/`; the same seed gives the same bytes.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from pipelines.demo_data import SPELLINGS, Part, build_catalogue

# (brand, article, brand, article, kind): the crosses a person checks first
HEADLINE_PAIRS: tuple[tuple[str, str, str, str, str], ...] = (
    ("MANN-FILTER", "W 712/75", "BOSCH", "0 986 452 041", "аналог"),
    ("MANN-FILTER", "W 712/75", "MAHLE", "OC 90", "аналог"),
    ("MANN-FILTER", "W 712/75", "FILTRON", "OP 526", "аналог"),
    ("MAHLE", "OC 90", "KNECHT", "OC 90", "аналог"),
)
HEADLINE_OE: tuple[tuple[str, str, str, str], ...] = (
    ("MANN-FILTER", "W 712/75", "VOLKSWAGEN", "030 115 561 AN"),
    ("BOSCH", "0 986 452 041", "VAG", "030115561AN"),
    ("MAHLE", "OC 90", "VW", "030 115 561 AN"),
    ("FILTRON", "OP 526", "VOLKSWAGEN", "030 115 561 AN"),
)
# OE makers of the catalogue and the words of the cars they make
OE_MAKERS: dict[str, tuple[str, ...]] = {
    "MERCEDES-BENZ": ("Mercedes", "Sprinter"),
    "TOYOTA": ("Toyota",),
    "LADA": ("ВАЗ", "Lada", "Нива"),
    "VOLKSWAGEN": ("VW", "Skoda", "Audi"),
    "HYUNDAI": ("Hyundai",),
    "NISSAN": ("Nissan",),
}
GROUP_NAMES = (
    "Свеча зажигания", "Амортизатор передний газомасляный", "Ремень ГРМ",
    "Подшипник ступицы, комплект", "Шаровая опора", "Комплект сцепления",
)  # fmt: skip
SOURCES: dict[str, str] = {
    "avtoopt-msk": "avtoopt_analogs.csv",
    "catalogue-oe": "oe_references.csv",
    "ural-detal": "analog_groups.csv",
}


def _spelled(rng: random.Random, supplier: str, brand: str) -> str:
    options = SPELLINGS.get(supplier, {}).get(brand)
    return rng.choice(options) if options and rng.random() < 0.6 else brand


def _aftermarket(parts: Iterable[Part]) -> list[Part]:
    return [p for p in parts if p.brand not in OE_MAKERS and not p.oil]


def _pairs_file(rng: random.Random, catalogue: list[Part]) -> bytes:
    """Analog pairs across brands of one product and car, and a few replacements
    (old number → new number of the same brand)."""
    sid = "avtoopt-msk"
    rows = [list(r) for r in HEADLINE_PAIRS]
    buckets: dict[tuple[str, str], list[Part]] = defaultdict(list)
    for part in _aftermarket(catalogue):
        buckets[(part.name, part.fits)].append(part)
    replacements = 0
    for (_name, _fits), parts in sorted(buckets.items()):
        first = parts[0]
        others = [p for p in parts[1:] if p.brand != first.brand]
        for other in others[:2]:
            rows.append(
                [first.brand, first.article, other.brand, other.article, "аналог"]
            )
        same = [p for p in parts[1:] if p.brand == first.brand]
        if same and replacements < 8 and not others:
            rows.append(
                [first.brand, first.article, first.brand, same[0].article, "замена"]
            )
            replacements += 1
    lines = ["Производитель;Артикул;Производитель аналога;Артикул аналога;Тип связи"]
    for brand_a, article_a, brand_b, article_b, kind in rows:
        lines.append(
            f"{_spelled(rng, sid, brand_a)};{article_a};"
            f"{_spelled(rng, sid, brand_b)};{article_b};{kind}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def _oe_file(rng: random.Random, catalogue: list[Part]) -> bytes:
    """One OE reference per row: an aftermarket part for the same product and car
    → the car maker's number; every aftermarket part is used once at most."""
    rows = [list(r) for r in HEADLINE_OE]
    pool: dict[tuple[str, str], list[Part]] = defaultdict(list)
    for part in _aftermarket(catalogue):
        pool[(part.name, part.fits)].append(part)
    for parts in pool.values():
        rng.shuffle(parts)
    for oe in (p for p in catalogue if p.brand in OE_MAKERS):
        if oe.fits:
            keys = [(oe.name, oe.fits)]
        else:  # a headline part: any car of its maker
            words = OE_MAKERS[oe.brand]
            keys = sorted(
                k for k in pool if k[0] == oe.name and any(w in k[1] for w in words)
            )
        taken = 0
        for key in keys:
            while pool[key] and taken < 2:
                part = pool[key].pop()
                rows.append([part.brand, part.article, oe.brand, oe.article])
                taken += 1
    lines = ["Бренд;Артикул;Бренд OE;Номер OE"]
    lines.extend(";".join(r) for r in rows)
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def _groups_file(rng: random.Random, catalogue: list[Part]) -> bytes:
    """Groups of two to four parts of different brands that replace each other."""
    lines = ["Группа,Бренд,Номер детали"]
    n = 0
    for name in GROUP_NAMES:
        by_fits: dict[str, list[Part]] = defaultdict(list)
        for part in _aftermarket(catalogue):
            if part.name == name:
                by_fits[part.fits].append(part)
        for fits in sorted(by_fits):
            members = {p.brand: p for p in by_fits[fits]}  # one part per brand
            if len(members) < 2:
                continue
            n += 1
            chosen = list(members.values())[: rng.randint(2, 4)]
            lines.extend(f"ГР-{n:04d},{p.brand},{p.article}" for p in chosen)
    return ("\n".join(lines) + "\n").encode("utf-8")


WRITERS = {
    "avtoopt-msk": _pairs_file,
    "catalogue-oe": _oe_file,
    "ural-detal": _groups_file,
}


def generate_demo_crosses(inbox_dir: Path, *, seed: int = 7) -> list[tuple[str, Path]]:
    """Write the demo cross files into `inbox_dir/crosses/<source>/<file>`.

    Returns `(source, path)` in a fixed order; the same seed gives the same bytes.
    """
    catalogue = build_catalogue(random.Random(seed))
    written = []
    for source, name in SOURCES.items():
        data = WRITERS[source](random.Random(f"{seed}-crosses-{source}"), catalogue)
        folder = inbox_dir / "crosses" / source
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        tmp = folder / f".{name}.partial"
        tmp.write_bytes(data)
        tmp.replace(path)  # a watcher never sees half a file
        written.append((source, path))
    return written
