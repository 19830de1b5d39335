"""Read and replace the stored rule set, store rates; every write audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from pricing.rules import ClientGroup, RateEntry, Rates, Rule, RuleSet
from service.db import models
from service.db.audit import Actor, write
from service.db.session import transaction
from service.pricing_rules.models import RateIn, SaveSummary

Row = TypeVar("Row", models.PriceRule, models.ClientGroup)


class RulesRejected(ValueError):
    """A rule set that was not saved; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(problems))


def parse_rule_set(data: Any) -> RuleSet:
    """A valid `RuleSet` from JSON data, or `RulesRejected` naming every problem."""
    try:
        rule_set = RuleSet.model_validate(data)
    except ValidationError as exc:
        raise RulesRejected([_describe(error) for error in exc.errors()]) from exc
    problems = rule_set.problems()
    if problems:
        raise RulesRejected(problems)
    return rule_set


def load_rule_set(session: Session) -> RuleSet:
    """The stored rules (in their saved order) and client groups."""
    rules = session.scalars(
        select(models.PriceRule).order_by(models.PriceRule.position)
    )
    groups = session.scalars(
        select(models.ClientGroup).order_by(models.ClientGroup.code)
    )
    return RuleSet(
        rules=[Rule.model_validate({**r.terms, "id": r.rule_key}) for r in rules],
        client_groups=[
            ClientGroup.model_validate({**g.terms, "id": g.code, "name": g.name})
            for g in groups
        ],
    )


def save_rule_set(session: Session, rule_set: RuleSet, *, actor: Actor) -> SaveSummary:
    """Replace the stored rules and client groups with `rule_set`, atomically.

    The set is checked again here, so no caller can store a set with problems.
    Rules and groups are matched by id: new ones inserted, changed ones
    updated, missing ones deleted, each with its audit entry.
    """
    problems = rule_set.problems()
    if problems:
        raise RulesRejected(problems)
    summary = SaveSummary()
    with transaction(session):
        _replace(
            session,
            models.ClientGroup,
            key="code",
            wanted={g.id: _group_columns(g) for g in rule_set.client_groups},
            actor=actor,
            summary=summary,
            make=lambda code, cols: models.ClientGroup(code=code, **cols),
        )
        _replace(
            session,
            models.PriceRule,
            key="rule_key",
            wanted={
                r.id: _rule_columns(r, position)
                for position, r in enumerate(rule_set.rules)
            },
            actor=actor,
            summary=summary,
            make=lambda key, cols: models.PriceRule(rule_key=key, **cols),
        )
    return summary


def _replace(
    session: Session,
    table: type[Row],
    *,
    key: str,
    wanted: dict[str, dict[str, Any]],
    actor: Actor,
    summary: SaveSummary,
    make: Callable[[str, dict[str, Any]], Row],
) -> None:
    stored = {getattr(row, key): row for row in session.scalars(select(table))}
    for row_key, row in stored.items():
        if row_key not in wanted:
            write(session, row, action="delete", actor=actor)
            summary.deleted += 1
    for row_key, columns in wanted.items():
        existing = stored.get(row_key)
        if existing is None:
            write(session, make(row_key, columns), action="insert", actor=actor)
            summary.inserted += 1
        elif any(getattr(existing, n) != v for n, v in columns.items()):
            write(session, existing, action="update", actor=actor, changes=columns)
            summary.updated += 1
        else:
            summary.unchanged += 1


def _rule_columns(rule: Rule, position: int) -> dict[str, Any]:
    terms = rule.model_dump(mode="json", exclude={"id"}, exclude_defaults=True)
    return {"position": position, "terms": terms}


def _group_columns(group: ClientGroup) -> dict[str, Any]:
    terms = group.model_dump(mode="json", exclude={"id", "name"})
    return {"name": group.name, "terms": terms}


def current_rates(session: Session, *, on: dt.date | None = None) -> Rates:
    """The newest rate of each currency dated on or before `on` (default: all)."""
    query = select(models.CurrencyRate).order_by(
        models.CurrencyRate.currency, models.CurrencyRate.date
    )
    if on is not None:
        query = query.where(models.CurrencyRate.date <= on)
    newest = {row.currency: row for row in session.scalars(query)}
    return Rates(
        rates={c: RateEntry(rate=r.rate, date=r.date) for c, r in newest.items()}
    )


def save_rate(session: Session, rate: RateIn, *, actor: Actor) -> models.CurrencyRate:
    """Store one rate; a second rate for the same currency and date replaces it."""
    with transaction(session):
        row = session.scalars(
            select(models.CurrencyRate).where(
                models.CurrencyRate.currency == rate.currency,
                models.CurrencyRate.date == rate.date,
            )
        ).one_or_none()
        if row is None:
            row = models.CurrencyRate(
                currency=rate.currency, rate=rate.rate, date=rate.date
            )
            write(session, row, action="insert", actor=actor)
        elif row.rate != rate.rate:
            write(
                session, row, action="update", actor=actor, changes={"rate": rate.rate}
            )
    return row


def _describe(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "rule set"
    return f"`{where}`: {error['msg']}"
