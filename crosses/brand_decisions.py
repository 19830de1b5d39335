"""Brand decisions a person made after review: aliases, new brands, rejections.

They are kept apart from the shipped seed, in one small Parquet file with the
columns `alias`, `canonical`, `kind`, `by`, `at`, and merged over the seed by
`BrandTable.load(accepted=...)`. Kinds:

- `alias`: `alias` is another spelling of the known brand `canonical`;
- `new`: `alias` (= `canonical`) is a brand of its own, not a misspelling;
- `rejected`: `canonical` was suggested for `alias` and a person said no.

Nothing here merges by a fuzzy score: every decision names both sides. Writes
are serialized by a lock file and replace the file atomically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from crosses import lake_files
from crosses.brands import FAMILIES_PATH, SEED_PATH, BrandTable, clean_brand

Kind = Literal["alias", "new", "rejected"]
KINDS: tuple[Kind, ...] = ("alias", "new", "rejected")
SCHEMA: dict[str, pl.DataType] = {
    "alias": pl.String(),
    "canonical": pl.String(),
    "kind": pl.String(),
    "by": pl.String(),
    "at": pl.Datetime("us", "UTC"),
}


class BrandDecisionError(ValueError):
    """A decision that would contradict the table; the message says why."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{message} (hint: {hint})" if hint else message)
        self.hint = hint


@dataclass(frozen=True)
class BrandDecision:
    """One reviewed brand: who decided what, and when."""

    alias: str
    canonical: str
    kind: Kind
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class DecisionOutcome:
    """What a decision call did: `recorded` is False when nothing was new."""

    decision: BrandDecision
    recorded: bool
    note: str


def decisions_path(lake_dir: Path) -> Path:
    """Where the decisions live under a lake folder."""
    return lake_dir / "brands" / "aliases.parquet"


def read_decisions(path: Path) -> list[BrandDecision]:
    """Every decision in the file, oldest first; none when it does not exist."""
    if not path.exists():
        return []
    frame = pl.read_parquet(path)
    return [BrandDecision(**row) for row in frame.sort("at").iter_rows(named=True)]


def apply_decisions(table: BrandTable, decisions: Iterable[BrandDecision]) -> None:
    """Merge decisions over a table, in order; a later one wins."""
    for d in decisions:
        if d.kind == "rejected":
            table.rejected.add((d.alias, d.canonical))
        else:
            table.add(d.canonical, [d.alias])


def accept_alias(
    path: Path,
    *,
    alias: str,
    canonical: str,
    by: str,
    seed: Path = SEED_PATH,
    families: Path = FAMILIES_PATH,
) -> DecisionOutcome:
    """Record that `alias` is a spelling of the known brand `canonical`."""
    spelling = _cleaned(alias, "alias")
    with _locked(path):
        table = BrandTable.load(seed, families=families, accepted=path)
        target = _known(table, canonical)
        if table.is_known(spelling):
            current = table.canonical(spelling)
            if current != target:
                raise BrandDecisionError(
                    f"`{spelling}` is already the brand `{current}`; "
                    f"it cannot also be `{target}`",
                    hint="a brand has one canonical name; makers that share parts "
                    "belong in a family (brand_families.csv)",
                )
            decision = _decision(spelling, target, "alias", by)
            return DecisionOutcome(decision, False, f"already an alias of `{target}`")
        decision = _decision(spelling, target, "alias", by)
        _append(path, decision)
    return DecisionOutcome(decision, True, f"`{spelling}` is now `{target}`")


def accept_new(
    path: Path,
    *,
    brand: str,
    by: str,
    seed: Path = SEED_PATH,
    families: Path = FAMILIES_PATH,
) -> DecisionOutcome:
    """Record that an unknown brand is a brand of its own, so it leaves review."""
    name = _cleaned(brand, "brand")
    with _locked(path):
        table = BrandTable.load(seed, families=families, accepted=path)
        decision = _decision(name, name, "new", by)
        if table.is_known(name):
            known = table.canonical(name)
            return DecisionOutcome(decision, False, f"already known as `{known}`")
        _append(path, decision)
    return DecisionOutcome(decision, True, f"`{name}` is a new brand")


def reject_suggestion(
    path: Path,
    *,
    brand: str,
    suggestion: str,
    by: str,
    seed: Path = SEED_PATH,
    families: Path = FAMILIES_PATH,
) -> DecisionOutcome:
    """Record that a suggested brand is not the unknown one: stop suggesting it."""
    name = _cleaned(brand, "brand")
    with _locked(path):
        table = BrandTable.load(seed, families=families, accepted=path)
        if table.is_known(name):
            raise BrandDecisionError(
                f"`{name}` is already the brand `{table.canonical(name)}`",
                hint="only unknown brands have suggestions",
            )
        target = _known(table, suggestion)
        decision = _decision(name, target, "rejected", by)
        if (name, target) in table.rejected:
            return DecisionOutcome(decision, False, "already rejected")
        _append(path, decision)
    return DecisionOutcome(decision, True, f"`{target}` is not suggested for `{name}`")


def _cleaned(text: str, what: str) -> str:
    value = clean_brand(text)
    if not value:
        raise BrandDecisionError(f"the {what} is empty")
    return value


def _known(table: BrandTable, brand: str) -> str:
    cleaned = clean_brand(brand)
    if not table.is_known(cleaned):
        suggestions = table.suggest(cleaned)
        hint = "check the spelling, or accept it as a new brand first"
        if suggestions:
            hint = f"did you mean {', '.join(f'`{s}`' for s in suggestions)}?"
        raise BrandDecisionError(f"`{cleaned}` is not a known brand", hint=hint)
    return table.canonical(cleaned)


def _decision(alias: str, canonical: str, kind: Kind, by: str) -> BrandDecision:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return BrandDecision(alias, canonical, kind, by.strip() or "unknown", now)


def _locked(path: Path) -> AbstractContextManager[None]:
    """Serialize decisions across processes: read, check and write as one step."""
    return lake_files.locked(path.parent)


def _append(path: Path, decision: BrandDecision) -> None:
    """Rewrite the file with one more row, atomically (small file, rare writes)."""
    row = pl.DataFrame([decision.__dict__], schema=SCHEMA)
    frame = pl.concat([pl.read_parquet(path), row]) if path.exists() else row
    lake_files.write_parquet_atomic(frame, path)
    lake_files.fsync_dir(path.parent)
