"""A sheet of cells as the readers give it, before any column is mapped.

Two shapes: `FrameTable` (text cells in a polars frame: CSV, HTML, XML) and
`CellTable` (typed spreadsheet cells plus number formats: XLSX, XLS). Both
render a column as the text a person sees in the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

import polars as pl

HEAD_ROWS = 60
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


class Table(Protocol):
    """What header detection and value parsing need from any reader."""

    source: str
    sheet: str | None
    warnings: list[str]

    @property
    def n_rows(self) -> int: ...

    @property
    def n_cols(self) -> int: ...

    def head(self, n: int = HEAD_ROWS) -> list[list[str]]:
        """The first `n` rows as display text ('' for empty cells)."""
        ...

    def column(self, index: int, start: int) -> tuple[pl.Series, pl.Series | None]:
        """Display text of column `index` from row offset `start`, and a mask of
        cells that were numbers in the file (None where the format has no types)."""
        ...

    def row_numbers(self, start: int) -> pl.Series:
        """1-based row numbers (Excel rows, CSV records) from row offset `start`."""
        ...


@dataclass
class FrameTable:
    """Text cells in a frame with columns `c0..cN`."""

    source: str
    sheet: str | None
    frame: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    first_row_number: int = 1

    @property
    def n_rows(self) -> int:
        return self.frame.height

    @property
    def n_cols(self) -> int:
        return self.frame.width

    def head(self, n: int = HEAD_ROWS) -> list[list[str]]:
        return [[c or "" for c in row] for row in self.frame.head(n).iter_rows()]

    def column(self, index: int, start: int) -> tuple[pl.Series, pl.Series | None]:
        if index >= self.frame.width:
            return pl.Series([None] * (self.n_rows - start), dtype=pl.String), None
        return self.frame.to_series(index).slice(start), None

    def row_numbers(self, start: int) -> pl.Series:
        first = self.first_row_number + start
        return pl.int_range(
            first, first + self.n_rows - start, dtype=pl.Int32, eager=True
        )


def render_number(value: float, pad: int = 0) -> str:
    """The text Excel shows for a number: digits, zero-padded for `000…` formats."""
    if value == int(value) and abs(value) < 1e17:
        text = str(int(value))
        return text.zfill(pad) if pad and value >= 0 else text
    return repr(float(value))


@dataclass
class CellTable:
    """Typed spreadsheet cells (rows of Python values) and zero-padding formats."""

    source: str
    sheet: str | None
    rows: list[list[Any]]
    pads: dict[tuple[int, int], int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def head(self, n: int = HEAD_ROWS) -> list[list[str]]:
        out = []
        for r, row in enumerate(self.rows[:n]):
            out.append([self._text(r, c, v)[0] or "" for c, v in enumerate(row)])
        return out

    def _text(self, r: int, c: int, value: object) -> tuple[str | None, bool]:
        if value is None or value == "":
            return None, False
        if isinstance(value, str):
            return value, False
        if isinstance(value, bool):
            return ("TRUE" if value else "FALSE"), False
        if isinstance(value, int | float):
            return render_number(value, self.pads.get((r, c), 0)), True
        if isinstance(value, dt.datetime | dt.date):
            pad = self.pads.get((r, c), 0)
            if pad:  # a zero-padded number a reader took for a date
                moment = (
                    value
                    if isinstance(value, dt.datetime)
                    else dt.datetime(value.year, value.month, value.day)
                )
                serial = (moment - _EXCEL_EPOCH).total_seconds() / 86400
                return render_number(serial, pad), True
            return value.isoformat(), False
        if isinstance(value, dt.time | dt.timedelta):
            return str(value), False
        return str(value), False

    def column(self, index: int, start: int) -> tuple[pl.Series, pl.Series | None]:
        rows = self.rows
        values = [row[index] if index < len(row) else None for row in rows[start:]]
        kinds = set(map(type, values))
        padded = any(c == index for _r, c in self.pads)
        if (
            kinds <= _PLAIN_KINDS
            and not padded
            and (
                int not in kinds
                or all(abs(v) <= 2**53 for v in values if type(v) is int)  # type: ignore[arg-type]
            )
        ):
            return _plain_column(values, kinds)
        texts: list[str | None] = []
        numbers: list[bool] = []
        pads = self.pads
        for offset, value in enumerate(values):
            if value is None or value == "":
                texts.append(None)
                numbers.append(False)
            elif isinstance(value, str):
                texts.append(value)
                numbers.append(False)
            elif isinstance(value, float) and not pads:
                texts.append(render_number(value))
                numbers.append(True)
            else:
                text, is_number = self._text(start + offset, index, value)
                texts.append(text)
                numbers.append(is_number)
        return (
            pl.Series(texts, dtype=pl.String),
            pl.Series(numbers, dtype=pl.Boolean),
        )

    def row_numbers(self, start: int) -> pl.Series:
        return pl.int_range(start + 1, self.n_rows + 1, dtype=pl.Int32, eager=True)


_PLAIN_KINDS = frozenset({str, float, int, type(None)})


def _plain_column(
    values: list[object], kinds: set[type]
) -> tuple[pl.Series, pl.Series]:
    """`CellTable.column` for cells that are only text, numbers or empty, with no
    zero-padding format in the column: whole-column work instead of a Python
    call per cell (the same text as `render_number`)."""
    n = len(values)
    if not kinds & {float, int}:  # text only: '' is an empty cell
        text = pl.Series(values, dtype=pl.String)
        text = pl.select(pl.when(pl.lit(text) != "").then(pl.lit(text))).to_series()
        return text.alias(""), pl.repeat(False, n, dtype=pl.Boolean, eager=True)
    strings = [v if type(v) is str and v != "" else None for v in values]
    numbers = [v if type(v) is float or type(v) is int else None for v in values]
    frame = pl.DataFrame(
        {
            "s": pl.Series(strings, dtype=pl.String),
            "f": pl.Series(numbers, dtype=pl.Float64, strict=False),
        }
    )
    f = pl.col("f")
    whole = f.is_finite() & (f == f.floor()) & (f.abs() < 1e17)
    # polars prints a float like Python's repr() between 1e-4 and 1e16
    positional = f.is_finite() & (f.abs() >= 1e-4) & (f.abs() < 1e16)
    out = frame.select(
        text=pl.coalesce(
            pl.col("s"),
            pl.when(whole)
            .then(f.cast(pl.Int64, strict=False).cast(pl.String))
            .when(positional)
            .then(f.cast(pl.String)),
        ),
        number=f.is_not_null(),
        odd=f.is_not_null() & ~whole & ~positional,
    )
    text = out["text"]
    if out["odd"].any():  # 1e-05, 1e+16, inf, big ints: the scalar rule
        fixed = text.to_list()
        for i in out["odd"].arg_true().to_list():
            fixed[i] = render_number(values[i])  # type: ignore[arg-type]
        text = pl.Series(fixed, dtype=pl.String)
    return text.alias(""), out["number"].alias("")
