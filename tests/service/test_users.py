"""Users, roles, departments and sign-in over a real database on each backend."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from parts.settings import Settings
from service.app import create_app
from service.db.audit import Actor
from service.db.engine import Database
from service.db.models import AuthToken, User, utcnow
from service.db.session import transaction
from service.users import signin
from service.users.logic import create_user, find_user, save_department
from tests.service.signin import PASSWORD, page_session, sign_in

MANAGER_RIGHTS = [
    "clients.read", "clients.write", "orders.read", "orders.write", "quote",
]  # fmt: skip
ADMIN_RIGHTS = sorted(
    [
        *MANAGER_RIGHTS,
        "audit.read",
        "brands.write",
        "mail.review",
        "pricing.write",
        "users.write",
    ]
)
WRONG = {
    "type": "about:blank",
    "title": "wrong login or password",
    "status": 401,
    "detail": "wrong login or password",
}


@pytest.fixture
def client(settings: Settings, db_url: str) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"database_url": db_url}))
    with TestClient(app) as client:
        sign_in(client, login="root")
        yield client


def _db(client: TestClient) -> Database:
    database: Database = client.app.state.db  # type: ignore[attr-defined]
    return database


def _add_user(
    client: TestClient,
    login: str,
    *,
    role: str = "manager",
    department: str | None = None,
    password: str = PASSWORD,
) -> None:
    with _db(client).sessions() as session, transaction(session):
        actor = Actor("test", "seed")
        if department:
            save_department(session, code=department, name=department, actor=actor)
        create_user(session, login=login, name=login.title(), password=password,
                    role=role, department=department, actor=actor)  # fmt: skip


def _token(client: TestClient, login: str, password: str = PASSWORD) -> dict[str, str]:
    answer = client.post("/api/auth/token", json={"login": login, "password": password})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _me(client: TestClient, header: dict[str, str]) -> Any:
    return client.get("/api/me", headers=header)


def test_a_token_for_the_right_password_signs_in_with_the_role_rights(
    client: TestClient,
) -> None:
    _add_user(client, "bob", department="north")

    answer = client.post(
        "/api/auth/token",
        json={"login": " Bob ", "password": PASSWORD, "label": "1c sync"},
    )
    header = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    me = _me(client, header)

    assert answer.status_code == 201
    assert answer.json()["token_type"] == "bearer"
    expires = dt.datetime.fromisoformat(answer.json()["expires_at"])
    assert dt.timedelta(days=29) < expires - utcnow() <= dt.timedelta(days=30)
    assert me.status_code == 200
    assert me.json() == {
        "login": "bob",
        "name": "Bob",
        "role": "manager",
        "department": "north",
        "language": "ru",
        "active": True,
        "rights": MANAGER_RIGHTS,
    }


def test_a_wrong_password_and_an_unknown_login_get_the_same_401(
    client: TestClient,
) -> None:
    _add_user(client, "bob")

    wrong = client.post("/api/auth/token", json={"login": "bob", "password": "x" * 9})
    unknown = client.post(
        "/api/auth/token", json={"login": "nobody", "password": PASSWORD}
    )

    assert (wrong.status_code, wrong.json()) == (401, WRONG)
    assert (unknown.status_code, unknown.json()) == (401, WRONG)


def test_a_request_without_a_token_or_with_a_made_up_one_is_401(
    client: TestClient,
) -> None:
    anonymous = client.get("/api/me", headers={"Authorization": ""})
    made_up = client.get("/api/me", headers={"Authorization": "Bearer made-up"})

    for answer in (anonymous, made_up):
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert "POST /api/auth/token" in answer.json()["detail"]


def test_a_deactivated_user_is_refused_and_their_tokens_stop_working(
    client: TestClient,
) -> None:
    _add_user(client, "bob")
    header = _token(client, "bob")

    changed = client.patch("/api/users/bob", json={"active": False})
    again = client.post("/api/auth/token", json={"login": "bob", "password": PASSWORD})

    assert changed.status_code == 200
    assert changed.json()["active"] is False
    assert _me(client, header).status_code == 401
    assert (again.status_code, again.json()) == (401, WRONG)
    assert client.patch("/api/users/bob", json={"active": True}).status_code == 200
    assert _me(client, header).status_code == 401  # ended, not paused
    assert _me(client, _token(client, "bob")).status_code == 200


def test_a_password_change_ends_old_tokens_and_the_new_password_works(
    client: TestClient,
) -> None:
    _add_user(client, "bob")
    old = _token(client, "bob")

    changed = client.patch("/api/users/bob", json={"password": "new-secret-99"})
    refused = client.post(
        "/api/auth/token", json={"login": "bob", "password": PASSWORD}
    )

    assert changed.status_code == 200
    assert _me(client, old).status_code == 401
    assert refused.status_code == 401
    assert _me(client, _token(client, "bob", "new-secret-99")).status_code == 200


def test_a_name_change_keeps_the_user_signed_in(client: TestClient) -> None:
    _add_user(client, "bob")
    header = _token(client, "bob")

    changed = client.patch("/api/users/bob", json={"name": "Борис"})

    assert changed.json()["name"] == "Борис"
    assert _me(client, header).json()["name"] == "Борис"


def test_an_expired_token_is_refused(client: TestClient) -> None:
    _add_user(client, "bob")
    header = _token(client, "bob")
    assert _me(client, header).status_code == 200

    with _db(client).sessions() as session, transaction(session):
        bob = find_user(session, "bob")
        assert bob is not None
        session.execute(
            update(AuthToken)
            .where(AuthToken.user_id == bob.id)
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )

    assert _me(client, header).status_code == 401


def test_deleting_the_token_ends_it(client: TestClient) -> None:
    _add_user(client, "bob")
    header = _token(client, "bob")
    other = _token(client, "bob")

    ended = client.delete("/api/auth/token", headers=header)

    assert ended.status_code == 204
    assert _me(client, header).status_code == 401
    assert _me(client, other).status_code == 200  # only the one it carried
    assert client.delete("/api/auth/token", headers=header).status_code == 401


def test_a_manager_may_not_list_or_create_users_an_admin_may(
    client: TestClient,
) -> None:
    _add_user(client, "bob")
    manager = _token(client, "bob")
    new = {"login": "eve", "name": "Eve", "password": PASSWORD, "role": "analyst"}

    listed = client.get("/api/users", headers=manager)
    created = client.post("/api/users", json=new, headers=manager)

    for answer in (listed, created):
        assert answer.status_code == 403
        assert answer.json()["detail"] == (
            "role `manager` may not do this (needs `users.write`)"
        )
    made = client.post("/api/users", json=new)
    assert made.status_code == 201
    assert made.json() == {
        "login": "eve",
        "name": "Eve",
        "role": "analyst",
        "department": None,
        "language": "ru",
        "active": True,
        "rights": ["audit.read", "clients.read", "mail.review", "orders.read", "quote"],
    }
    everyone = client.get("/api/users").json()
    assert [(u["login"], u["role"]) for u in everyone] == [
        ("bob", "manager"),
        ("eve", "analyst"),
        ("root", "admin"),
    ]
    assert everyone[2]["rights"] == ADMIN_RIGHTS


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"login": "Root"}, "login `root` is taken"),
        ({"password": "short"}, "password: String should have at least 8 characters"),
        ({"login": "bob smith"}, "login `bob smith`: 2-60 characters of a-z"),
        ({"login": "борис"}, "login `борис`: 2-60 characters of a-z"),
        ({"role": "boss"}, "unknown role `boss`; use one of admin, manager, analyst"),
        ({"department": "moon"}, "unknown department `moon`"),
        ({"language": "de"}, "unknown language `de`; use `ru` or `en`"),
    ],
    ids=["duplicate", "short-password", "space", "cyrillic", "role", "dep", "lang"],
)
def test_a_user_that_cannot_be_saved_is_refused_with_the_reason(
    client: TestClient, change: dict[str, str], problem: str
) -> None:
    user = {"login": "eve", "name": "Eve", "password": PASSWORD, "role": "manager"}

    answer = client.post("/api/users", json={**user, **change})

    assert answer.status_code == 422
    assert problem in answer.json()["detail"]
    assert [u["login"] for u in client.get("/api/users").json()] == ["root"]


@pytest.mark.parametrize(
    "change",
    [{"password": "short"}, {"role": "boss"}, {"department": "moon"}, {"name": None},
     {"role": None}, {"active": None}, {"password": None}],
    ids=["short", "role", "dep", "no-name", "no-role", "no-active", "no-password"],
)  # fmt: skip
def test_a_user_change_that_cannot_be_saved_is_422_and_changes_nothing(
    client: TestClient, change: dict[str, Any]
) -> None:
    _add_user(client, "bob")
    header = _token(client, "bob")

    answer = client.patch("/api/users/bob", json=change)

    assert answer.status_code == 422, answer.text
    assert _me(client, header).json()["role"] == "manager"


def test_departments_are_added_by_an_admin_and_named_in_any_case(
    client: TestClient,
) -> None:
    _add_user(client, "bob")
    manager = _token(client, "bob")

    added = client.post("/api/departments", json={"code": "North", "name": "Север"})
    renamed = client.post("/api/departments", json={"code": "north", "name": "Сев."})
    bad = client.post("/api/departments", json={"code": "north side", "name": "X"})
    refused = client.post(
        "/api/departments", json={"code": "south", "name": "Юг"}, headers=manager
    )
    moved = client.patch("/api/users/bob", json={"department": " NORTH "})

    assert (added.status_code, added.json()) == (
        201,
        {"code": "north", "name": "Север"},
    )
    assert renamed.json() == {"code": "north", "name": "Сев."}
    assert (bad.status_code, bad.json()["detail"]) == (
        422, "department code `north side`: use a-z, 0-9, `-` and `_`",
    )  # fmt: skip
    assert refused.status_code == 403
    assert moved.json()["department"] == "north"
    assert client.get("/api/departments", headers=manager).json() == [
        {"code": "north", "name": "Сев."}
    ]
    taken_away = client.patch("/api/users/bob", json={"department": None})
    assert taken_away.json()["department"] is None


def test_a_change_to_an_unknown_user_is_404(client: TestClient) -> None:
    answer = client.patch("/api/users/nobody", json={"name": "X"})

    assert (answer.status_code, answer.json()["detail"]) == (404, "no user `nobody`")


def test_passwords_are_stored_as_argon2id_hashes_and_the_audit_never_has_them(
    client: TestClient,
) -> None:
    user = {
        "login": "eve",
        "name": "Eve",
        "password": "plain-secret-1",
        "role": "manager",
    }
    client.post("/api/users", json=user)
    client.patch("/api/users/eve", json={"password": "plain-secret-2"})
    client.patch("/api/users/eve", json={"name": "Eve Adams"})

    with _db(client).sessions() as session:
        stored = session.scalars(select(User.password_hash).order_by(User.login))
        hashes = list(stored)
        tokens = list(session.scalars(select(AuthToken.token_hash)))
    entries = client.get("/api/audit", params={"table": "users"}).json()["entries"]

    assert len(hashes) == 2
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert all(len(t) == 64 for t in tokens)  # SHA-256 hex, not the secret
    assert [
        (e["action"], e["who"], e["row_id"], _hash_of(e["old"]), _hash_of(e["new"]))
        for e in entries
    ] == [
        ("update", "root", "2", "<redacted>", "<redacted>"),  # the name
        ("update", "root", "2", "<redacted>", "<redacted: set>"),  # the password
        ("insert", "root", "2", None, "<redacted: set>"),
        ("insert", "test", "1", None, "<redacted: set>"),
    ]
    assert entries[0]["new"]["name"] == "Eve Adams"
    text = json.dumps(entries)
    assert "plain-secret" not in text
    assert "$argon2" not in text


def _hash_of(values: dict[str, Any] | None) -> str | None:
    return None if values is None else values["password_hash"]


def _page_session(client: TestClient) -> signin.Issued:
    return page_session(client, "root")


def test_a_page_write_with_the_session_cookie_needs_the_csrf_token(
    client: TestClient,
) -> None:
    issued = _page_session(client)
    department = {"code": "north", "name": "Север"}

    read = client.get("/api/me")
    no_token = client.post("/api/departments", json=department)
    wrong_token = client.post(
        "/api/departments", json=department, headers={"X-CSRF-Token": "guess"}
    )
    right_token = client.post(
        "/api/departments", json=department, headers={"X-CSRF-Token": issued.csrf or ""}
    )

    assert issued.csrf
    assert read.json()["login"] == "root"
    for answer in (no_token, wrong_token):
        assert answer.status_code == 403
        assert answer.json()["detail"] == (
            "a page write needs the session's `X-CSRF-Token` header"
        )
    assert (right_token.status_code, right_token.json()) == (201, department)
    assert client.get("/api/departments").json() == [department]


def test_a_session_secret_is_no_bearer_token_and_a_token_no_session(
    client: TestClient,
) -> None:
    with _db(client).sessions() as session, transaction(session):
        root = find_user(session, "root")
        assert root is not None
        page = signin.issue(session, root, kind="session", ttl=dt.timedelta(hours=1))
        api = signin.issue(session, root, kind="token", ttl=dt.timedelta(hours=1))
    client.headers.pop("Authorization")

    as_bearer = client.get(
        "/api/me", headers={"Authorization": f"Bearer {page.secret}"}
    )
    client.cookies.set(signin.COOKIE, api.secret)
    as_cookie = client.get("/api/me")

    assert (as_bearer.status_code, as_cookie.status_code) == (401, 401)


@pytest.mark.parametrize(
    ("login", "role", "asked", "status"),
    [
        ("bob", "manager", "south", 403),
        ("bob", "manager", "north", 200),
        ("bob", "manager", None, 200),
        ("boss", "admin", "south", 200),
        ("boss", "admin", "east", 422),
    ],
    ids=["manager-other", "manager-own", "manager-default", "admin-other",
         "admin-none-such"],
)  # fmt: skip
def test_the_department_decides_what_a_manager_may_search(
    client: TestClient, login: str, role: str, asked: str | None, status: int
) -> None:
    _add_user(client, "sam", department="south")  # `south` is; `east` is not
    _add_user(client, login, role=role, department="north")
    params = {"article": "0986452041", "brand": "BOSCH", "online": "false"}
    if asked:
        params["department"] = asked

    answer = client.get("/api/quotes", params=params, headers=_token(client, login))

    assert answer.status_code == status, answer.text
    if status == 403:
        assert answer.json()["detail"] == (
            "`bob` searches as department `north` only (an admin may name one)"
        )
    if status == 422:
        assert answer.json()["detail"] == "unknown department `east`"


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(
    client: TestClient,
) -> None:
    demoted = client.patch("/api/users/root", json={"role": "manager"})
    deactivated = client.patch("/api/users/root", json={"active": False})
    _add_user(client, "second", role="admin")
    allowed = client.patch("/api/users/root", json={"role": "manager"})

    for answer in (demoted, deactivated):
        assert answer.status_code == 422
        assert "`root` is the last active admin" in answer.json()["detail"]
    assert (allowed.status_code, allowed.json()["role"]) == (200, "manager")


def test_a_non_ascii_csrf_header_is_refused_not_a_server_error(
    client: TestClient,
) -> None:
    _page_session(client)

    answer = client.post(
        "/api/departments",
        json={"code": "north", "name": "Север"},
        headers={"X-CSRF-Token": "токен".encode()},
    )

    assert answer.status_code == 403


def test_a_run_of_wrong_passwords_locks_the_login_for_a_while(
    client: TestClient,
) -> None:
    _add_user(client, "victim")
    wrong = {"login": "victim", "password": "not-the-password"}

    refused = [client.post("/api/auth/token", json=wrong).status_code for _ in range(5)]
    locked = client.post(
        "/api/auth/token", json={"login": "victim", "password": PASSWORD}
    )
    other = client.post("/api/auth/token", json={"login": "root", "password": PASSWORD})

    assert refused == [401] * 5
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "too many wrong passwords for `victim`" in locked.json()["detail"]
    assert other.status_code == 201  # one login locked, not everybody
