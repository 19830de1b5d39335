"""Header detection and column mapping on shapes seen in 1C exports."""

from __future__ import annotations

from pathlib import Path

from parts.settings import Settings
from pipelines.pricelists.headers import assign_fields, detect_header
from pipelines.pricelists.ingest import parse_price_file
from pipelines.pricelists.load import limits_from


def test_group_row_under_the_header_does_not_hide_it(tmp_path: Path) -> None:
    path = tmp_path / "price.csv"
    path.write_text(
        "Прайс-лист от 01.12.2026\n\n"
        "Артикул;Бренд;Наименование;Цена;Остаток\n"
        "Фильтры;;;;\n"
        "W 712/75;MANN;Фильтр масляный;512,40;>10\n"
        "Свечи;;;;\n"
        "BKR6E;NGK;Свеча зажигания;310,00;4\n",
        encoding="utf-8",
    )
    result = parse_price_file(
        path, supplier_id="s", profile=None, limits=limits_from(Settings()),
        tmp_dir=tmp_path, max_reject_share=0.25,
    )  # fmt: skip
    offers = result.offers.select("row", "brand", "article", "qty")
    assert offers.rows() == [(5, "MANN-FILTER", "W71275", 10), (7, "NGK", "BKR6E", 4)]
    assert result.report.rows_rejected == 0
    assert result.report.value_notes["group_rows_skipped"] == 2


def test_purchase_price_wins_over_retail_columns() -> None:
    names = ["Номер детали", "Производитель", "Цена реализации Шт", "Цена закупки (шт)"]
    mapping = assign_fields(names)
    assert (mapping["article"].index, mapping["brand"].index, mapping["price"].index) == (
        0, 1, 3,
    )  # fmt: skip


def test_two_row_header_joins_the_cells() -> None:
    head = [
        ["Номенклатура", "Артикул", "Цена", "", "Склад наличия"],
        ["", "", "Опт", "Розница", "Остаток"],
        ["Фильтр", "W712/75", "512", "640", "3"],
    ]
    guess = detect_header(head)
    assert guess is not None
    assert guess.names == [
        "Номенклатура", "Артикул", "Цена Опт", "Цена Розница", "Склад наличия Остаток",
    ]  # fmt: skip
    assert guess.mapping["price"].index == 2
    assert guess.mapping["qty"].index == 4
