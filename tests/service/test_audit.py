"""The audit log keeps no secrets and shows each reader their department's
entries, over a real database on each backend."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from parts.settings import Settings
from pricing.rules import ClientGroup, RuleSet
from service.app import create_app
from service.clients.logic import create_client
from service.clients.models import ClientIn
from service.db.audit import OF_A_DEPARTMENT, REDACTED, REDACTED_SET, Actor, redact
from service.db.engine import Database
from service.db.models import Base, Client, CustomerOrder
from service.db.session import transaction
from service.orders import logic as orders
from service.orders.models import OrderIn, OrderLineIn
from service.pricing_rules.logic import save_rule_set
from service.users.logic import (
    create_user,
    current_user,
    find_user,
    save_department,
)
from tests.service.signin import PASSWORD, sign_in

ACTOR = Actor("test", "seed")
SECRETS = frozenset({"password_hash", "csrf"})
OFFER = {
    "brand": "BOSCH", "article": "0986452041", "name": "Фильтр масляный",
    "supplier_id": "alpha", "source": "pricelist", "warehouse": None,
    "load_id": "load-1", "row": 2, "price": "570.00", "purchase_price": "400.00",
    "currency": "RUB", "delivery_days_min": 1, "delivery_days_max": 2,
}  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        (None, {"password_hash": "$argon2id$a", "csrf": None},
         (None, {"password_hash": REDACTED_SET, "csrf": None})),
        ({"password_hash": "$argon2id$a", "csrf": "x"},
         {"password_hash": "$argon2id$a", "csrf": "y"},
         ({"password_hash": REDACTED, "csrf": REDACTED},
          {"password_hash": REDACTED, "csrf": REDACTED_SET})),
        ({"password_hash": "$argon2id$a", "csrf": "x"},
         {"password_hash": "$argon2id$a", "csrf": None},
         ({"password_hash": REDACTED, "csrf": REDACTED},
          {"password_hash": REDACTED, "csrf": None})),
        ({"password_hash": "$argon2id$a", "csrf": None}, None,
         ({"password_hash": REDACTED, "csrf": None}, None)),
    ],
    ids=["insert", "one-changed", "cleared", "delete"],
)  # fmt: skip
def test_a_secret_shows_only_whether_it_was_set_kept_or_cleared(
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    shown: tuple[dict[str, Any] | None, dict[str, Any] | None],
) -> None:
    other = {"login": "eve"}
    with_other = [None if v is None else {**other, **v} for v in (old, new)]
    expected = tuple(None if v is None else {**other, **v} for v in shown)

    redacted = redact(*with_other, SECRETS)

    assert redacted == expected
    assert redact(*redacted, SECRETS) == expected  # markers stay as they are


def test_every_secret_looking_column_says_whether_the_audit_may_keep_it() -> None:
    looks_secret = re.compile(r"password|hash|token|csrf|secret")
    undecided = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if looks_secret.search(column.name) and "secret" not in column.info
    ]

    assert undecided == []


@pytest.fixture
def client(settings: Settings, db_url: str) -> Iterator[TestClient]:
    """The app with an admin of no department signed in."""
    app = create_app(settings.model_copy(update={"database_url": db_url}))
    with TestClient(app) as client:
        sign_in(client, login="root")
        yield client


def place_order(session: Session, login: str, client_id: int) -> CustomerOrder:
    """An order of one line by `login`, saved as `POST /api/orders` saves it."""
    row = find_user(session, login)
    assert row is not None
    user = current_user(session, row)
    line = OrderLineIn(
        **{k: OFFER[k] for k in ("brand", "article", "supplier_id", "source")},
        load_id="load-1", row=2, qty=1,
    )  # fmt: skip
    submission = orders.Submission(
        OrderIn(client_id=client_id, lines=[line]), f"{login}-1", user
    )
    pricing = orders.Pricing("retail", None, user.department, login, 1000)
    priced = [orders.PricedLine(1, 1, dict(OFFER), True)]
    return orders.save_order(session, submission, pricing, priced)


def seed_two_departments(database: Database) -> None:
    """Departments `msk` and `ekb`, a manager and an order in each, a client."""
    with database.sessions() as session, transaction(session):
        groups = [ClientGroup(id="retail", name="Розница")]
        save_rule_set(session, RuleSet(client_groups=groups), actor=ACTOR)
        for code in ("msk", "ekb"):
            save_department(session, code=code, name=code, actor=ACTOR)
            create_user(session, login=f"manager-{code}", name=code,
                        password="password-1", role="manager", department=code,
                        actor=ACTOR)  # fmt: skip
        buyer = create_client(
            session, ClientIn(name="Иван Петров", client_group="retail"), actor=ACTOR
        )
        for code in ("msk", "ekb"):
            place_order(session, f"manager-{code}", buyer.id)


def _seen(client: TestClient, header: dict[str, str]) -> list[Any]:
    answer = client.get("/api/audit", params={"limit": 1000}, headers=header)
    assert answer.status_code == 200, answer.text
    return [
        (e["table"], e["action"], e["department"], e["who"])
        for e in answer.json()["entries"]
    ]


def test_an_analyst_reads_the_audit_of_their_department_and_of_none(
    client: TestClient,
) -> None:
    admin = dict(client.headers)
    seed_two_departments(client.app.state.db)  # type: ignore[attr-defined]
    analyst = sign_in(client, role="analyst", login="anna", department="msk")

    everything = _seen(client, admin)
    as_analyst = _seen(client, analyst)

    assert everything == [
        ("auth_tokens", "insert", "msk", "anna"),
        ("users", "insert", "msk", "test"),
        ("customer_order_lines", "insert", "ekb", "manager-ekb"),
        ("customer_orders", "insert", "ekb", "manager-ekb"),
        ("customer_order_lines", "insert", "msk", "manager-msk"),
        ("customer_orders", "insert", "msk", "manager-msk"),
        ("clients", "insert", None, "test"),
        ("users", "insert", "ekb", "test"),
        ("departments", "insert", None, "test"),
        ("users", "insert", "msk", "test"),
        ("departments", "insert", None, "test"),
        ("client_groups", "insert", None, "test"),
        ("auth_tokens", "insert", None, "root"),
        ("users", "insert", None, "test"),
    ]
    # the admin's own user and sign-in (no department) are not for the analyst
    assert as_analyst == [
        e for e in everything
        if e[2] == "msk" or (e[2] is None and e[0] not in OF_A_DEPARTMENT)
    ]  # fmt: skip


def test_an_order_of_no_department_is_in_the_audit_of_admins_only(
    client: TestClient,
) -> None:
    admin = dict(client.headers)
    database: Database = client.app.state.db  # type: ignore[attr-defined]
    seed_two_departments(database)
    with database.sessions() as session, transaction(session):
        buyer = session.scalars(select(Client)).one()
        # an admin of no department orders from every department's lists
        place_order(session, "root", buyer.id)
    analyst = sign_in(client, role="analyst", login="anna", department="msk")
    nowhere = sign_in(client, role="analyst", login="olga")

    every = client.get("/api/audit", params={"limit": 1000}, headers=admin).json()
    seen = client.get("/api/audit", params={"limit": 1000}, headers=analyst).json()
    of_none = client.get("/api/audit", params={"limit": 1000}, headers=nowhere)

    assert seen == {
        "entries": [e for e in every["entries"]
                    if e["department"] == "msk"
                    or e["table"] in ("clients", "departments", "client_groups")],
        "truncated": False,
    }  # fmt: skip
    assert [(e["table"], e["department"], e["who"]) for e in seen["entries"]] == [
        ("auth_tokens", "msk", "anna"),
        ("users", "msk", "test"),
        ("customer_order_lines", "msk", "manager-msk"),
        ("customer_orders", "msk", "manager-msk"),
        ("clients", None, "test"),
        ("departments", None, "test"),
        ("users", "msk", "test"),
        ("departments", None, "test"),
        ("client_groups", None, "test"),
    ]
    # a reader of no department sees what the orders list shows them: orders
    # of no department, as `sees_department` says
    assert (of_none.status_code, of_none.json()) == (200, {
        "entries": [e for e in every["entries"] if e["department"] is None],
        "truncated": False,
    })  # fmt: skip
    assert ("customer_orders", None, "root") in [
        (e["table"], e["department"], e["who"]) for e in of_none.json()["entries"]
    ]


def test_a_sign_in_and_out_are_audited_with_the_token_row_its_secrets_redacted(
    client: TestClient,
) -> None:
    admin = dict(client.headers)
    anna = sign_in(client, role="analyst", login="anna", department="msk")
    ended = client.delete("/api/auth/token", headers=anna)
    client.headers.clear()
    page = client.post("/ui/login", data={"login": "anna", "password": PASSWORD},
                       follow_redirects=False)  # fmt: skip
    assert (ended.status_code, page.status_code) == (204, 303)

    entries = client.get(
        "/api/audit", params={"table": "auth_tokens", "limit": 10}, headers=admin
    ).json()["entries"]

    page_in, token_out, token_in = entries[:3]
    assert (token_in["who"], token_in["action"], token_in["old"]) == (
        "anna", "insert", None)  # fmt: skip
    assert {k: v for k, v in token_in["new"].items() if "_at" not in k} == {
        "id": token_in["new"]["id"], "user_id": token_in["new"]["user_id"],
        "kind": "token", "label": None, "token_hash": REDACTED_SET, "csrf": None,
    }  # fmt: skip
    assert token_in["new"]["expires_at"] > token_in["new"]["created_at"]
    assert (token_out["action"], token_out["old"], sorted(token_out["new"])) == (
        "update", {"revoked_at": None}, ["revoked_at"])  # fmt: skip
    assert (page_in["new"]["kind"], page_in["new"]["csrf"], page_in["note"]) == (
        "session", REDACTED_SET, "signed in")  # fmt: skip


def test_an_audit_filter_by_a_table_there_is_not_names_the_tables(
    client: TestClient,
) -> None:
    wrong = client.get("/api/audit", params={"table": "orders"})
    right = client.get("/api/audit", params={"table": "users"})

    assert (wrong.status_code, wrong.json()["title"]) == (422, "bad input")
    assert "no table `orders` in the audit" in wrong.json()["detail"]
    assert "customer_orders" in wrong.json()["detail"]
    assert right.status_code == 200
    assert {e["table"] for e in right.json()["entries"]} == {"users"}
