"""Structural VIN decoding (ISO 3779, 49 CFR 565): no outside service needed.

A 17-character VIN is WMI (positions 1-3: maker and country), VDS (4-9, the
9th being a check digit in North America) and VIS (10: model year, 11: plant,
12-17: serial). The WMI table is the project's own (`data/wmi.csv`); the
country comes from the ISO 3779 ranges of the first two characters
(`data/wmi_countries.csv`), so an unknown WMI still has a country.

Model year (position 10) repeats every 30 years (`A` = 1980 or 2010). The
rule, documented in `docs/catalogue-format.md`:

1. only years up to next year are plausible (a 2026 lookup never says 2036);
2. a VIN built to the North American rules — first character 1-5, or any VIN
   whose check digit is right — follows 49 CFR 565.15: position 7 a digit means
   1980-2009, a letter means 2010-2039;
3. any other VIN takes the latest plausible year (a LADA `K` is 2019, not 1989).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crosses.articles import LOOKALIKES

DATA = Path(__file__).parent / "data"
WMI_PATH = DATA / "wmi.csv"
COUNTRIES_PATH = DATA / "wmi_countries.csv"

VIN_LENGTH = 17
ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ1234567890"
"""VIN characters in the order ISO 3779 ranges use (I, O, Q never appear)."""

YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
"""Position 10 codes for 1980..2009; the cycle repeats from 2010."""

WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7, "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}  # fmt: skip
_FORBIDDEN = "IOQ"
_WILDCARDS = "*?_"
_NORTH_AMERICA = "12345"
_REGIONS = (
    ("ABCDEFGH", "Africa"), ("JKLMNPR", "Asia"), ("STUVWXYZ", "Europe"),
    ("12345", "North America"), ("67", "Oceania"), ("89", "South America"),
)  # fmt: skip
_SPACES = re.compile(r"[\s\u00a0-]+")
_TO_LATIN = str.maketrans(LOOKALIKES)


@dataclass(frozen=True)
class WmiEntry:
    """One row of a WMI table: who builds vehicles under this code."""

    wmi: str
    manufacturer: str
    makes: tuple[str, ...] = ()
    country: str | None = None


@dataclass
class WmiTable:
    """WMI codes to manufacturers, and ISO 3779 prefixes to countries."""

    entries: dict[str, WmiEntry] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = WMI_PATH, countries: Path = COUNTRIES_PATH) -> WmiTable:
        """The shipped table: `wmi;manufacturer;makes;country` plus the ranges."""
        table = cls(countries=read_country_ranges(countries))
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter=";"):
                makes = tuple(m.strip() for m in row["makes"].split("|") if m.strip())
                table.entries[row["wmi"].strip()] = WmiEntry(
                    wmi=row["wmi"].strip(),
                    manufacturer=row["manufacturer"].strip(),
                    makes=makes,
                    country=(row.get("country") or "").strip() or None,
                )
        return table

    def lookup(self, vin: str) -> WmiEntry | None:
        """The entry for a VIN's WMI; small makers (3rd char `9`) use 12-14 too."""
        wmi = vin[:3]
        if len(vin) >= 14 and wmi.endswith("9"):
            found = self.entries.get(wmi + vin[11:14])
            if found is not None:
                return found
        return self.entries.get(wmi)

    def country(self, vin: str) -> str | None:
        """Country of the first two characters by the ISO 3779 ranges."""
        return self.countries.get(vin[:2])


def read_country_ranges(path: Path = COUNTRIES_PATH) -> dict[str, str]:
    """Expand `first;last;country` ranges (`XS;XW;Russia`) to two-char prefixes."""
    prefixes: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            first, last = row["first"], row["last"]
            lo, hi = ALPHABET.index(first[1]), ALPHABET.index(last[1])
            for second in ALPHABET[lo : hi + 1]:
                prefixes[first[0] + second] = row["country"]
    return prefixes


def read_wmi_list(data: bytes) -> dict[str, str]:
    """WMI → name from a third-party list: `"wmi";"name";…` or `WMI,Name`.

    A comma list may have unquoted commas inside names (`Ford, Inc.`): the
    first field is the WMI and the rest of the line is the name.
    """
    text = data.decode("utf-8-sig")
    header, _, _body = text.partition("\n")
    names: dict[str, str] = {}
    if header.count(";") >= 1:
        for row in csv.DictReader(io.StringIO(text), delimiter=";"):
            names[row["wmi"].strip().upper()] = row["name"].strip()
        return names
    for line in text.splitlines()[1:]:
        wmi, sep, name = line.partition(",")
        if sep and wmi.strip():
            names[wmi.strip().upper()] = name.strip().strip('"')
    return names


_default: WmiTable | None = None


def default_wmi_table() -> WmiTable:
    """The shipped WMI table, loaded once."""
    global _default
    if _default is None:
        _default = WmiTable.load()
    return _default


