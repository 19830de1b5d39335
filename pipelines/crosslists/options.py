"""How a cross file is read when detection is not enough: options and profiles.

A cross profile is a TOML file `<profiles dir>/crosses/<source>.toml` (or given
to `parts crosses load --profile`). Every key is optional:

    shape = "pairs"          # pairs | list | group | wide; detected when absent
    brand = "MAHLE"          # brand of the part when the file has no brand column
    kind = "analog"          # kind of pair and group edges when no column says
    max_reject_share = 0.5

    [reader]                 # as in supplier profiles
    encoding = "cp1251"
    delimiter = ";"
    sheets = ["Results"]
    header_row = 1           # 1-based; 0 = no header row

    [columns]                # by letter or header text
    article = "I"            # the part
    brand = "J"
    article_b = "A"          # the other part of a pair row
    brand_b = "B"

    [[lists]]                # a cell holding several numbers
    column = "K"
    kind = "oe"              # see LIST_KINDS
    separators = ["/"]       # detected when absent
    brand = "VOLVO"          # brand of every number (else: a prefix such as
    brand_column = "M"       # `AC DELCO 14316B`, this column, or unknown)
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipelines.pricelists.errors import ProfileError
from pipelines.pricelists.profiles import ReaderSettings

Shape = Literal["pairs", "list", "group", "wide"]
SHAPES: tuple[str, ...] = ("pairs", "list", "group", "wide")

ListKind = Literal[
    "analog", "oe", "oe_for", "replacement", "replaces", "one_way", "related"
]
LIST_KINDS: dict[str, str] = {
    "analog": "the numbers are analogs of the part",
    "oe": "the numbers are the part's OE (original) numbers",
    "oe_for": "the part is an OE number; the numbers are aftermarket parts for it",
    "replacement": "the numbers replace the part (part old → number new)",
    "replaces": "the part replaces the numbers (number old → part new)",
    "one_way": "the part may be replaced by the numbers, not back",
    "related": "more numbers of the part's own maker (alternates)",
}

PAIR_FIELDS = ("article", "brand", "article_b", "brand_b", "group", "status",
               "notes", "kind", "oe_brand")  # fmt: skip
LIST_FIELDS: dict[str, str] = {
    "oe": "oe",
    "analogs": "analog",
    "replacement": "replacement",
    "related": "related",
}
"""`columns` keys that name a list column, and the kind of its numbers."""


class CrossList(BaseModel):
    """A column whose cells hold one or more numbers crossed with the row's part."""

    model_config = ConfigDict(extra="forbid")
    column: str = Field(description="Letter or header text.")
    kind: ListKind = "analog"
    separators: list[str] | None = Field(None, description="Detected when absent.")
    brand: str | None = Field(None, description="Brand of every number.")
    brand_column: str | None = Field(
        None, description="Column giving the numbers' brand."
    )

    @field_validator("separators")
    @classmethod
    def _not_empty(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and (not value or any(not s for s in value)):
            raise ValueError("separators must be non-empty strings")
        return value


class CrossOptions(BaseModel):
    """What a cross profile or the command line pins about one cross file."""

    model_config = ConfigDict(extra="forbid")
    shape: Shape | None = None
    brand: str | None = Field(None, description="Brand of the part (no brand column).")
    kind: Literal["analog", "oe", "replacement", "one_way"] = "analog"
    max_reject_share: float | None = Field(None, ge=0, le=1)
    reader: ReaderSettings = Field(default_factory=ReaderSettings)
    columns: dict[str, str] = Field(default_factory=dict)
    lists: list[CrossList] = Field(default_factory=list)

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        known = set(PAIR_FIELDS) | set(LIST_FIELDS)
        unknown = set(value) - known
        if unknown:
            raise ValueError(
                f"unknown fields {sorted(unknown)}; known: {sorted(known)}"
            )
        return value

    @property
    def pins_mapping(self) -> bool:
        """True when the columns name the part's article: nothing else is guessed."""
        return "article" in self.columns


def load_cross_profile(path: Path) -> CrossOptions:
    """Read and validate one cross profile file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return CrossOptions.model_validate(data)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ProfileError(f"invalid cross profile: {exc}", file=str(path)) from exc


def cross_profile_path(profiles_dir: Path, source: str) -> Path:
    """Where the profile of a cross source lives."""
    return profiles_dir / "crosses" / f"{source}.toml"


def cross_profile_for(profiles_dir: Path, source: str) -> CrossOptions | None:
    """The profile of a cross source, if it has one."""
    path = cross_profile_path(profiles_dir, source)
    return load_cross_profile(path) if path.is_file() else None
