"""Supplier profiles: one TOML file per supplier, reviewed in git.

A profile pins what detection cannot know: encoding, delimiter, sheets, header
row, columns by letter or header name, decimal separator, defaults for
currency, delivery days, brand and warehouse, and the reject threshold.
"""

from __future__ import annotations

import codecs
import logging
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipelines.pricelists.errors import ProfileError
from search import supplier_fields

log = logging.getLogger(__name__)

SUPPLIER_ID = supplier_fields.SUPPLIER_ID
_LETTERS = re.compile(r"^[A-Z]{1,3}$")


def check_supplier_id(value: str) -> str:
    """A supplier id is short, lower case and safe as a folder name."""
    if not SUPPLIER_ID.match(value):
        raise ProfileError(
            f"supplier id `{value}` is not valid",
            hint=supplier_fields.SUPPLIER_ID_HINT,
        )
    if value in RESERVED_IDS:
        raise ProfileError(
            f"supplier id `{value}` is reserved (its inbox folder feeds {value})",
            hint="choose another id",
        )
    return value


RESERVED_IDS = frozenset({"catalogue", "crosses"})


class ColumnRef(BaseModel):
    """A column named by letter (`B`) or by its header text."""

    model_config = ConfigDict(frozen=True)
    letter: str | None = None
    header: str | None = None

    @classmethod
    def parse(cls, spec: str) -> ColumnRef:
        spec = spec.strip()
        if _LETTERS.match(spec):
            return cls(letter=spec)
        return cls(header=spec)

    @property
    def index(self) -> int | None:
        if self.letter is None:
            return None
        n = 0
        for ch in self.letter:
            n = n * 26 + ord(ch) - 64
        return n - 1


class ReaderSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    encoding: str | None = Field(None, description="Text encoding or XLS codepage.")
    delimiter: str | None = Field(None, description="CSV delimiter.")

    @field_validator("encoding")
    @classmethod
    def _known_codec(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError as exc:
                raise ValueError(f"unknown encoding `{value}`") from exc
        return value

    sheets: list[str] | None = Field(None, description="Only these sheets.")
    header_row: int | None = Field(
        None, ge=0, description="1-based last header row; 0 means no header."
    )
    header_rows: int = Field(1, ge=1, le=4, description="Rows the header spans.")
    decimal: Literal[",", "."] | None = Field(None, description="Decimal separator.")


class BrandRules(BaseModel):
    """A supplier's own brand spellings, applied before the alias table."""

    model_config = ConfigDict(extra="forbid")
    strip: list[str] = Field(
        default_factory=list, description="Regexes removed from brand cells."
    )
    map: dict[str, str] = Field(
        default_factory=dict, description="Brand cell (any case) → brand."
    )

    @field_validator("strip")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"brand strip pattern `{pattern}`: {exc}") from exc
        return value


class MatchSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    senders: list[str] = Field(default_factory=list)
    file_pattern: str | None = None
    subject_pattern: str | None = None


class SupplierProfile(BaseModel):
    """What we know about one supplier's price files."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str = ""
    currency: str = "RUB"
    delivery_days: tuple[int, int] | None = None
    vat_included: bool = True
    brand: str | None = Field(None, description="Brand of every row (no brand column).")
    warehouse: str | None = None
    max_reject_share: float | None = Field(None, ge=0, le=1)
    price_groups: list[str] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)
    delivery_probability: float | None = Field(
        None, ge=0, le=100, description="Percent of orders delivered on time."
    )
    expected_every_hours: int | None = Field(None, ge=1)
    match: MatchSettings = Field(default_factory=MatchSettings)
    reader: ReaderSettings = Field(default_factory=ReaderSettings)
    brands: BrandRules = Field(default_factory=BrandRules)
    columns: dict[str, str | list[str]] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return supplier_fields.supplier_id(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return supplier_fields.currency(value)

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        from pipelines.pricelists.headers import FIELDS

        unknown = set(value) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}; known: {list(FIELDS)}")
        for field_name, spec in value.items():
            if isinstance(spec, list) and field_name != "qty":
                raise ValueError(
                    f"only `qty` may list several columns, not `{field_name}`"
                )
        return value

    def column_refs(self) -> dict[str, list[ColumnRef]]:
        """Pinned columns per field (several for a summed stock)."""
        out = {}
        for field_name, spec in self.columns.items():
            specs = spec if isinstance(spec, list) else [spec]
            out[field_name] = [ColumnRef.parse(s) for s in specs]
        return out


def load_profile(path: Path) -> SupplierProfile:
    """Read and validate one profile file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return SupplierProfile.model_validate(data)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ProfileError(f"invalid supplier profile: {exc}", file=str(path)) from exc


def load_profiles(folder: Path, *, strict: bool = True) -> dict[str, SupplierProfile]:
    """Every `*.toml` profile in a folder, by supplier id.

    With `strict=False` a broken profile is logged and left out, so one bad
    file does not stop every other supplier.
    """
    profiles: dict[str, SupplierProfile] = {}
    if not folder.is_dir():
        return profiles
    for path in sorted(folder.glob("*.toml")):
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            if strict:
                raise
            log.warning("profile left out: %s", exc)
            continue
        if profile.id in profiles:
            raise ProfileError(
                f"supplier `{profile.id}` has two profiles", file=str(path)
            )
        profiles[profile.id] = profile
    return profiles