@dataclass(frozen=True)
class VinDecode:
    """What the structure of one VIN says; `errors` empty means valid."""

    vin: str
    valid: bool
    errors: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    wmi: str | None = None
    manufacturer: str | None = None
    makes: tuple[str, ...] = ()
    country: str | None = None
    region: str | None = None
    vds: str | None = None
    model_year: int | None = None
    check_digit: str | None = None
    check_digit_expected: str | None = None
    check_digit_ok: bool | None = None
    plant: str | None = None
    serial: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (tuples become lists)."""
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def normalize_vin(text: str) -> str:
    """Upper case, spaces and dashes dropped, look-alike Cyrillic folded to Latin."""
    return _SPACES.sub("", text).upper().translate(_TO_LATIN)


def compute_check_digit(vin: str) -> str:
    """The ISO 3779 / 49 CFR 565 check digit of a 17-character VIN (`0`-`9`, `X`)."""
    total = sum(_VALUES[c] * w for c, w in zip(vin, WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def decode_vin(
    text: str, *, table: WmiTable | None = None, today: dt.date | None = None
) -> VinDecode:
    """Decode the structure of a VIN; problems are listed, never raised."""
    table = table or default_wmi_table()
    today = today or dt.date.today()
    vin = normalize_vin(text)
    errors, partial = _shape_errors(vin)
    if not vin:
        return VinDecode(vin=vin, valid=False, errors=tuple(errors))

    entry = table.lookup(vin) if len(vin) >= 3 and _known(vin[:3]) else None
    warnings = []
    if len(vin) >= 3 and entry is None and _known(vin[:3]):
        warnings.append(f"WMI `{vin[:3]}` is not in the WMI table")
    whole = len(vin) == VIN_LENGTH and not errors
    na = vin[0] in _NORTH_AMERICA
    expected = compute_check_digit(vin) if whole else None
    check_ok = (expected == vin[8]) if expected is not None else None
    if check_ok is False and na:
        errors.append(
            f"check digit `{vin[8]}` at position 9 does not match `{expected}` "
            "computed from the other characters"
        )
    year = None
    if whole or (partial and len(vin) >= 10 and _known(vin[9])):
        year = model_year(vin, today=today, us_rules=na or bool(check_ok))
    small = len(vin) >= 14 and vin[2] == "9"
    return VinDecode(
        vin=vin,
        valid=not errors,
        errors=tuple(errors),
        warnings=tuple(warnings),
        wmi=vin[:3] if len(vin) >= 3 and _known(vin[:3]) else None,
        manufacturer=entry.manufacturer if entry else None,
        makes=entry.makes if entry else (),
        country=(entry.country if entry and entry.country else None)
        or (table.country(vin) if len(vin) >= 2 and _known(vin[:2]) else None),
        region=_region(vin[0]),
        vds=vin[3:9] if whole else None,
        model_year=year,
        check_digit=vin[8] if whole else None,
        check_digit_expected=expected,
        check_digit_ok=check_ok if na else None,
        plant=vin[10] if whole else None,
        serial=(vin[14:] if small else vin[11:]) if whole else None,
    )


def _known(chars: str) -> bool:
    return all(c in ALPHABET for c in chars)


def _shape_errors(vin: str) -> tuple[list[str], bool]:
    """Length and character errors, and whether the VIN is a wildcard pattern."""
    if not vin:
        return ["empty VIN: a VIN has 17 characters"], False
    errors = []
    wild = [i + 1 for i, c in enumerate(vin) if c in _WILDCARDS]
    forbidden = [(i + 1, c) for i, c in enumerate(vin) if c in _FORBIDDEN]
    other = [
        (i + 1, c)
        for i, c in enumerate(vin)
        if c not in ALPHABET and c not in _FORBIDDEN and c not in _WILDCARDS
    ]
    if wild:
        at = ", ".join(str(p) for p in wild)
        errors.append(
            f"incomplete VIN: {len(vin)} of {VIN_LENGTH} characters, "
            f"unknown at position {at}"
        )
    elif len(vin) != VIN_LENGTH:
        errors.append(
            f"wrong length: a VIN has {VIN_LENGTH} characters, this one has {len(vin)}"
        )
    if forbidden:
        found = ", ".join(f"`{c}` at position {p}" for p, c in forbidden)
        errors.append(
            f"invalid characters: the letters I, O and Q are never used in a VIN "
            f"({found}); read them as 1, 0 and 9"
        )
    if other:
        found = ", ".join(f"`{c}` at position {p}" for p, c in other)
        errors.append(f"invalid characters: {found}; a VIN has only A-Z and 0-9")
    return errors, bool(wild)


def _region(first: str) -> str | None:
    for chars, name in _REGIONS:
        if first in chars:
            return name
    return None


def model_year(vin: str, *, today: dt.date, us_rules: bool) -> int | None:
    """Model year from position 10 with the 30-year cycle resolved (see module doc)."""
    code = vin[9]
    if code not in YEAR_CODES:
        return None
    early = 1980 + YEAR_CODES.index(code)
    latest = today.year + 1
    plausible = [y for y in (early, early + 30) if y <= latest]
    if len(plausible) < 2:
        return plausible[0] if plausible else None
    if us_rules and vin[6] in ALPHABET:
        return early if vin[6].isdigit() else early + 30
    return plausible[-1]


def decode_many(
    texts: Iterable[str], *, table: WmiTable | None = None, today: dt.date | None = None
) -> list[VinDecode]:
    """Decode several VINs with one table."""
    table = table or default_wmi_table()
    return [decode_vin(t, table=table, today=today) for t in texts]
