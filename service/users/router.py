"""`/api/auth/token`, `/api/me`, `/api/users`, `/api/departments`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select

from service.db import audit
from service.db.models import Department, User, utcnow
from service.db.session import transaction
from service.deps import CurrentUserDep, SessionDep, SettingsDep, require
from service.users import logic, signin
from service.users.logic import RIGHTS, CurrentUser
from service.users.models import (
    DepartmentIn,
    TokenIn,
    TokenOut,
    UserChange,
    UserIn,
    UserOut,
)

router = APIRouter(tags=["users"])
Admin = Annotated[CurrentUser, require("users.write")]


@router.post("/auth/token", status_code=201)
def post_token(
    body: TokenIn, session: SessionDep, settings: SettingsDep, request: Request
) -> TokenOut:
    """A bearer token for the API, for a login and password (401 if wrong; 429
    for a while after several wrong ones)."""
    throttle = request.app.state.signin_throttle
    with transaction(session):
        user = logic.authenticate_throttled(
            session, throttle, body.login, body.password
        )
        if user is None:
            raise HTTPException(401, "wrong login or password")
        issued = signin.issue(
            session, user, kind="token", label=body.label,
            ttl=dt.timedelta(days=settings.token_ttl_days),
        )  # fmt: skip
        audit.record(session, table="auth_tokens", row_id=user.login,
                     action="insert", actor=audit.Actor(user.login, "api"),
                     new=issued.row, note=f"token issued ({body.label or 'no label'})",
                     department=logic.current_user(session, user).department)  # fmt: skip
    return TokenOut(access_token=issued.secret, expires_at=issued.expires_at)


@router.delete("/auth/token", status_code=204)
def delete_token(
    request: Request, session: SessionDep, user: CurrentUserDep
) -> Response:
    """End the bearer token this request carries."""
    _scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    with transaction(session):
        if not secret or not signin.revoke(session, secret.strip()):
            raise HTTPException(400, "this request carries no bearer token to end")
        audit.record(session, table="auth_tokens", row_id=user.login,
                     action="update", actor=user.actor, note="token revoked",
                     old={"revoked_at": None}, new={"revoked_at": utcnow().isoformat()},
                     department=user.department)  # fmt: skip
    return Response(status_code=204)


@router.get("/me")
def get_me(user: CurrentUserDep) -> UserOut:
    """The signed-in user and what their role may do."""
    return _out_current(user)


@router.get("/users")
def get_users(session: SessionDep, _admin: Admin) -> list[UserOut]:
    """Every user (admins only)."""
    rows = session.scalars(select(User).order_by(User.login))
    return [_out(session, row) for row in rows]


@router.post("/users", status_code=201)
def post_user(body: UserIn, session: SessionDep, admin: Admin) -> UserOut:
    """Add a user (admins only)."""
    with transaction(session):
        row = logic.create_user(session, **body.model_dump(), actor=admin.actor)
    return _out(session, row)


@router.patch("/users/{login}")
def patch_user(
    login: str, body: UserChange, session: SessionDep, admin: Admin
) -> UserOut:
    """Change a user (admins only); a new password or deactivation signs them out."""
    changes = body.model_dump(exclude_unset=True)
    with transaction(session):
        row = logic.find_user(session, login)
        if row is None:
            raise LookupError(f"no user `{login}`")
        logic.update_user(session, row, changes, actor=admin.actor)
        if "password" in changes or changes.get("active") is False:
            signin.revoke_user(session, row.id)
    return _out(session, row)


@router.get("/departments")
def get_departments(session: SessionDep, _user: CurrentUserDep) -> list[DepartmentIn]:
    """Every department."""
    rows = session.scalars(select(Department).order_by(Department.code))
    return [DepartmentIn(code=r.code, name=r.name) for r in rows]


@router.post("/departments", status_code=201)
def post_department(
    body: DepartmentIn, session: SessionDep, admin: Admin
) -> DepartmentIn:
    """Add or rename a department (admins only)."""
    with transaction(session):
        row = logic.save_department(
            session, code=body.code, name=body.name, actor=admin.actor
        )
    return DepartmentIn(code=row.code, name=row.name)


def _out(session: SessionDep, row: User) -> UserOut:
    current = logic.current_user(session, row)
    return _out_current(current).model_copy(update={"active": row.active})


def _out_current(user: CurrentUser) -> UserOut:
    return UserOut(
        login=user.login,
        name=user.name,
        role=user.role,
        department=user.department,
        language=user.language,
        rights=sorted(RIGHTS.get(user.role, ())),
    )
