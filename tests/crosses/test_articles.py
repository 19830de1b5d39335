"""Article identity quirks (Q22, Q27-Q30): the canonical form of a part number."""

from __future__ import annotations

import polars as pl
import pytest

from crosses.articles import article_expr, is_scientific, normalize_article, split_note


def test_q27_spaced_and_unspaced_article_are_one() -> None:
    assert normalize_article("58101D7A50") == normalize_article("58101 D7A50")
    assert normalize_article("58101 D7A50") == ("58101D7A50", None)


@pytest.mark.parametrize(
    ("raw", "article", "note"),
    [
        ("ABE9006(NACHI)", "ABE9006", "NACHI"),
        ("ABE9018(FAG)(BULK)", "ABE9018", "FAG BULK"),
        ("ABE9006 (NACHI)", "ABE9006", "NACHI"),
        ("ABE9006", "ABE9006", None),
        ("236-1104001(КООП)", "2361104001", "КООП"),  # a packaging/maker note
        ("E(SL)", "ESL", None),  # SL is neither a brand nor a packaging word
        ("E-1(SL)", "E1SL", None),
    ],
)
def test_q28_trailing_brand_or_packaging_notes_are_split_off(
    raw: str, article: str, note: str | None
) -> None:
    is_note = (
        (lambda w: w.upper() in {"NACHI", "FAG", "КООП"}) if "КООП" in raw else None
    )
    assert normalize_article(raw, is_note) == (article, note)


def test_q28_every_spelling_finds_the_same_article() -> None:
    spellings = ["ABE9006", "ABE9006(NACHI)", "ABE-9006", "abe 9006 (bulk)"]
    assert {normalize_article(s)[0] for s in spellings} == {"ABE9006"}
    assert split_note("ABE9006(NACHI)") == ("ABE9006", "NACHI")


@pytest.mark.parametrize(
    ("raw", "article"),
    [
        ("А5150", "A5150"),  # Cyrillic А
        ("0986АF1234", "0986AF1234"),  # Cyrillic А between Latin
        ("С22015", "C22015"),
        ("236НЕ2-1111001-01", "236HE2111100101"),
        ("Д387Е", "Д387E"),  # Д has no Latin look-alike: kept
        ("ЩС90", "ЩC90"),  # not a keyboard-layout switch (that would be OC90)
    ],
)
def test_q29_lookalike_cyrillic_folds_to_latin_not_by_keyboard_layout(
    raw: str, article: str
) -> None:
    assert normalize_article(raw)[0] == article
    assert normalize_article("А5150")[0] != "F5150"


@pytest.mark.parametrize(
    ("raw", "article"),
    [
        ("0 986 452 041", "0986452041"),
        ("0.986.452.041", "0986452041"),
        ("0986-452-041", "0986452041"),
        ("0986/452\\041", "0986452041"),
        ("A 000 420 12 20", "A0004201220"),
        ("1K0 615 301 AA", "1K0615301AA"),
        ("1k0-615-301-aa", "1K0615301AA"),
        ("00001", "00001"),  # leading zeros kept
    ],
)
def test_q30_separators_dropped_and_leading_zeros_kept(raw: str, article: str) -> None:
    assert normalize_article(raw)[0] == article


def test_q27_q30_scalar_and_column_rules_agree() -> None:
    raw = [
        "58101 D7A50", "А5150", "0986АF1234", "0 986 452 041", "0.986.452.041",
        "A 000 420 12 20", "1K0 615 301 AA", "Д387Ё", "ЩС90", "ecs1410-е",
    ]  # fmt: skip
    column = pl.DataFrame({"a": raw}).select(article_expr("a"))["a"].to_list()
    assert column == [normalize_article(r)[0] for r in raw]


@pytest.mark.parametrize(
    ("text", "scientific"),
    [
        ("4.60123E+12", True),
        ("2E15", True),
        ("4,6E+12", True),
        ("1.2e+15", True),
        ("210202E000", False),  # real Hyundai/Kia article
        ("480E-1007011", False),
        ("E15", False),
        ("0986452041", False),
    ],
)
def test_q22_scientific_notation_is_recognised(text: str, scientific: bool) -> None:
    assert is_scientific(text) is scientific


@pytest.mark.parametrize(
    ("text", "head", "note"),
    [
        ("GH-12345 (KOREA)", "GH-12345", "KOREA"),
        ("GH-12345 (Китай)", "GH-12345", "Китай"),
        ("0 986 452 041 (Germany)", "0 986 452 041", "Germany"),
        ("W 712/75 (south  korea)", "W 712/75", "south  korea"),
        ("ABE9006 (NACHI) (Япония)", "ABE9006", "NACHI Япония"),
        ("E(SL)", "E(SL)", None),
    ],
)
def test_a_country_in_a_trailing_bracket_is_a_note(
    text: str, head: str, note: str | None
) -> None:
    assert split_note(text) == (head, note)
    assert normalize_article(text)[0] == normalize_article(head)[0]
