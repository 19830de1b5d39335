"""`/api/audit`: who changed what, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.db import audit
from service.db.models import AuditEntry
from service.deps import CurrentUserDep, SessionDep
from service.users.logic import department_clause

router = APIRouter(tags=["audit"])


@router.get("/audit")
def get_audit(
    session: SessionDep,
    user: CurrentUserDep,
    table: Annotated[
        str | None,
        Query(
            description="Only this table: "
            + ", ".join(f"`{t}`" for t in audit.AUDITED_TABLES)
            + "."
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, description=f"At most {audit.MAX_AUDIT_ROWS}.")
    ] = 100,
) -> audit.AuditPage:
    """The newest audit entries, capped; `truncated` when there are more.

    An admin reads every entry; others those of the orders, users and
    sign-ins of their own department (as the orders list shows them) and
    those of tables with no department (clients, pricing rules…).
    """
    if table is not None and table not in audit.AUDITED_TABLES:
        raise ValueError(  # 422 "bad input", as every other bad parameter
            f"no table `{table}` in the audit; tables: "
            + ", ".join(audit.AUDITED_TABLES)
        )
    seen = audit.readable(department_clause(user, AuditEntry.department))
    rows, truncated = audit.entries(session, table=table, limit=limit, where=seen)
    return audit.AuditPage(
        entries=[
            audit.AuditEntryOut(
                id=r.id,
                at=r.at,
                who=r.who,
                via=r.via,
                table=r.table_name,
                row_id=r.row_id,
                action=r.action,
                department=r.department,
                old=r.old,
                new=r.new,
                note=r.note,
            )
            for r in rows
        ],
        truncated=truncated,
    )
