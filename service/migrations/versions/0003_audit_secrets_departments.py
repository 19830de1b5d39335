"""Audit log: secrets redacted, a department per entry.

Entries written so far kept users' password hashes, before and after, in
full: they get the markers `service.db.audit` writes now (`<redacted>`,
`<redacted: set>`). Each entry gets the department of its row (an order's,
its lines', a user's; a sign-in's user), so a reader sees their own
department's entries only. A downgrade drops the column; the redacted hashes
do not come back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from service.db.audit import department_of, redact

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# the secret columns as of this revision (the models mark them with `info`)
SECRETS = {
    "users": frozenset({"password_hash"}),
    "auth_tokens": frozenset({"token_hash", "csrf"}),
}
# the tables whose rows belong to a department
OF_A_DEPARTMENT = ("customer_orders", "customer_order_lines", "users", "auth_tokens")
BATCH = 1000

audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.BigInteger()),
    sa.column("table_name", sa.String()),
    sa.column("row_id", sa.String()),
    sa.column("department", sa.String()),
    sa.column("old", JSON),
    sa.column("new", JSON),
)
users = sa.table(
    "users", sa.column("login", sa.String()), sa.column("department_id", sa.Integer())
)


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("department", sa.String(60), nullable=True))
    op.create_index("ix_audit_log_department", "audit_log", ["department"])
    connection = op.get_bind()
    change = (
        sa.update(audit_log)
        .where(audit_log.c.id == sa.bindparam("entry_id"))
        .values(
            department=sa.bindparam("entry_department"),
            old=sa.bindparam("entry_old", type_=JSON),
            new=sa.bindparam("entry_new", type_=JSON),
        )
    )
    for rows in _batches(connection):
        connection.execute(change, [_fixed(connection, row) for row in rows])


def _batches(connection: sa.Connection) -> Iterator[list[sa.Row[Any]]]:
    """The entries of rows that hold secrets or belong to a department, by id."""
    last = -1
    while True:
        rows = list(
            connection.execute(
                sa.select(audit_log)
                .where(
                    audit_log.c.table_name.in_(OF_A_DEPARTMENT),
                    audit_log.c.id > last,
                )
                .order_by(audit_log.c.id)
                .limit(BATCH)
            )
        )
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _fixed(connection: sa.Connection, row: sa.Row[Any]) -> dict[str, Any]:
    old, new = redact(row.old, row.new, SECRETS.get(row.table_name, frozenset()))
    values = row.new or row.old or {}
    if row.table_name == "auth_tokens":  # a sign-in: its row id is the login
        department_id = connection.scalar(
            sa.select(users.c.department_id).where(users.c.login == row.row_id)
        )
        values = {"department_id": department_id}
    table = "users" if row.table_name == "auth_tokens" else row.table_name
    return {
        "entry_id": row.id,
        "entry_department": department_of(connection, table, values),
        "entry_old": old,
        "entry_new": new,
    }


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ix_audit_log_department")
        batch.drop_column("department")
