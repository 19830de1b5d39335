"""Brand families propose analogs and never merge brands; the seed holds together."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crosses.brands import (
    FAMILIES_PATH,
    SEED_PATH,
    BrandTable,
    BrandTableError,
    brand_key,
    brand_key_expr,
    default_table,
)


@pytest.mark.parametrize(
    ("brand", "family", "relatives"),
    [
        ("KIA", "HYUNDAI-KIA", {"HYUNDAI", "HYUNDAI MOBIS", "GENESIS"}),
        ("Mobis", "HYUNDAI-KIA", {"HYUNDAI", "KIA", "GENESIS"}),
        ("ХЕНДАЙ", "HYUNDAI-KIA", {"KIA", "HYUNDAI MOBIS", "GENESIS"}),
        ("Knecht", "MAHLE", {"MAHLE", "BEHR"}),
        ("VW", "VAG", {"AUDI", "SKODA", "SEAT", "CUPRA"}),
        ("febi", "FERDINAND BILSTEIN", {"SWAG", "BLUE PRINT"}),
        ("LuK", "SCHAEFFLER", {"INA", "FAG", "RUVILLE"}),
        ("Lemförder", "ZF", {"ZF", "SACHS", "TRW", "BOGE"}),
    ],
)
def test_family_of_any_spelling_proposes_its_other_brands(
    brand: str, family: str, relatives: set[str]
) -> None:
    table = default_table()
    assert table.families_of(brand) == {family}
    assert table.relatives(brand) == relatives


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("HYUNDAI", "HYUNDAI MOBIS"),
        ("HYUNDAI", "KIA"),
        ("MOBIS", "KIA"),
        ("MAHLE", "KNECHT"),
        ("FEBI", "SWAG"),
        ("INA", "LUK"),
        ("AUDI", "VOLKSWAGEN"),
    ],
)
def test_q32_family_members_stay_distinct_brands(a: str, b: str) -> None:
    table = default_table()
    assert table.is_known(a) and table.is_known(b)
    assert table.canonical(a) != table.canonical(b)
    assert table.canonical(b) in table.relatives(a)


def test_mobis_is_hyundai_mobis_not_hyundai() -> None:
    table = default_table()
    assert table.canonical("MOBIS") == "HYUNDAI MOBIS"
    assert table.canonical("Hyundai Motor") == "HYUNDAI"


def test_every_family_member_is_a_canonical_brand_and_no_two_merge() -> None:
    table = default_table()
    for name, members in table.families.items():
        assert len(members) >= 2, name
        assert {table.canonical(m) for m in members} == set(members), name


def test_a_brand_outside_every_family_has_none() -> None:
    table = default_table()
    assert table.families_of("DR.MOTOR") == set()
    assert table.relatives("DR.MOTOR") == set()
    assert table.families_of("NO SUCH BRAND") == set()


def test_the_seed_is_large_and_every_canonical_is_a_fixed_point() -> None:
    table = default_table()
    names = table.canonical_names
    assert len(names) >= 400
    assert [table.canonical(n) for n in names] == names


def test_the_seed_lists_each_canonical_brand_once() -> None:
    lines = SEED_PATH.read_text(encoding="utf-8").splitlines()[1:]
    canonicals = [line.partition(";")[0] for line in lines if line.strip()]
    assert len(canonicals) == len(set(canonicals))


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (["KAYABA", "KYB", "Каяба"], "KYB"),
        (["MANN", "MANN-FILTER", "Mann Filter"], "MANN-FILTER"),
        (["VICTOR REINZ", "REINZ", "Victor-Reinz"], "VICTOR REINZ"),
        (["CITROËN", "Citroen", "СИТРОЕН"], "CITROEN"),
        (["ŠKODA", "Skoda", "ШКОДА"], "SKODA"),
        (["LÖBRO", "LOBRO"], "LOBRO"),
        (["AC Delco", "AC-DELCO", "ACDELCO", "AC_DELCO"], "ACDELCO"),
        (["SSANG YONG", "ССАНГЙОНГ", "KG Mobility"], "SSANGYONG"),
        (["Agip", "ENI"], "ENI"),
    ],
)
def test_usual_umlaut_and_cyrillic_spellings(
    spellings: list[str], canonical: str
) -> None:
    table = default_table()
    assert {table.canonical(s) for s in spellings} == {canonical}


def test_a_brand_typed_with_a_cyrillic_lookalike_is_found() -> None:
    table = default_table()
    assert table.canonical("BOSСH") == "BOSCH"  # С is Cyrillic
    assert table.canonical("МАЗ") == "MAZ"  # all-Cyrillic stays Cyrillic: not MAZDA
    assert table.canonical("МАЗДА") == "MAZDA"


def test_scalar_and_column_keys_agree() -> None:
    table = default_table()
    texts = [*sorted(table.spellings), "BOSСH", "LS(К)", "CITROËN", "STRASSE", ""]
    column = pl.Series(texts).to_frame("b").select(brand_key_expr(pl.col("b")))
    assert column["b"].to_list() == [brand_key(t) for t in texts]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_spelling_of_two_brands_is_refused(tmp_path: Path) -> None:
    seed = _write(tmp_path / "seed.csv", "canonical;aliases\nMAHLE;KNECHT\nKNECHT\n")
    with pytest.raises(BrandTableError, match="both `MAHLE` and `KNECHT`"):
        BrandTable.load(seed, families=None)


def test_a_family_must_name_canonical_brands(tmp_path: Path) -> None:
    seed = _write(tmp_path / "seed.csv", "canonical;aliases\nMAHLE;MAHLE ORIGINAL\n")
    families = _write(tmp_path / "f.csv", "family;brands\nMAHLE;MAHLE|KNECHT\n")
    with pytest.raises(BrandTableError, match="`KNECHT`, which is not a canonical"):
        BrandTable.load(seed, families=families)
    aliased = _write(tmp_path / "g.csv", "family;brands\nMAHLE;MAHLE|MAHLE ORIGINAL\n")
    with pytest.raises(BrandTableError, match="`MAHLE ORIGINAL`"):
        BrandTable.load(seed, families=aliased)


def test_shipped_families_file_loads_with_the_shipped_seed() -> None:
    table = BrandTable.load(SEED_PATH, families=FAMILIES_PATH)
    assert {"HYUNDAI-KIA", "MAHLE", "VAG", "FERDINAND BILSTEIN", "SCHAEFFLER"} <= set(
        table.families
    )
