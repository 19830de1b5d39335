"""Article normalization: the canonical form of a part number (see DESIGN.md).

`normalize_article` is the scalar rule; `article_expr` is the same rule as a
polars expression for whole columns. Both must agree; a test checks that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import polars as pl

# Cyrillic letters that look like Latin ones. Not a keyboard-layout switch.
LOOKALIKES: dict[str, str] = {
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y",
    "Ё": "E",  # Ё folds to Е first, and Е is a look-alike of E
    "І": "I",  # Ukrainian I, common in Ukrainian price lists
}  # fmt: skip

# Words that, alone in a trailing bracket, are packaging notes, not article parts.
PACKAGING_WORDS: frozenset[str] = frozenset(
    {
        "BULK", "OEM", "OE", "ORIGINAL", "ORIG", "ОРИГИНАЛ", "ОРИГ", "НЕОРИГИНАЛ",
        "КОМПЛЕКТ", "КТ", "К/Т", "К-Т", "ШТ", "УПАК", "УПАКОВКА", "КОРОБКА", "BOX",
        "SET", "KIT", "PCS", "1ШТ", "2ШТ", "4ШТ", "КОПИЯ", "COPY", "АНАЛОГ", "ЗАМЕНА",
        "REPLACEMENT", "NEW", "НОВЫЙ", "Б/У", "БУ", "USED",
    }
)  # fmt: skip

# Countries of origin: a trailing bracket naming one is a note (`(Китай)`).
COUNTRIES: tuple[str, ...] = (
    "ГЕРМАНИЯ", "КИТАЙ", "ЯПОНИЯ", "КОРЕЯ", "ЮЖНАЯ КОРЕЯ", "РОССИЯ", "РФ", "ТУРЦИЯ",
    "ТАЙВАНЬ", "ИТАЛИЯ", "ФРАНЦИЯ", "ИСПАНИЯ", "ПОЛЬША", "США", "ЧЕХИЯ", "ШВЕЦИЯ",
    "ИНДИЯ", "БЕЛЬГИЯ", "ВЕЛИКОБРИТАНИЯ", "АНГЛИЯ", "НИДЕРЛАНДЫ", "ВЕНГРИЯ",
    "СЛОВЕНИЯ", "АВСТРИЯ", "БРАЗИЛИЯ", "МАЛАЙЗИЯ", "ТАИЛАНД", "БЕЛАРУСЬ", "УКРАИНА",
    "ДАНИЯ", "ФИНЛЯНДИЯ", "ИРАН", "УЗБЕКИСТАН", "КАЗАХСТАН", "ЕВРОПА", "EU",
    "GERMANY", "CHINA", "JAPAN", "KOREA", "TAIWAN", "TURKEY", "ITALY", "FRANCE",
    "SPAIN", "POLAND", "USA", "CZECH REPUBLIC", "SWEDEN", "INDIA", "BELGIUM",
    "UK", "NETHERLANDS", "HUNGARY", "SLOVENIA", "AUSTRIA", "BRAZIL", "MALAYSIA",
    "THAILAND", "RUSSIA", "PRC", "SOUTH KOREA", "GREAT BRITAIN", "ENGLAND",
    "ROMANIA", "РУМЫНИЯ", "PORTUGAL", "ПОРТУГАЛИЯ", "MEXICO", "МЕКСИКА", "SLOVAKIA",
    "СЛОВАКИЯ", "INDONESIA", "ИНДОНЕЗИЯ", "VIETNAM", "ВЬЕТНАМ",
)  # fmt: skip
_COUNTRY_WORDS = frozenset(COUNTRIES)

_DROP = re.compile(r"[^0-9A-ZА-Я]+")
_TRAILING_GROUP = re.compile(r"\(([^()]*)\)\s*$")
_LOOKALIKE_TABLE = str.maketrans(LOOKALIKES)
# What a spreadsheet shows for a long number: `4.60123E+12`, `4,6E+12`, `2E15`.
# Real articles such as `210202E000` or `480E-1007011` are not matched.
SCIENTIFIC_PATTERN = (
    r"(?i)^\s*(?:\d[.,]\d+[eе]\+?\d+|\d+(?:[.,]\d+)?[eе]\+\d+|\d[eе]1\d)\s*$"
)
_SCIENTIFIC = re.compile(SCIENTIFIC_PATTERN)


def fold_article(text: str) -> str:
    """Upper-case, fold look-alike Cyrillic to Latin, drop everything else."""
    return _DROP.sub("", text.upper().translate(_LOOKALIKE_TABLE))


def split_note(
    text: str, is_note_word: Callable[[str], bool] | None = None
) -> tuple[str, str | None]:
    """Split trailing bracketed notes that name a brand, a packaging word or a
    country of origin.

    `ABE9006(NACHI)(BULK)` gives `("ABE9006", "NACHI BULK")`, `GH-12345 (KOREA)`
    gives `("GH-12345", "KOREA")`; `E(SL)` stays whole because `SL` is none of them.
    """
    check = is_note_word or _default_note_check()
    rest = text.rstrip()
    notes: list[str] = []
    while True:
        match = _TRAILING_GROUP.search(rest)
        if match is None:
            break
        word = match.group(1).strip()
        head = rest[: match.start()].rstrip()
        if not word or not head or not check(word):
            break
        notes.append(word)
        rest = head
    if not notes:
        return text, None
    return rest, " ".join(reversed(notes))


def _is_packaging_word(word: str) -> bool:
    return word.upper().replace(".", "").strip() in PACKAGING_WORDS


def is_note_text(word: str) -> bool:
    """A packaging word or a country of origin: a note whatever else is known."""
    return _is_packaging_word(word) or _is_country(word)


def _is_country(word: str) -> bool:
    return " ".join(word.upper().replace("Ё", "Е").split()) in _COUNTRY_WORDS


_default_check: Callable[[str], bool] | None = None


def _default_note_check() -> Callable[[str], bool]:
    """Packaging words, countries and every spelling in the shipped brand table."""
    global _default_check
    if _default_check is None:
        from crosses.brands import default_table

        _default_check = note_words_from(default_table().spellings)
    return _default_check


def normalize_article(
    text: str | None, is_note_word: Callable[[str], bool] | None = None
) -> tuple[str, str | None]:
    """Canonical article and the split-off note of a raw article text."""
    if text is None:
        return "", None
    head, note = split_note(text, is_note_word) if "(" in text else (text, None)
    return fold_article(head), note


def is_scientific(text: str) -> bool:
    """True for `4.60123E+12`-like text: an article mangled by a spreadsheet."""
    return bool(_SCIENTIFIC.match(text))


def article_expr(column: str | pl.Expr) -> pl.Expr:
    """The folding part of the rule as a vectorized polars expression."""
    expr = pl.col(column) if isinstance(column, str) else column
    return (
        expr.str.to_uppercase()
        .str.replace_many(list(LOOKALIKES), list(LOOKALIKES.values()))
        .str.replace_all(r"[^0-9A-ZА-Я]+", "")
    )


def note_words_from(brands: Iterable[str]) -> Callable[[str], bool]:
    """A note-word test that accepts packaging words and any of `brands`."""
    known = {fold_article(b) for b in brands if b}

    def check(word: str) -> bool:
        return is_note_text(word) or fold_article(word) in known

    return check
