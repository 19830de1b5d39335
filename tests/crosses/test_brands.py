"""Brand identity quirks (Q31-Q33): aliases, families, cleaning, review."""

from __future__ import annotations

import polars as pl
import pytest

from crosses.brands import BrandTable, clean_brand, default_table


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (["DR.MOTOR", "Dr.Motor Automotive", "DR MOTOR", "dr.motor"], "DR.MOTOR"),
        (["AUTOFREN", "AUTOFREN SEINSA", "Autofren Seinsa"], "AUTOFREN SEINSA"),
    ],
)
def test_q31_alias_spellings_are_one_brand(
    spellings: list[str], canonical: str
) -> None:
    table = default_table()
    assert {table.canonical(s) for s in spellings} == {canonical}


def test_q31_new_spelling_goes_to_review_never_merged_by_a_fuzzy_score() -> None:
    table = default_table()
    assert table.canonical("DR MOTORS") == "DR MOTORS"
    assert not table.is_known("DR MOTORS")
    assert "DR.MOTOR" in table.suggest("DR MOTORS")  # offered to a person, not applied
    assert table.canonical("AUTOFREN SEINSA SL") == "AUTOFREN SEINSA SL"


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (["MB", "MERCEDES", "MERCEDES BENZ", "Mercedes-Benz"], "MERCEDES-BENZ"),
        (["FEBI", "FEBI BILSTEIN", "febi-bilstein"], "FEBI BILSTEIN"),
        (["LEMFÖRDER", "LEMFORDER", "LEMFOERDER", "Lemförder"], "LEMFORDER"),
        (["ВАЗ", "LADA", "АвтоВАЗ"], "LADA"),
    ],
)
def test_q32_same_brand_under_several_names(
    spellings: list[str], canonical: str
) -> None:
    table = default_table()
    assert {table.canonical(s) for s in spellings} == {canonical}


@pytest.mark.parametrize(("a", "b"), [("MOBIS", "HYUNDAI"), ("MAHLE", "KNECHT")])
def test_q32_families_are_not_one_brand(a: str, b: str) -> None:
    table = default_table()
    assert table.is_known(a) and table.is_known(b)
    assert table.canonical(a) != table.canonical(b)


@pytest.mark.parametrize(
    ("cell", "brand"),
    [
        ("Polaris (Китай)", "POLARIS"),
        ("BOSCH / Германия", "BOSCH"),
        ("Bosch (Germany)", "BOSCH"),
        ("  febi ,  Германия ", "FEBI"),
        ("LS(к)", "LS(К)"),  # not a country: only upper-cased
        ("Hyundai/Kia", "HYUNDAI/KIA"),  # two makers, kept for review
    ],
)
def test_q33_brand_cells_with_country_notes_are_cleaned(cell: str, brand: str) -> None:
    assert clean_brand(cell) == brand


def test_q33_cleaning_then_aliases_agree_between_scalar_and_column() -> None:
    table = default_table()
    cells = ["Polaris (Китай)", "BOSCH / Германия", "MB", "Lemförder (Германия)", "ВАЗ"]
    column = pl.DataFrame({"b": cells}).select(table.canonical_expr("b"))["b"].to_list()
    assert column == [table.canonical(c) for c in cells]
    assert column == ["POLARIS", "BOSCH", "MERCEDES-BENZ", "LEMFORDER", "LADA"]


def test_q31_a_table_learns_a_reviewed_alias() -> None:
    table = BrandTable()
    table.add("DR.MOTOR", ["DR MOTOR AUTOMOTIVE"])
    assert table.canonical("DR MOTORS") == "DR MOTORS"
    table.add("DR.MOTOR", ["DR MOTORS"])  # after a person said so
    assert table.canonical("Dr Motors") == "DR.MOTOR"
