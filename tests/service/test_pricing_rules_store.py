"""Rule sets and rates kept in the database: saved whole or not at all, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pricing.rules import RuleSet
from service.db import audit, models
from service.db.audit import Actor
from service.pricing_rules import logic
from service.pricing_rules.models import RateIn

ALICE = Actor("alice")
BOB = Actor("bob")


def rule(rule_id: str, **fields: Any) -> dict[str, Any]:
    """A rule as the API takes it."""
    return {"id": rule_id, "percent": "30", **fields}


def rule_set(
    *rules: dict[str, Any], groups: list[dict[str, Any]] | None = None
) -> RuleSet:
    """A checked rule set from API-shaped rules."""
    return logic.parse_rule_set({"rules": list(rules), "client_groups": groups or []})


BASE = rule_set(
    rule("all", percent="40", rounding_step="10", rounding_mode="up"),
    rule("mann", brand="MANN-FILTER", percent="25"),
    rule("cheap", supplier="acme", price_min="0", price_max="500", percent="60"),
    groups=[{"id": "retail", "name": "Розница"}],
)


def audit_rows(session: Session, table: str) -> list[tuple[str, str, str]]:
    rows, _ = audit.entries(session, table=table, limit=100)
    return [(r.who, r.action, r.row_id) for r in reversed(rows)]


def test_a_valid_rule_set_is_saved_and_read_back(session: Session) -> None:
    summary = logic.save_rule_set(session, BASE, actor=ALICE)

    assert (summary.inserted, summary.updated, summary.deleted) == (4, 0, 0)
    assert logic.load_rule_set(session) == BASE
    assert [w for w, _, _ in audit_rows(session, "price_rules")] == ["alice"] * 3
    stored = session.scalars(select(models.PriceRule)).all()
    assert {(r.created_by, r.updated_by, r.version) for r in stored} == {
        ("alice", "alice", 1)
    }


def test_replacing_the_set_audits_old_and_new_rows(session: Session) -> None:
    logic.save_rule_set(session, BASE, actor=ALICE)
    changed = rule_set(
        rule("all", percent="45", rounding_step="10", rounding_mode="up"),
        rule("cheap", supplier="acme", price_min="0", price_max="500", percent="60"),
        rule("bosch", brand="BOSCH", percent="20"),
        groups=[{"id": "retail", "name": "Розница"}],
    )

    summary = logic.save_rule_set(session, changed, actor=BOB)

    assert (summary.inserted, summary.updated, summary.deleted, summary.unchanged) == (
        1, 2, 1, 1,
    )  # fmt: skip
    assert logic.load_rule_set(session) == changed
    rows, _ = audit.entries(session, table="price_rules", limit=100)
    by_action = {(r.action, r.new["rule_key"] if r.new else r.old["rule_key"]): r
                 for r in rows if r.who == "bob"}  # fmt: skip
    assert set(by_action) == {
        ("delete", "mann"), ("insert", "bosch"), ("update", "all"), ("update", "cheap"),
    }  # fmt: skip
    update = by_action[("update", "all")]
    assert (update.old["terms"]["percent"], update.new["terms"]["percent"]) == (
        "40",
        "45",
    )
    assert (update.old["version"], update.new["version"]) == (1, 2)
    assert update.new["updated_by"] == "bob" and update.new["created_by"] == "alice"
    assert by_action[("delete", "mann")].new is None
    assert by_action[("insert", "bosch")].old is None
    # `cheap` moved from position 2 to 1: its order is part of the set
    moved = by_action[("update", "cheap")]
    assert (moved.old["position"], moved.new["position"]) == (2, 1)


def test_a_rule_set_with_a_tie_is_refused_with_every_problem(session: Session) -> None:
    logic.save_rule_set(session, BASE, actor=ALICE)
    before = session.scalar(select(func.count()).select_from(models.AuditEntry))
    data = {
        "rules": [
            rule("all"),
            rule("mann-a", brand="MANN-FILTER", percent="25"),
            rule("mann-b", brand="MANN-FILTER", percent="35"),
            rule("neg", supplier="acme", percent="-5"),
        ]
    }

    with pytest.raises(logic.RulesRejected) as refused:
        logic.parse_rule_set(data)
    with pytest.raises(logic.RulesRejected):
        logic.save_rule_set(session, RuleSet.model_validate(data), actor=BOB)

    problems = refused.value.problems
    assert len(problems) == 2
    assert "`mann-a` and `mann-b` tie" in problems[1]
    assert "rule `neg`: negative margin" in problems[0]
    assert logic.load_rule_set(session) == BASE
    assert session.scalar(select(func.count()).select_from(models.AuditEntry)) == before


def test_a_shape_error_is_listed_like_a_rule_problem() -> None:
    with pytest.raises(logic.RulesRejected) as refused:
        logic.parse_rule_set({"rules": [{"percent": "x"}, {"id": "ok"}]})

    assert refused.value.problems == [
        "`rules.0.id`: Field required",
        "`rules.0.percent`: Input should be a valid decimal",
    ]


def test_a_failure_mid_save_leaves_nothing_half_saved(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    logic.save_rule_set(session, BASE, actor=ALICE)
    calls = 0
    real_write = logic.write

    def failing_write(*args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("disk full")
        real_write(*args, **kwargs)

    monkeypatch.setattr(logic, "write", failing_write)
    replacement = rule_set(
        rule("all", percent="99"), rule("x", brand="X"), rule("y", brand="Y")
    )

    with pytest.raises(RuntimeError, match="disk full"):
        logic.save_rule_set(session, replacement, actor=BOB)

    assert logic.load_rule_set(session) == BASE
    assert all(who == "alice" for who, _, _ in audit_rows(session, "price_rules"))


def test_rates_are_kept_per_day_and_read_as_of_a_date(session: Session) -> None:
    for currency, rate, day in (
        ("EUR", "98.50", dt.date(2026, 12, 1)),
        ("EUR", "99.125", dt.date(2026, 12, 2)),
        ("USD", "90", dt.date(2026, 12, 1)),
    ):
        logic.save_rate(session, RateIn(currency=currency, rate=Decimal(rate), date=day),
                        actor=ALICE)  # fmt: skip
    logic.save_rate(session, RateIn(currency="USD", rate=Decimal("91"),
                                    date=dt.date(2026, 12, 1)), actor=BOB)  # fmt: skip

    latest = logic.current_rates(session).model_dump(mode="json")
    earlier = logic.current_rates(session, on=dt.date(2026, 12, 1)).model_dump(
        mode="json"
    )

    assert latest == {
        "rates": {
            "EUR": {"rate": "99.125000", "date": "2026-12-02"},
            "USD": {"rate": "91.000000", "date": "2026-12-01"},
        }
    }
    assert earlier["rates"]["EUR"] == {"rate": "98.500000", "date": "2026-12-01"}
    assert audit_rows(session, "currency_rates")[-1][:2] == ("bob", "update")
    assert session.scalar(select(func.count()).select_from(models.CurrencyRate)) == 3
