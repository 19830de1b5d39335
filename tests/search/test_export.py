"""The results workbook: a heading that names the client, stock and delivery
days as numbers a client can sort and filter."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl

from search.export import quote_workbook

MOSCOW = ZoneInfo("Europe/Moscow")
LABELS = ["Тип", "Бренд", "Артикул", "Наименование", "Наличие", "Кратность",
          "Срок от, дн.", "Срок до, дн.", "Вероятность, %", "Цена, ₽"]  # fmt: skip


@dataclass(frozen=True)
class Buyer:
    name: str
    group_name: str


def line(**changes: Any) -> dict[str, Any]:
    """A quote line as the engine gives it (the keys the workbook reads)."""
    return {
        "match": "exact", "brand": "BOSCH", "article": "0986452041",
        "article_raw": "0 986 452 041", "name": "Фильтр масляный", "qty": 12,
        "qty_approx": False, "multiplicity": 1, "delivery_days_min": 1,
        "delivery_days_max": 2, "delivery_probability": 95.0, "price": "570.00",
        **changes,
    }  # fmt: skip


def _sheet(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_the_heading_names_the_client_and_group_it_was_priced_for() -> None:
    answer = {"query": {"brand": "BOSCH", "article": "0986452041"}, "lines": []}
    today = dt.datetime.now(MOSCOW).strftime("%d.%m.%Y")

    sheet = _sheet(
        quote_workbook(answer, zone=MOSCOW, client=Buyer("ООО Ромашка", "Опт"))
    )
    anonymous = _sheet(quote_workbook(answer, zone=MOSCOW))

    heading = [row[0] for row in sheet.iter_rows(max_row=4, values_only=True)]
    assert heading == [
        "Предложение по запросу: BOSCH 0986452041",
        "Клиент: ООО Ромашка, группа: Опт",
        f"Дата: {today}",
        None,
    ]
    assert [row[0] for row in anonymous.iter_rows(max_row=3, values_only=True)] == [
        "Предложение по запросу: BOSCH 0986452041", f"Дата: {today}", None,
    ]  # fmt: skip


def test_stock_and_delivery_days_are_numbers_an_approximate_stock_its_lower_bound() -> (
    None
):
    lines = [
        line(),
        line(qty=10, qty_approx=True, delivery_days_min=3, delivery_days_max=3),
        line(qty=1, qty_approx=True, match="analog", price=None),
        line(qty=None, delivery_days_min=None, delivery_days_max=None,
             delivery_probability=None),
        line(qty=0, delivery_days_min=None, delivery_days_max=7),
    ]  # fmt: skip

    sheet = _sheet(quote_workbook({"lines": lines}, zone=MOSCOW))

    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows == [
        tuple(LABELS),
        ("запрошенный", "BOSCH", "0 986 452 041", "Фильтр масляный", 12, 1, 1, 2,
         95, 570),
        ("запрошенный", "BOSCH", "0 986 452 041", "Фильтр масляный", 10, 1, 3, 3,
         95, 570),
        ("аналог", "BOSCH", "0 986 452 041", "Фильтр масляный", 1, 1, 1, 2, 95,
         "по запросу"),
        ("запрошенный", "BOSCH", "0 986 452 041", "Фильтр масляный", "под заказ", 1,
         None, None, None, 570),
        ("запрошенный", "BOSCH", "0 986 452 041", "Фильтр масляный", 0, 1, None, 7,
         95, 570),
    ]  # fmt: skip
    stock_formats = [sheet.cell(row=r, column=5).number_format for r in range(5, 10)]
    assert stock_formats == ["General", '"от "0', '"есть"', "General", "General"]
