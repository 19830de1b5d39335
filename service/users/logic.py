"""Users and departments: create, change, check a password; roles and rights."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from search.index_read import ALL_DEPARTMENTS
from service.db import audit
from service.db.audit import Actor
from service.db.models import Department, User
from service.users.signin import SignInThrottle

Role = Literal["admin", "manager", "analyst"]
ROLES: tuple[str, ...] = ("admin", "manager", "analyst")
# what each role may do; a route names the right it needs
RIGHTS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {"quote", "clients.read", "clients.write", "orders.read", "orders.write",
         "pricing.write", "users.write", "audit.read", "brands.write",
         "mail.review"}
    ),
    "manager": frozenset(
        {"quote", "clients.read", "clients.write", "orders.read", "orders.write"}
    ),
    "analyst": frozenset(
        {"quote", "clients.read", "orders.read", "audit.read", "mail.review"}
    ),
}  # fmt: skip
LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
MIN_PASSWORD = 8
_hasher = PasswordHasher()


class UserError(ValueError):
    """A user or department that cannot be saved as given."""


class TooManyAttempts(Exception):
    """Too many wrong passwords for a login lately (429)."""

    def __init__(self, login: str, wait_s: float) -> None:
        self.wait_s = wait_s
        super().__init__(
            f"too many wrong passwords for `{login}`: try again in {wait_s:.0f} s"
        )


class NotAllowed(PermissionError):
    """The signed-in user's role or department does not allow this (403)."""


@dataclass(frozen=True)
class CurrentUser:
    """Who is signed in, as requests see it (no ORM row, no password hash)."""

    id: int
    login: str
    name: str
    role: str
    department: str | None
    language: str
    department_name: str | None = None  # the name people read, for pages

    def can(self, right: str) -> bool:
        """Whether this user's role grants `right`."""
        return right in RIGHTS.get(self.role, frozenset())

    @property
    def actor(self) -> Actor:
        return Actor(who=self.login, via="api")


def search_department(user: CurrentUser, asked: str | None = None) -> str | None:
    """The department a user's searches run as: their own. An admin may name
    another, and an admin with none sees every department's price lists.
    A department is named as its code is kept (`EKB `: `ekb`; blank: none)."""
    asked = (asked or "").strip().lower() or None
    if asked is not None and asked != user.department:
        if user.role != "admin":
            mine = (
                f"department `{user.department}`"
                if user.department
                else "no department"
            )
            raise NotAllowed(
                f"`{user.login}` searches as {mine} only (an admin may name one)"
            )
        return asked
    if user.department is None and user.role == "admin":
        return ALL_DEPARTMENTS
    return user.department


def asked_department(
    session: Session, user: CurrentUser, asked: str | None
) -> str | None:
    """`search_department` for a department a request names: 403 for one not
    the user's to name, 422 for one there is not."""
    department = search_department(user, asked)
    if asked is not None:
        department_id(session, asked)
    return department


def sees_department(user: CurrentUser, department: str | None) -> bool:
    """Whether a user may see a record of `department` (an order…): admins see
    every department, others their own."""
    return user.role == "admin" or department == user.department


def department_clause(user: CurrentUser, column: Any) -> ColumnElement[bool] | None:
    """`sees_department` as a condition on a department `column` (None: an
    admin sees every row)."""
    if user.role == "admin":
        return None
    if user.department is None:
        return column.is_(None)
    return column == user.department


