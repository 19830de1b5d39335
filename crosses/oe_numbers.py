"""Numbers given without their maker: the maker, where the number's shape is certain.

A cross file often lists original numbers with no brand (`LR015556`,
`970.573.111.01`, `1405365`), and usage codes that are other articles of the
part's own supplier (`AC 1163 000S` next to MAHLE `AC 1163 000P`). A number
gets a maker here only when its shape belongs to one maker alone; anything
else stays unknown (an empty brand), and the cross graph lists such numbers
without passing through them. Never assign one OE brand to a whole row: one
row can hold Land Rover, Jaguar, Ford and Volvo numbers.
"""

from __future__ import annotations

import re

import polars as pl

# canonical article pattern → maker
CERTAIN_SHAPES: tuple[tuple[str, str], ...] = (
    (r"^LR\d{6}$", "LAND ROVER"),
    # MAHLE (Behr) thermal articles: compressor AC 273 000S, radiator CR 1140 000S,
    # heater AH, evaporator AE, intercooler CI, … always `<type> <n> 000<line>`.
    (r"^(?:AC|AE|AH|AK|AP|AT|AX|CI|CIR|CR|LA)\d{1,4}000[A-Z]$", "MAHLE"),
)  # fmt: skip

_COMPILED = tuple((re.compile(p), maker) for p, maker in CERTAIN_SHAPES)


def maker_of(article: str) -> str | None:
    """The maker of a canonical number whose shape is certain, else None."""
    for pattern, maker in _COMPILED:
        if pattern.match(article):
            return maker
    return None


def maker_expr(article: str | pl.Expr) -> pl.Expr:
    """`maker_of` as a polars expression (null where the maker is not certain)."""
    expr = pl.col(article) if isinstance(article, str) else article
    out = pl.lit(None, dtype=pl.String)
    for pattern, maker in reversed(CERTAIN_SHAPES):
        out = pl.when(expr.str.contains(pattern)).then(pl.lit(maker)).otherwise(out)
    return out
