"""A customer order as an Excel workbook for the client (openpyxl).

The sheet holds what the client may see: parts, quantities, the client's
prices and delivery days (numbers, from and to, as in the results workbook)
and the order's status; never purchase prices or suppliers. Labels are
Russian, as a client here expects.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from search.export import DAYS_COLUMNS, MONEY
from service.orders.logic import STATUS_LABELS
from service.orders.models import OrderLineOut, OrderOut

COLUMNS: tuple[tuple[str, int], ...] = (
    ("№", 6),
    ("Бренд", 18),
    ("Артикул", 18),
    ("Наименование", 48),
    ("Кол-во", 10),
    ("Цена, ₽", 14),
    ("Сумма, ₽", 14),
    *((label, width) for _, label, width in DAYS_COLUMNS),
)


def order_workbook(order: OrderOut, *, zone: dt.tzinfo) -> bytes:
    """The order's lines and total as XLSX bytes, its date in `zone`."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Заказ {order.id}"
    date = order.created_at.astimezone(zone).strftime("%d.%m.%Y")
    sheet.append([f"Заказ № {order.id} от {date}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"Клиент: {order.client_name}"])
    # a cancelled order must not pass for a valid one
    sheet.append([f"Статус: {STATUS_LABELS['ru'][order.status]}"])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([])
    header_row = _header(sheet)
    for line in order.lines:
        sheet.append(_row(line))
        _money(sheet, sheet.max_row)
    sheet.append(["", "", "", "Итого", "", "", Decimal(order.total)])
    _money(sheet, sheet.max_row)
    sheet.cell(row=sheet.max_row, column=4).font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet: Worksheet) -> int:
    sheet.append([label for label, _ in COLUMNS])
    row = sheet.max_row
    for col, (_, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=row, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    return row


def _row(line: OrderLineOut) -> list[object]:
    return [
        line.position,
        line.brand,
        line.offer.get("article_raw") or line.article,
        line.name,
        line.qty,
        Decimal(line.price),
        Decimal(line.amount),
        line.delivery_days_min,
        line.delivery_days_max,
    ]


def _money(sheet: Worksheet, row: int) -> None:
    for col in (6, 7):
        sheet.cell(row=row, column=col).number_format = MONEY
