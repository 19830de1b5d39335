"""A quote answer as an Excel workbook to send to a client (openpyxl).

The sheet holds what the client may see: the part, the price for this
client, stock and delivery; never the purchase price or the supplier.
Labels are Russian, as a client here expects. Stock and delivery days are
numbers, so the client can sort and filter them: an approximate stock
(`>10`, `есть`) is its lower bound, shown `от 10` (or `есть`) by the cell's
format; stock to order is the text `под заказ`.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

MATCH_LABELS = {
    "exact": "запрошенный",
    "verified_analog": "проверенный аналог",
    "analog": "аналог",
}
# delivery days in two number columns a client can sort and filter
DAYS_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("delivery_days_min", "Срок от, дн.", 9),
    ("delivery_days_max", "Срок до, дн.", 9),
)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("match", "Тип", 20),
    ("brand", "Бренд", 18),
    ("article_raw", "Артикул", 18),
    ("name", "Наименование", 48),
    ("qty", "Наличие", 10),
    ("multiplicity", "Кратность", 10),
    *DAYS_COLUMNS,
    ("delivery_probability", "Вероятность, %", 14),
    ("price", "Цена, ₽", 14),
)
# number formats: the value stays the lower bound, the text says it is one
STOCK_FROM = '"от "0'
STOCK_SOME = '"есть"'
MONEY = "#,##0.00"
MISSING = (
    "Строк с экрана, которых больше нет в предложении: {n} (поставщик обновил "
    "прайс-лист или снял предложение)"
)


class WorkbookClient(Protocol):
    """Whom a workbook was priced for, as its heading names them."""

    @property
    def name(self) -> str: ...

    @property
    def group_name(self) -> str: ...


def delivery_text(line: dict[str, Any]) -> str:
    """Delivery days as `2` or `2–4`; empty when unknown."""
    lo, hi = line.get("delivery_days_min"), line.get("delivery_days_max")
    if lo is None and hi is None:
        return ""
    if lo is None or hi is None or lo == hi:
        return str(lo if lo is not None else hi)
    return f"{lo}–{hi}"


def _qty(line: dict[str, Any]) -> int | str:
    qty: int | None = line.get("qty")
    return "под заказ" if qty is None else qty


def _qty_format(line: dict[str, Any]) -> str | None:
    qty = line.get("qty")
    if qty is None or not line.get("qty_approx"):
        return None
    return STOCK_SOME if qty <= 1 else STOCK_FROM


def _cell(line: dict[str, Any], key: str) -> Any:
    if key == "match":
        return MATCH_LABELS.get(line.get("match", ""), line.get("match"))
    if key == "qty":
        return _qty(line)
    if key == "price":
        return Decimal(line["price"]) if line.get("price") else "по запросу"
    if key == "article_raw":
        return line.get("article_raw") or line.get("article")
    return line.get(key)


def quote_workbook(
    answer: dict[str, Any],
    *,
    zone: dt.tzinfo,
    client: WorkbookClient | None = None,
    title: str | None = None,
    missing: int = 0,
) -> bytes:
    """The lines of a quote answer as XLSX bytes, dated today in `zone`,
    headed with the `client` it was priced for and, when `missing` lines
    asked for are no longer offered, how many."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Проценка"
    _heading(sheet, answer, zone=zone, client=client, title=title, missing=missing)
    header_row = _header(sheet)
    lines = answer.get("lines") or []
    for line in lines:
        sheet.append([_cell(line, key) for key, _, _ in COLUMNS])
        _formats(sheet[sheet.max_row], line)
    if not lines:
        sheet.append(["Нет предложений по этому запросу"])
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _heading(
    sheet: Worksheet,
    answer: dict[str, Any],
    *,
    zone: dt.tzinfo,
    client: WorkbookClient | None,
    title: str | None,
    missing: int,
) -> None:
    query = answer.get("query") or {}
    asked = " ".join(
        str(query[k]) for k in ("brand", "article", "text") if query.get(k)
    )
    sheet.append([title or f"Предложение по запросу: {asked}".strip()])
    sheet["A1"].font = Font(bold=True, size=13)
    if client is not None:
        sheet.append([f"Клиент: {client.name}, группа: {client.group_name}"])
    sheet.append([f"Дата: {dt.datetime.now(zone).strftime('%d.%m.%Y')}"])
    if missing:
        sheet.append([MISSING.format(n=missing)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([])


def _header(sheet: Worksheet) -> int:
    sheet.append([label for _, label, _ in COLUMNS])
    row = sheet.max_row
    for col, (_, _, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=row, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    return row


def _formats(cells: tuple[Cell, ...], line: dict[str, Any]) -> None:
    by_key = {key: cell for (key, _, _), cell in zip(COLUMNS, cells, strict=False)}
    by_key["price"].number_format = MONEY
    stock = _qty_format(line)
    if stock is not None:
        by_key["qty"].number_format = stock
