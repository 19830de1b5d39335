"""A quote answer as an Excel workbook to send to a client (openpyxl).

The sheet holds what the client may see: the part, the price for this
client, stock and delivery; never the purchase price or the supplier.
Labels are Russian, as a client here expects.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

MATCH_LABELS = {
    "exact": "запрошенный",
    "verified_analog": "проверенный аналог",
    "analog": "аналог",
}
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("match", "Тип", 20),
    ("brand", "Бренд", 18),
    ("article_raw", "Артикул", 18),
    ("name", "Наименование", 48),
    ("qty", "Наличие", 10),
    ("multiplicity", "Кратность", 10),
    ("delivery", "Срок, дн.", 10),
    ("delivery_probability", "Вероятность, %", 14),
    ("price", "Цена, ₽", 14),
)


def delivery_text(line: dict[str, Any]) -> str:
    """Delivery days as `2` or `2–4`; empty when unknown."""
    lo, hi = line.get("delivery_days_min"), line.get("delivery_days_max")
    if lo is None and hi is None:
        return ""
    if lo is None or hi is None or lo == hi:
        return str(lo if lo is not None else hi)
    return f"{lo}–{hi}"


def _qty(line: dict[str, Any]) -> str:
    qty = line.get("qty")
    if qty is None:
        return "под заказ"
    if line.get("qty_approx"):
        return "есть" if qty <= 1 else f"от {qty}"
    return str(qty)


def _cell(line: dict[str, Any], key: str) -> Any:
    if key == "match":
        return MATCH_LABELS.get(line.get("match", ""), line.get("match"))
    if key == "delivery":
        return delivery_text(line)
    if key == "qty":
        return _qty(line)
    if key == "price":
        return Decimal(line["price"]) if line.get("price") else "по запросу"
    if key == "article_raw":
        return line.get("article_raw") or line.get("article")
    return line.get(key)


def quote_workbook(
    answer: dict[str, Any], *, zone: dt.tzinfo, title: str | None = None
) -> bytes:
    """The lines of a quote answer as XLSX bytes, dated today in `zone`."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Проценка"
    query = answer.get("query") or {}
    asked = " ".join(
        str(query[k]) for k in ("brand", "article", "text") if query.get(k)
    )
    sheet.append([title or f"Предложение по запросу: {asked}".strip()])
    sheet.append([f"Дата: {dt.datetime.now(zone).strftime('%d.%m.%Y')}"])
    sheet.append([])
    sheet.append([label for _, label, _ in COLUMNS])
    header_row = sheet.max_row
    for col, (_, _, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet["A1"].font = Font(bold=True, size=13)
    lines = answer.get("lines") or []
    for line in lines:
        sheet.append([_cell(line, key) for key, _, _ in COLUMNS])
        price = sheet.cell(row=sheet.max_row, column=len(COLUMNS))
        price.number_format = "#,##0.00"
    if not lines:
        sheet.append(["Нет предложений по этому запросу"])
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
