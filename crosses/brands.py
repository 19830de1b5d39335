"""Brand identity: cleaning brand cells and mapping spellings to canonical names.

Aliases (the same maker spelled differently) live in `data/brand_aliases.csv`;
families (makers whose parts may be analogs: HYUNDAI/KIA/HYUNDAI MOBIS,
MAHLE/KNECHT) in `data/brand_families.csv`. A family never merges brands.
Aliases a person accepted after review are kept apart from the shipped seed
(see `crosses.brand_decisions`) and merged over it when a table loads.
Unknown brands are kept as written (cleaned, upper-cased) and listed for
review; nothing is merged by a fuzzy score alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process

from crosses.articles import COUNTRIES, LOOKALIKES

SEED_PATH = Path(__file__).parent / "data" / "brand_aliases.csv"
FAMILIES_PATH = Path(__file__).parent / "data" / "brand_families.csv"

# Accented Latin letters folded for the key: `LEMFÖRDER`, `CITROËN`, `ŠKODA`.
_ACCENTS: dict[str, str] = {
    "Ö": "O", "Ü": "U", "Ä": "A", "É": "E", "È": "E", "Ë": "E", "Ê": "E",
    "Á": "A", "À": "A", "Â": "A", "Å": "A", "Í": "I", "Ó": "O", "Ô": "O",
    "Ø": "O", "Ú": "U", "Ç": "C", "Š": "S", "Ş": "S", "Č": "C", "Ž": "Z",
    "Ñ": "N", "Ё": "Е",
}  # fmt: skip
_ACCENT_TABLE = str.maketrans(_ACCENTS)
_LATIN_TABLE = str.maketrans(LOOKALIKES)
_COUNTRY_SUFFIX = (
    r"\s*(?:\(\s*(?:"
    + "|".join(COUNTRIES)
    + r")\s*\)|[/,\-]\s*(?:"
    + "|".join(COUNTRIES)
    + r"))\s*$"
)
_SPACES = re.compile(r"\s+")
_NON_KEY = re.compile(r"[^0-9A-ZА-ЯЁ]+")
_LATIN = re.compile(r"[A-Z]")
_CYRILLIC = re.compile(r"[А-ЯЁ]")
SUGGEST_CUTOFF = 80.0


class BrandTableError(ValueError):
    """The shipped or accepted brand data contradicts itself."""


def clean_brand(text: str | None) -> str:
    """Trim, collapse spaces, upper-case and drop a trailing country note."""
    if not text:
        return ""
    value = _SPACES.sub(" ", text.replace("\u00a0", " ")).strip().upper()
    return re.sub(_COUNTRY_SUFFIX, "", value).strip()


def brand_key(text: str) -> str:
    """Lookup key of a cleaned brand: accents folded, punctuation and spaces dropped.

    A key that mixes Latin and Cyrillic letters (`BOSСH` typed with a Cyrillic
    `С`) has its Cyrillic look-alikes folded to Latin; an all-Cyrillic key
    (`ВАЗ`, `МАЗ`) keeps its letters.
    """
    key = _NON_KEY.sub("", text.upper().translate(_ACCENT_TABLE))
    if _LATIN.search(key) and _CYRILLIC.search(key):
        return key.translate(_LATIN_TABLE)
    return key


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
    """`brand_key` as a polars expression (of cleaned, upper-cased text)."""
    key = expr.str.replace_many(
        list(_ACCENTS), list(_ACCENTS.values())
    ).str.replace_all(r"[^0-9A-ZА-ЯЁ]+", "")
    mixed = key.str.contains("[A-Z]") & key.str.contains("[А-ЯЁ]")
    latin = key.str.replace_many(list(LOOKALIKES), list(LOOKALIKES.values()))
    return pl.when(mixed).then(latin).otherwise(key)


@dataclass
class BrandTable:
    """Canonical brands with their aliases, looked up by a punctuation-free key."""

    by_key: dict[str, str] = field(default_factory=dict)
    spellings: set[str] = field(default_factory=set)
    families: dict[str, frozenset[str]] = field(default_factory=dict)
    rejected: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def load(
        cls,
        path: Path = SEED_PATH,
        *,
        families: Path | None = FAMILIES_PATH,
        accepted: Path | None = None,
    ) -> BrandTable:
        """Read the seed (`canonical;alias|alias|...`), its families, then the
        decisions accepted after review (a file from `crosses.brand_decisions`).
        """
        table = cls()
        for canonical, aliases in _read_rows(path):
            table._add_seed(canonical, aliases, path)
        if families is not None:
            for family, members in _read_rows(families):
                table.add_family(family, members)
        if accepted is not None:
            from crosses.brand_decisions import apply_decisions, read_decisions

            apply_decisions(table, read_decisions(accepted))
        return table

    def _add_seed(self, canonical: str, aliases: list[str], path: Path) -> None:
        for spelling in (canonical, *aliases):
            owner = self.by_key.get(brand_key(clean_brand(spelling)))
            if owner is not None and owner != canonical:
                raise BrandTableError(
                    f"`{spelling}` is a spelling of both `{owner}` and `{canonical}` "
                    f"in `{path.name}`"
                )
        self.add(canonical, aliases)

    def add(self, canonical: str, aliases: Iterable[str] = ()) -> None:
        """Register a canonical brand and its spellings."""
        for spelling in (canonical, *aliases):
            self.spellings.add(clean_brand(spelling))
            self.by_key[brand_key(clean_brand(spelling))] = canonical

    def add_family(self, family: str, members: Iterable[str]) -> None:
        """Register a family of distinct canonical brands (analog candidates)."""
        names = frozenset(members)
        for member in names:
            if not self.is_known(member) or self.canonical(member) != member:
                raise BrandTableError(
                    f"family `{family}` names `{member}`, which is not a canonical "
                    "brand of the alias table"
                )
        if len(names) < 2:
            raise BrandTableError(f"family `{family}` needs two brands or more")
        self.families[family] = names

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

    def aliases_of(self, brand: str) -> list[str]:
        """Every known spelling of a brand's canonical name, itself excluded."""
        canonical = self.canonical(brand)
        return sorted(
            s
            for s in self.spellings
            if s != canonical and self.by_key.get(brand_key(s)) == canonical
        )

    def families_of(self, brand: str) -> set[str]:
        """Names of the families a brand belongs to (any spelling accepted)."""
        canonical = self.canonical(brand)
        return {name for name, members in self.families.items() if canonical in members}

    def relatives(self, brand: str) -> set[str]:
        """Other brands of the same families: analog candidates, never aliases."""
        canonical = self.canonical(brand)
        found: set[str] = set()
        for name in self.families_of(canonical):
            found |= self.families[name]
        return found - {canonical}

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

    def is_known_expr(self, column: str | pl.Expr) -> pl.Expr:
        """Vectorized `is_known` of raw cells (null for a null cell)."""
        return brand_key_expr(clean_brand_expr(column)).is_in(list(self.by_key))

    def suggestions(self, brand: str, limit: int = 3) -> list[tuple[str, float]]:
        """Close canonical names with their scores, best first, for a person."""
        cleaned = clean_brand(brand)
        # Canonical names by a forgiving scorer; every spelling by its key with a
        # plain ratio, which finds a misspelt alias without the partial matches
        # (`FORD MOTOR` in `DR MOTOR AUTOMOTIVE`) that WRatio makes of long ones.
        # A very short brand (`RC`) is inside too many names for partial matches.
        names = self.canonical_names if len(brand_key(cleaned)) > 3 else []
        by_name = process.extract(
            cleaned,
            names,
            scorer=fuzz.WRatio,
            limit=limit * 2,
            score_cutoff=SUGGEST_CUTOFF,
        )
        by_key = process.extract(
            brand_key(cleaned),
            list(self.by_key),
            scorer=fuzz.ratio,
            limit=limit * 2,
            score_cutoff=SUGGEST_CUTOFF,
        )
        best: dict[str, float] = {}
        # a partial match (`BOSH` inside `MITSUBOSHI`) counts for less than a
        # whole-word likeness (`BOSH` ~ `BOSCH`)
        found = [(n, max(0.9 * s, fuzz.ratio(cleaned, n))) for n, s, _ in by_name] + [
            (self.by_key[k], s) for k, s, _ in by_key
        ]
        for name, score in found:
            if (cleaned, name) in self.rejected or name == cleaned:
                continue
            best[name] = max(best.get(name, 0.0), round(float(score), 1))
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]

    def suggest(self, brand: str, limit: int = 3) -> list[str]:
        """Close canonical names for an unknown brand, for a person to review."""
        return [name for name, _score in self.suggestions(brand, limit)]


def _read_rows(path: Path) -> list[tuple[str, list[str]]]:
    """Rows of a `name;item|item|...` file with one header line."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        name, _, items = line.partition(";")
        rows.append((name.strip(), [i.strip() for i in items.split("|") if i.strip()]))
    return rows


_DEFAULT: BrandTable | None = None
_WITH_ACCEPTED: dict[Path, tuple[tuple[int, int, int], BrandTable]] = {}


def default_table(accepted: Path | None = None) -> BrandTable:
    """The shipped seed table, loaded once; with `accepted`, the decisions file
    merged over it (reloaded when that file changes).
    """
    global _DEFAULT
    if accepted is None:
        if _DEFAULT is None:
            _DEFAULT = BrandTable.load()
        return _DEFAULT
    try:
        stat = accepted.stat()
    except FileNotFoundError:
        return default_table()
    version = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = _WITH_ACCEPTED.get(accepted)
    if cached is None or cached[0] != version:
        cached = (version, BrandTable.load(accepted=accepted))
        _WITH_ACCEPTED[accepted] = cached
    return cached[1]
