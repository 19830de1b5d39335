"""Every write to an audited table goes through `write`, which logs it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from service.db.models import AuditEntry, Tracked, utcnow

Action = Literal["insert", "update", "delete"]
MAX_AUDIT_ROWS = 1000


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
    old: dict[str, Any] | None
    new: dict[str, Any] | None


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
    session.add(
        AuditEntry(
            at=now,
            who=actor.who,
            via=actor.via,
            table_name=_table(row),
            row_id=_row_id(row, old, new),
            action=action,
            old=old,
            new=new,
        )
    )


def row_json(row: Tracked) -> dict[str, Any]:
    """The row's columns as JSON values (decimals and dates as text)."""
    mapper = inspect(type(row))
    return {
        attr.key: _json_value(getattr(row, attr.key)) for attr in mapper.column_attrs
    }


def entries(
    session: Session, *, table: str | None = None, limit: int = 100
) -> tuple[list[AuditEntry], bool]:
    """The newest audit entries (of one table), at most `limit`; and whether cut."""
    limit = max(1, min(limit, MAX_AUDIT_ROWS))
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if table:
        query = query.where(AuditEntry.table_name == table)
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
) -> None:
    """An audit entry for a write that is not one tracked row (a sign-in…)."""
    session.add(
        AuditEntry(
            at=utcnow(), who=actor.who, via=actor.via, table_name=table,
            row_id=row_id, action=action, old=old, new=new, note=note,
        )
    )  # fmt: skip
