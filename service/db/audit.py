"""Every write to an audited table goes through `write`, which logs it.

An entry keeps the row before and after, except secret columns (marked
`info={"secret": True}` in the models): for those it keeps only whether the
value is there (`<redacted>`) and whether this write set it
(`<redacted: set>`). Each entry names the department of its row, so a reader
sees their own department's entries.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Connection, and_, inspect, or_, select
from sqlalchemy.orm import Session

from service.db.models import (
    AuditEntry,
    Base,
    CustomerOrder,
    Department,
    Tracked,
    utcnow,
)

Action = Literal["insert", "update", "delete"]
MAX_AUDIT_ROWS = 1000
# a secret value that is there and this write left as it was
REDACTED = "<redacted>"
# a secret value this write set (a new user's password hash, a changed one)
REDACTED_SET = "<redacted: set>"
# the tables whose rows belong to a department; a row of none there is an
# admin's (an order placed for every department's lists), not everyone's
OF_A_DEPARTMENT = frozenset(
    {"customer_orders", "customer_order_lines", "users", "auth_tokens"}
)
# what `GET /api/audit?table=` may name: every table but the log itself
AUDITED_TABLES = tuple(sorted(set(Base.metadata.tables) - {"audit_log"}))


@dataclass(frozen=True)
class Actor:
    """Who writes (`X-User`, `$USER`…) and through what (`api`, `seed`, `cli`)."""

    who: str
    via: str = "api"


class AuditEntryOut(BaseModel):
    """One audit entry as the API shows it."""

    id: int
    at: dt.datetime
    who: str
    via: str
    table: str
    row_id: str
    action: str
    department: str | None
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    note: str | None = Field(
        None,
        description="What the write was, in words (`signed in`, `token revoked`…).",
    )


class AuditPage(BaseModel):
    """The newest audit entries; `truncated` when more exist."""

    entries: list[AuditEntryOut]
    truncated: bool


def write(
    session: Session,
    row: Tracked,
    *,
    action: Action,
    actor: Actor,
    changes: dict[str, Any] | None = None,
) -> None:
    """Insert, update or delete `row` and add its audit entry, unflushed-safe.

    The caller owns the transaction: the row and its audit entry commit or
    roll back together.
    """
    now = utcnow()
    old = None if action == "insert" else row_json(row)
    if action == "insert":
        row.created_at, row.created_by = now, actor.who
        row.updated_at, row.updated_by, row.version = now, actor.who, 1
        session.add(row)
    elif action == "update":
        for name, value in (changes or {}).items():
            setattr(row, name, value)
        row.updated_at, row.updated_by = now, actor.who
        row.version = row.version + 1
    else:
        session.delete(row)
    session.flush()

    new = None if action == "delete" else row_json(row)
    table = _table(row)
    shown_old, shown_new = redact(old, new, secret_columns(table))
    session.add(
        AuditEntry(
            at=now,
            who=actor.who,
            via=actor.via,
            table_name=table,
            row_id=_row_id(row, old, new),
            action=action,
            department=department_of(session, table, new or old or {}),
            old=shown_old,
            new=shown_new,
        )
    )


def row_json(row: Tracked) -> dict[str, Any]:
    """The row's columns as JSON values (decimals and dates as text)."""
    mapper = inspect(type(row))
    return {
        attr.key: _json_value(getattr(row, attr.key)) for attr in mapper.column_attrs
    }


@functools.cache
def secret_columns(table: str) -> frozenset[str]:
    """The columns of `table` whose values the audit never keeps."""
    found = Base.metadata.tables.get(table)
    if found is None:
        return frozenset()
    return frozenset(c.name for c in found.columns if c.info.get("secret"))


def redact(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    secrets: frozenset[str],
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """`old` and `new` with each secret value replaced by `REDACTED` (there,
    unchanged) or `REDACTED_SET` (set by this write); None stays None, so a
    cleared value shows too. Markers in, the same markers out."""
    before = old or {}
    shown_old = (
        None
        if old is None
        else {
            k: REDACTED if k in secrets and v is not None else v for k, v in old.items()
        }
    )
    shown_new = None if new is None else {
        k: _set_or_kept(v, before.get(k)) if k in secrets else v
        for k, v in new.items()
    }  # fmt: skip
    return shown_old, shown_new


def _set_or_kept(value: Any, before: Any) -> str | None:
    if value is None:
        return None
    # an entry redacted earlier holds markers: equal markers mean unchanged
    return REDACTED if value == before else REDACTED_SET


def department_of(
    db: Session | Connection, table: str, values: Mapping[str, Any]
) -> str | None:
    """The department a row of `table` belongs to (an order's, its lines',
    a user's), from the row's audit values; None: every department's."""
    if table == "customer_orders":
        department: str | None = values.get("department")
        return department
    if table == "customer_order_lines" and values.get("order_id") is not None:
        return db.scalar(
            select(CustomerOrder.department).where(
                CustomerOrder.id == values["order_id"]
            )
        )
    if table == "users" and values.get("department_id") is not None:
        return db.scalar(
            select(Department.code).where(Department.id == values["department_id"])
        )
    return None


def readable(mine: ColumnElement[bool] | None) -> ColumnElement[bool] | None:
    """The entries a reader sees: those `mine` allows (their department's, as
    the orders list says; None: every entry), and those of tables whose rows
    belong to no department (clients, pricing rules, departments, rates)."""
    if mine is None:
        return None
    shared = and_(
        AuditEntry.department.is_(None),
        AuditEntry.table_name.not_in(sorted(OF_A_DEPARTMENT)),
    )
    return or_(mine, shared)


def entries(
    session: Session,
    *,
    table: str | None = None,
    limit: int = 100,
    where: ColumnElement[bool] | None = None,
) -> tuple[list[AuditEntry], bool]:
    """The newest audit entries (of one table, matching `where`), at most
    `limit`; and whether cut."""
    limit = max(1, min(limit, MAX_AUDIT_ROWS))
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if table:
        query = query.where(AuditEntry.table_name == table)
    if where is not None:
        query = query.where(where)
    rows = list(session.scalars(query))
    return rows[:limit], len(rows) > limit


def _table(row: Tracked) -> str:
    name: str = getattr(row, "__tablename__")  # noqa: B009
    return name


def _row_id(
    row: Tracked, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> str:
    values = new or old or {}
    return str(values.get("id", getattr(row, "id", "")))


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def record(
    session: Session,
    *,
    table: str,
    row_id: str,
    action: Action,
    actor: Actor,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    note: str | None = None,
    department: str | None = None,
) -> None:
    """An audit entry for a write that is not one tracked row (a sign-in…),
    of the `department` it concerns (a user's own)."""
    old, new = redact(old, new, secret_columns(table))
    session.add(
        AuditEntry(
            at=utcnow(), who=actor.who, via=actor.via, table_name=table,
            row_id=row_id, action=action, department=department, old=old,
            new=new, note=note,
        )
    )  # fmt: skip
