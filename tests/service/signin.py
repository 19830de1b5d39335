"""Sign a test client in: a user of a role and a bearer token."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from service.db.audit import Actor
from service.db.engine import Database
from service.db.migrate import upgrade
from service.db.session import transaction
from service.users import signin
from service.users.logic import create_user, find_user, save_department

PASSWORD = "correct-horse-1"


def sign_in(
    client: TestClient,
    *,
    role: str = "admin",
    login: str | None = None,
    department: str | None = None,
    name: str | None = None,
) -> dict[str, str]:
    """Create a user of `role` (named `name`, default the login) in the app's
    database and sign the client in with a bearer token; returns the header
    (also set on the client)."""
    login = login or f"test-{role}"
    database: Database = client.app.state.db  # type: ignore[attr-defined]
    if database.is_sqlite:
        upgrade(database.engine)
    with database.sessions() as session, transaction(session):
        actor = Actor("test", "seed")
        if department:
            save_department(session, code=department, name=department, actor=actor)
        if find_user(session, login) is None:
            create_user(session, login=login, name=name or login, password=PASSWORD,
                        role=role, department=department, actor=actor)  # fmt: skip
    answer = client.post("/api/auth/token", json={"login": login, "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    header = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    client.headers.update(header)
    return header


def page_session(client: TestClient, login: str) -> signin.Issued:
    """Sign `login` in as a page would: a session cookie instead of the token."""
    database: Database = client.app.state.db  # type: ignore[attr-defined]
    with database.sessions() as session, transaction(session):
        user = find_user(session, login)
        assert user is not None
        issued = signin.issue(session, user, kind="session", ttl=dt.timedelta(hours=1))
    client.headers.pop("Authorization", None)
    client.cookies.set(signin.COOKIE, issued.secret)
    return issued