def hash_password(password: str) -> str:
    """An Argon2id hash of `password`, after checking its length."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether `password` is the one `stored_hash` was made from."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# a hash to check against when the login is unknown, so that an unknown login
# takes as long as a wrong password
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with this login and password, else None."""
    user = find_user(session, login)
    if user is None:
        password_matches(_DUMMY_HASH, password)
        return None
    if not password_matches(user.password_hash, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def authenticate_throttled(
    session: Session, throttle: SignInThrottle, login: str, password: str
) -> User | None:
    """`authenticate`, refused with `TooManyAttempts` while the login is locked
    after a run of wrong passwords."""
    wait = throttle.wait_s(login)
    if wait > 0:
        raise TooManyAttempts(login, wait)
    user = authenticate(session, login, password)
    if user is None:
        throttle.failed(login)
    else:
        throttle.succeeded(login)
    return user


def find_user(session: Session, login: str) -> User | None:
    """The user with this login (case-insensitive), else None."""
    return session.scalar(select(User).where(User.login == login.strip().lower()))


def current_user(session: Session, user: User) -> CurrentUser:
    """The request-side view of a user row."""
    department = (
        session.get(Department, user.department_id) if user.department_id else None
    )
    return CurrentUser(
        id=user.id,
        login=user.login,
        name=user.name,
        role=user.role,
        department=department.code if department else None,
        language=user.language,
        department_name=department.name if department else None,
    )


def save_department(
    session: Session, *, code: str, name: str, actor: Actor
) -> Department:
    """Create the department `code`, or rename it."""
    code = code.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,59}", code):
        raise UserError(f"department code `{code}`: use a-z, 0-9, `-` and `_`")
    row = session.scalar(select(Department).where(Department.code == code))
    if row is None:
        row = Department(code=code, name=name.strip() or code)
        audit.write(session, row, action="insert", actor=actor)
    elif row.name != name.strip():
        audit.write(session, row, action="update", actor=actor,
                    changes={"name": name.strip()})  # fmt: skip
    return row


def create_user(
    session: Session,
    *,
    login: str,
    name: str,
    password: str,
    role: str,
    department: str | None,
    actor: Actor,
    language: str = "ru",
) -> User:
    """A new user; the login is unique, the role known, the department existing."""
    login = login.strip().lower()
    if not LOGIN.match(login):
        raise UserError(f"login `{login}`: 2-60 characters of a-z, 0-9, `.`, `_`, `-`")
    if find_user(session, login) is not None:
        raise UserError(f"login `{login}` is taken")
    row = User(
        login=login,
        name=name.strip() or login,
        password_hash=hash_password(password),
        role=_role(role),
        department_id=department_id(session, department),
        language=_language(language),
        active=True,
    )
    audit.write(session, row, action="insert", actor=actor)
    return row


def update_user(
    session: Session, user: User, changes: dict[str, Any], *, actor: Actor
) -> User:
    """Change a user's name, role, department, language, active flag or password."""
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None and key != "department":
            # only the department may be taken away; the rest are NOT NULL
            raise UserError(f"`{key}` cannot be empty")
        if key == "password":
            values["password_hash"] = hash_password(value)
        elif key == "role":
            values["role"] = _role(value)
        elif key == "department":
            values["department_id"] = department_id(session, value)
        elif key == "language":
            values["language"] = _language(value)
        elif key == "name":
            values["name"] = value.strip() or user.login
        elif key == "active":
            values["active"] = value
        else:
            raise UserError(f"`{key}` cannot be changed here")
    stops_admin = (
        values.get("role", "admin") != "admin" or values.get("active") is False
    )
    if user.role == "admin" and user.active and stops_admin:
        _keep_an_admin(session, user)
    audit.write(session, user, action="update", actor=actor, changes=values)
    return user


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse to demote or deactivate the last active admin: nobody could
    manage users any more."""
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise UserError(
            f"`{user.login}` is the last active admin: make another admin first"
        )


def count_users(session: Session) -> int:
    """How many users exist."""
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def _role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role `{role}`; use one of {', '.join(ROLES)}")
    return role


def _language(language: str) -> str:
    if language not in ("ru", "en"):
        raise UserError(f"unknown language `{language}`; use `ru` or `en`")
    return language


def department_id(session: Session, code: str | None) -> int | None:
    """The id of the department `code` (None for none), or `UserError`."""
    code = (code or "").strip().lower()
    if not code:
        return None
    row = session.scalar(select(Department).where(Department.code == code))
    if row is None:
        raise UserError(f"unknown department `{code}`")
    return row.id
