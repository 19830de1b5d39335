"""Reviewed brand decisions: recorded with who and when, merged over the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosses.brand_decisions import (
    BrandDecisionError,
    accept_alias,
    accept_new,
    read_decisions,
    reject_suggestion,
)
from crosses.brands import BrandTable, default_table


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "lake" / "brands" / "aliases.parquet"


def test_an_accepted_alias_is_merged_over_the_seed(path: Path) -> None:
    assert not BrandTable.load(accepted=path).is_known("DR MOTORS")
    outcome = accept_alias(path, alias="Dr Motors", canonical="dr.motor", by="alice")
    assert outcome.recorded
    assert (outcome.decision.alias, outcome.decision.canonical) == (
        "DR MOTORS",
        "DR.MOTOR",
    )
    table = BrandTable.load(accepted=path)
    assert table.canonical("dr-motors") == "DR.MOTOR"
    assert "DR MOTORS" in table.aliases_of("DR.MOTOR")
    assert not default_table().is_known("DR MOTORS")  # the seed is untouched
    [decision] = read_decisions(path)
    assert (decision.kind, decision.by) == ("alias", "alice")
    assert decision.at.tzinfo is not None


def test_the_same_alias_twice_records_once(path: Path) -> None:
    accept_alias(path, alias="DR MOTORS", canonical="DR.MOTOR", by="alice")
    again = accept_alias(path, alias="dr motors", canonical="Dr Motor", by="bob")
    assert not again.recorded
    assert len(read_decisions(path)) == 1


def test_q31_a_fuzzy_neighbour_is_not_accepted_as_canonical(path: Path) -> None:
    with pytest.raises(BrandDecisionError, match="`DR MOTORZ` is not a known brand"):
        accept_alias(path, alias="DR MOTORS", canonical="DR MOTORZ", by="alice")
    assert read_decisions(path) == []


@pytest.mark.parametrize(("alias", "canonical"), [("KIA", "HYUNDAI"), ("MB", "BMW")])
def test_a_known_brand_cannot_become_another(
    path: Path, alias: str, canonical: str
) -> None:
    with pytest.raises(BrandDecisionError, match="already the brand"):
        accept_alias(path, alias=alias, canonical=canonical, by="alice")


def test_a_new_brand_becomes_known_and_can_take_aliases(path: Path) -> None:
    assert accept_new(path, brand="Zentparts", by="alice").recorded
    assert not accept_new(path, brand="ZENTPARTS", by="bob").recorded
    accept_alias(path, alias="ZENT PARTS", canonical="zentparts", by="alice")
    table = BrandTable.load(accepted=path)
    assert table.canonical("Zent-Parts") == "ZENTPARTS"
    assert table.canonical("ZENTPARTS") == "ZENTPARTS"


def test_a_rejected_suggestion_is_no_longer_offered(path: Path) -> None:
    assert "GENERAL MOTORS" in BrandTable.load(accepted=path).suggest("DR MOTORS")
    reject_suggestion(path, brand="DR MOTORS", suggestion="GM", by="alice")
    table = BrandTable.load(accepted=path)
    assert "GENERAL MOTORS" not in table.suggest("DR MOTORS")
    assert "DR.MOTOR" in table.suggest("DR MOTORS")
    assert not table.is_known("DR MOTORS")


def test_default_table_reloads_when_the_decisions_change(path: Path) -> None:
    assert not default_table(accepted=path).is_known("DR MOTORS")
    accept_alias(path, alias="DR MOTORS", canonical="DR.MOTOR", by="alice")
    assert default_table(accepted=path).canonical("DR MOTORS") == "DR.MOTOR"
