"""Supplier profiles: validation with clear errors, and what they pin."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from parts.settings import Settings
from pipelines.pricelists.errors import ProfileError
from pipelines.pricelists.ingest import parse_price_file
from pipelines.pricelists.load import limits_from
from pipelines.pricelists.profiles import SupplierProfile, load_profile, load_profiles


def _parse(path: Path, profile: SupplierProfile | None) -> pl.DataFrame:
    return parse_price_file(
        path, supplier_id="s", profile=profile, limits=limits_from(Settings()),
        tmp_dir=path.parent / "tmp", max_reject_share=0.5,
    ).offers  # fmt: skip


def test_brand_rules_strip_then_map_before_aliases(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "ГРУППА;№ ПРОИЗВ.;Наименование;Цена\n"
        "Бош [опт];0 986 452 041;Фильтр;100\n"
        "MB [опт];A 000 420 12 20;Колодки;200\n"
        "Febi;123;Тяга;300\n",
        encoding="utf-8",
    )
    profile = SupplierProfile.model_validate(
        {
            "id": "s",
            "columns": {"brand": "ГРУППА", "article": "№ ПРОИЗВ.", "price": "D"},
            "brands": {"strip": [r"\s*\[опт\]"], "map": {"бош": "BOSCH"}},
        }
    )
    offers = _parse(path, profile)
    assert offers.select("brand", "brand_raw", "article").rows() == [
        ("BOSCH", "Бош [опт]", "0986452041"),
        ("MERCEDES-BENZ", "MB [опт]", "A0004201220"),
        ("FEBI BILSTEIN", "Febi", "123"),
    ]
    assert offers["name"].to_list() == [None, None, None]  # not pinned, not guessed


def test_profile_brand_and_warehouse_fill_files_without_them(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Артикул;Цена;Кол-во\n01673147;453,46;1\n", encoding="utf-8")
    profile = SupplierProfile.model_validate(
        {"id": "s", "brand": "Haval", "warehouse": "Кунцево", "delivery_days": [1, 2]}
    )
    row = _parse(path, profile).row(0, named=True)
    assert (row["brand"], row["article"], row["warehouse"]) == (
        "HAVAL",
        "01673147",
        "Кунцево",
    )
    assert (row["delivery_days_min"], row["delivery_days_max"]) == (1, 2)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('id = "../x"', "supplier id"),
        ('id = "s"\ncurrency = "rub"', "ISO 4217"),
        ('id = "s"\n[columns]\nprise = "A"', "unknown fields"),
        ('id = "s"\n[columns]\nprice = ["A", "B"]', "only `qty`"),
        ('id = "s"\n[brands]\nstrip = ["("]', "brand strip pattern"),
        ('id = "s"\nunknown_key = 1', "unknown_key"),
        ('id = "s"\n[reader]\nheader_rows = 9', "header_rows"),
        ("id = ", "invalid supplier profile"),
    ],
)
def test_bad_profile_names_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"s\.toml") as caught:
        load_profile(path)
    assert message in str(caught.value)


def test_two_profiles_for_one_supplier_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('id = "s"', encoding="utf-8")
    (tmp_path / "b.toml").write_text('id = "s"', encoding="utf-8")
    with pytest.raises(ProfileError, match="two profiles"):
        load_profiles(tmp_path)


def test_shipped_profiles_are_valid() -> None:
    from tests.conftest import PROFILES, REPO

    for folder in (PROFILES, REPO / "suppliers"):
        for profile in load_profiles(folder).values():
            assert profile.id
