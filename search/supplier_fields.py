"""Checks shared by price-list profiles and online supplier configs."""

from __future__ import annotations

import re

SUPPLIER_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
"""Short, lower case and safe as a folder name."""
SUPPLIER_ID_HINT = "use lower-case letters, digits, `-`, `_` or `.` (at most 64)"
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def supplier_id(value: str) -> str:
    """`value` when it is a valid supplier id, else `ValueError` saying why."""
    if not SUPPLIER_ID.match(value):
        raise ValueError(f"supplier id `{value}` is not valid: {SUPPLIER_ID_HINT}")
    return value


def currency(value: str) -> str:
    """`value` when it is an ISO 4217 code, else `ValueError`."""
    if not _CURRENCY.match(value):
        raise ValueError(f"currency `{value}` is not an ISO 4217 code")
    return value
