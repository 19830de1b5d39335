"""Brand identity: cleaning brand cells and mapping spellings to canonical names.

Aliases (the same maker spelled differently) live in `data/brand_aliases.csv`.
Unknown brands are kept as written (cleaned, upper-cased) and listed for review;
nothing is merged by a fuzzy score alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process

SEED_PATH = Path(__file__).parent / "data" / "brand_aliases.csv"

COUNTRIES: tuple[str, ...] = (
    "ГЕРМАНИЯ", "КИТАЙ", "ЯПОНИЯ", "КОРЕЯ", "ЮЖНАЯ КОРЕЯ", "РОССИЯ", "РФ", "ТУРЦИЯ",
    "ТАЙВАНЬ", "ИТАЛИЯ", "ФРАНЦИЯ", "ИСПАНИЯ", "ПОЛЬША", "США", "ЧЕХИЯ", "ШВЕЦИЯ",
    "ИНДИЯ", "БЕЛЬГИЯ", "ВЕЛИКОБРИТАНИЯ", "АНГЛИЯ", "НИДЕРЛАНДЫ", "ВЕНГРИЯ",
    "СЛОВЕНИЯ", "АВСТРИЯ", "БРАЗИЛИЯ", "МАЛАЙЗИЯ", "ТАИЛАНД", "БЕЛАРУСЬ", "УКРАИНА",
    "ДАНИЯ", "ФИНЛЯНДИЯ", "ИРАН", "УЗБЕКИСТАН", "КАЗАХСТАН", "ЕВРОПА", "EU",
    "GERMANY", "CHINA", "JAPAN", "KOREA", "TAIWAN", "TURKEY", "ITALY", "FRANCE",
    "SPAIN", "POLAND", "USA", "CZECH REPUBLIC", "SWEDEN", "INDIA", "BELGIUM",
    "UK", "NETHERLANDS", "HUNGARY", "SLOVENIA", "AUSTRIA", "BRAZIL", "MALAYSIA",
    "THAILAND", "RUSSIA", "PRC",
)  # fmt: skip

_UMLAUTS = str.maketrans({"Ö": "O", "Ü": "U", "Ä": "A", "É": "E", "È": "E", "Ё": "Е"})
_COUNTRY_SUFFIX = (
    r"\s*(?:\(\s*(?:"
    + "|".join(COUNTRIES)
    + r")\s*\)|[/,\-]\s*(?:"
    + "|".join(COUNTRIES)
    + r"))\s*$"
)
_SPACES = re.compile(r"\s+")
_NON_KEY = re.compile(r"[^0-9A-ZА-ЯЁ]+")


def clean_brand(text: str | None) -> str:
    """Trim, collapse spaces, upper-case and drop a trailing country note."""
    if not text:
        return ""
    value = _SPACES.sub(" ", text.replace("\u00a0", " ")).strip().upper()
    return re.sub(_COUNTRY_SUFFIX, "", value).strip()


def brand_key(text: str) -> str:
    """Lookup key of a cleaned brand: umlauts folded, punctuation and spaces dropped."""
    return _NON_KEY.sub("", text.upper().translate(_UMLAUTS))


def clean_brand_expr(column: str | pl.Expr) -> pl.Expr:
    """`clean_brand` as a polars expression."""
    expr = pl.col(column) if isinstance(column, str) else column
    return (
        expr.str.replace_all(r"[\s\u00a0]+", " ")
        .str.strip_chars()
        .str.to_uppercase()
        .str.replace(_COUNTRY_SUFFIX, "")
        .str.strip_chars()
    )


def brand_key_expr(expr: pl.Expr) -> pl.Expr:
    """`brand_key` as a polars expression."""
    return expr.str.replace_many(
        ["Ö", "Ü", "Ä", "É", "È", "Ё"], ["O", "U", "A", "E", "E", "Е"]
    ).str.replace_all(r"[^0-9A-ZА-ЯЁ]+", "")


@dataclass
class BrandTable:
    """Canonical brands with their aliases, looked up by a punctuation-free key."""

    by_key: dict[str, str] = field(default_factory=dict)
    spellings: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path = SEED_PATH) -> BrandTable:
        """Read the alias table shipped as data (`canonical;alias|alias|...`)."""
        table = cls()
        lines = path.read_text(encoding="utf-8").splitlines()[1:]
        for line in lines:
            if not line.strip():
                continue
            canonical, _, aliases = line.partition(";")
            table.add(canonical.strip(), [a for a in aliases.split("|") if a.strip()])
        return table

    def add(self, canonical: str, aliases: Iterable[str] = ()) -> None:
        """Register a canonical brand and its spellings."""
        for spelling in (canonical, *aliases):
            self.spellings.add(clean_brand(spelling))
            self.by_key[brand_key(clean_brand(spelling))] = canonical

    @property
    def canonical_names(self) -> list[str]:
        return sorted(set(self.by_key.values()))

    def canonical(self, text: str | None) -> str:
        """Canonical brand of a raw cell; unknown brands come back cleaned."""
        cleaned = clean_brand(text)
        return self.by_key.get(brand_key(cleaned), cleaned)

    def is_known(self, cleaned: str) -> bool:
        """True when a cleaned brand is an alias or a canonical name."""
        return brand_key(cleaned) in self.by_key

    def canonical_expr(self, column: str | pl.Expr) -> pl.Expr:
        """Vectorized `canonical`: clean, then map known keys to canonical names."""
        cleaned = clean_brand_expr(column)
        keys = list(self.by_key)
        values = [self.by_key[k] for k in keys]
        return (
            brand_key_expr(cleaned)
            .replace_strict(keys, values, default=None, return_dtype=pl.String)
            .fill_null(cleaned)
        )

    def suggest(self, brand: str, limit: int = 3) -> list[str]:
        """Close canonical names for an unknown brand, for a person to review."""
        found = process.extract(
            brand,
            self.canonical_names,
            scorer=fuzz.WRatio,
            limit=limit,
            score_cutoff=80,
        )
        return [name for name, _score, _ in found]


_DEFAULT: BrandTable | None = None


def default_table() -> BrandTable:
    """The shipped seed table, loaded once."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = BrandTable.load()
    return _DEFAULT
