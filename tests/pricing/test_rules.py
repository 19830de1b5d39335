"""Rule-set validation, specificity, rounding and the TOML files."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from pricing.rules import (
    InvalidRules,
    Rule,
    RuleSet,
    load_pricing_toml,
    round_price,
    specificity,
)

DEMO = Path(__file__).resolve().parents[2] / "pricing" / "data" / "demo_rules.toml"
CATCH_ALL = Rule(id="all", percent=D(30))


def test_demo_rules_are_valid() -> None:
    config = load_pricing_toml(DEMO)
    assert config.rules.problems() == []
    assert {g.id for g in config.rules.client_groups} == {
        "retail",
        "wholesale",
        "service",
    }
    assert set(config.rates.rates) == {"EUR", "USD", "CNY"}


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ([Rule(id="a"), Rule(id="a", brand="X")], "duplicate rule id `a`"),
        ([Rule(id="x", brand="B"), Rule(id="y", brand="B")], "rules `x` and `y` tie"),
        (
            [
                Rule(id="x", brand="B", price_max=D(100)),
                Rule(id="y", brand="B", price_min=D(50)),
            ],
            "rules `x` and `y` tie",
        ),
        (
            [
                Rule(id="x", brand="B", price_max=D(100)),
                Rule(id="y", brand="B", price_min=D(150)),
            ],
            "gap in price ranges between rules `x` and `y`",
        ),
        ([Rule(id="x", percent=D(-5))], "rule `x`: negative margin"),
        ([Rule(id="x", price_min=D(10), price_max=D(5))], "price_min 10 ≥ price_max 5"),
        ([Rule(id="x", days_min=5, days_max=2)], "days_min 5 > days_max 2"),
        (
            [Rule(id="x", rounding_step=D(10))],
            "needs both `rounding_step` and `rounding_mode`",
        ),
        ([Rule(id="x", brand="B")], "no catch-all"),
    ],
)
def test_problems(rules: list[Rule], problem: str) -> None:
    found = RuleSet(
        rules=[*rules, CATCH_ALL] if problem != "no catch-all" else rules
    ).problems()
    assert any(problem in p for p in found), found
    with pytest.raises(InvalidRules):
        RuleSet(rules=rules).validated()


def test_adjacent_ranges_and_different_scopes_do_not_tie() -> None:
    rules = [
        CATCH_ALL,
        Rule(id="x", brand="B", price_max=D(100)),
        Rule(id="y", brand="B", price_min=D(100)),
        Rule(id="z", brand="C", price_min=D(100)),
    ]
    assert RuleSet(rules=rules).problems() == []


def test_specificity_order() -> None:
    ordered = RuleSet(
        rules=[
            Rule(id="days", days_min=1),
            Rule(id="price", price_min=D(1)),
            Rule(id="analog", analog=True),
            Rule(id="department", department="d"),
            Rule(id="client", client_group="c"),
            Rule(id="group", price_group="g"),
            Rule(id="brand", brand="b"),
            Rule(id="supplier", supplier="s"),
            Rule(id="two", brand="b", days_min=1),
            CATCH_ALL,
        ]
    ).ordered()
    assert [r.id for r in ordered] == [
        "two", "supplier", "brand", "group", "client", "department", "analog",
        "price", "days", "all",
    ]  # fmt: skip
    assert specificity(CATCH_ALL) == (0, 0, 0, 0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("value", "step", "mode", "expected"),
    [
        ("1201", "10", "up", "1210"),
        ("1200", "10", "up", "1200"),
        ("1249.99", "100", "nearest", "1200"),
        ("1250", "100", "nearest", "1300"),
        ("1234.5", "100", "ending90", "1290"),
        ("1290", "100", "ending90", "1290"),
        ("1290.01", "100", "ending90", "1390"),
        ("15", "10", "ending90", "19"),
        ("12.345", None, None, "12.35"),
    ],
)
def test_round_price(
    value: str, step: str | None, mode: str | None, expected: str
) -> None:
    assert round_price(D(value), None if step is None else D(step), mode) == D(expected)  # type: ignore[arg-type]


def test_catch_all_beside_a_band_with_the_same_lower_end_does_not_crash() -> None:
    from decimal import Decimal

    from pricing.rules import RuleSet

    rules = RuleSet.model_validate(
        {
            "rules": [
                {"id": "all", "percent": Decimal(30)},
                {
                    "id": "cheap",
                    "price_min": 0,
                    "price_max": 500,
                    "percent": Decimal(40),
                },
            ]
        }
    )
    assert isinstance(rules.problems(), list)
