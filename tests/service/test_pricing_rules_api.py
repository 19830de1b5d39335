"""`/api/pricing/…` and `/api/audit` over a real database on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from parts.cli import app as cli
from parts.settings import Settings, get_settings
from service.app import create_app
from tests.service.signin import sign_in

RULES = {
    "rules": [
        {"id": "all", "percent": "40", "rounding_step": "10", "rounding_mode": "up"},
        {"id": "mann", "brand": "MANN-FILTER", "percent": "25"},
    ],
    "client_groups": [{"id": "retail", "name": "Розница"}],
}


@pytest.fixture
def client(settings: Settings, db_url: str) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"database_url": db_url}))
    with TestClient(app) as client:
        sign_in(client, login="alice")
        yield client


def test_rules_are_replaced_and_read_back(client: TestClient) -> None:
    assert client.get("/api/pricing/rules").json() == {"rules": [], "client_groups": []}

    saved = client.put("/api/pricing/rules", json=RULES)

    assert saved.status_code == 200
    assert saved.json() == {"inserted": 3, "updated": 0, "deleted": 0, "unchanged": 0}
    rules = client.get("/api/pricing/rules").json()
    assert [(r["id"], r["brand"], r["percent"]) for r in rules["rules"]] == [
        ("all", None, "40"),
        ("mann", "MANN-FILTER", "25"),
    ]
    assert rules["client_groups"][0]["name"] == "Розница"


def test_a_refused_rule_set_is_problem_json_listing_every_problem(
    client: TestClient,
) -> None:
    client.put("/api/pricing/rules", json=RULES)
    before = client.get("/api/pricing/rules").json()
    bad = {
        "rules": [
            *RULES["rules"],
            {"id": "mann-2", "brand": "MANN-FILTER", "percent": "30"},
            {"id": "neg", "supplier": "acme", "fixed": "-1"},
        ]
    }

    answer = client.put("/api/pricing/rules", json=bad)

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert (body["title"], body["status"], len(body["problems"])) == (
        "rule set refused", 422, 2,
    )  # fmt: skip
    assert "`mann` and `mann-2` tie" in body["problems"][1]
    assert client.get("/api/pricing/rules").json() == before
    assert (
        len(client.get("/api/audit", params={"table": "price_rules"}).json()["entries"])
        == 2
    )


def test_a_change_needs_a_signed_in_admin_and_records_who(client: TestClient) -> None:
    anonymous = client.put(
        "/api/pricing/rules", json=RULES, headers={"Authorization": ""}
    )
    sign_in(client, role="manager", login="manager-olya")
    not_allowed = client.put("/api/pricing/rules", json=RULES)
    sign_in(client, role="admin", login="olya")
    client.put("/api/pricing/rules", json=RULES)

    assert anonymous.status_code == 401
    assert not_allowed.status_code == 403
    assert "needs `pricing.write`" in not_allowed.json()["detail"]
    page = client.get("/api/audit", params={"table": "price_rules"}).json()
    assert page["truncated"] is False
    assert [(e["who"], e["via"], e["action"]) for e in page["entries"]] == [
        ("olya", "api", "insert")
    ] * 2
    assert page["entries"][0]["new"]["created_by"] == "olya"


def test_rates_are_posted_and_read_with_their_dates(client: TestClient) -> None:
    for day, rate in (("2026-12-01", "98.5"), ("2026-12-02", "99.1")):
        posted = client.post(
            "/api/pricing/rates",
            json={"currency": "EUR", "rate": rate, "date": day},
        )
        assert posted.status_code == 201
    bad = client.post(
        "/api/pricing/rates",
        json={"currency": "eur", "rate": "-1", "date": "2026-12-01"},
    )

    assert bad.status_code == 422
    assert client.get("/api/pricing/rates").json() == {
        "rates": {"EUR": {"rate": "99.100000", "date": "2026-12-02"}}
    }
    as_of = client.get("/api/pricing/rates", params={"on": "2026-12-01"}).json()
    assert as_of["rates"]["EUR"]["date"] == "2026-12-01"


def test_the_audit_is_capped_and_says_truncated(client: TestClient) -> None:
    client.put("/api/pricing/rules", json=RULES)

    page = client.get("/api/audit", params={"limit": 2}).json()
    everything = client.get("/api/audit", params={"limit": 100000}).json()

    assert (len(page["entries"]), page["truncated"]) == (2, True)
    # the rule set (two tables), and the test user with its sign-in
    assert (len(everything["entries"]), everything["truncated"]) == (5, False)
    assert {e["table"] for e in everything["entries"]} == {
        "price_rules",
        "client_groups",
        "users",
        "auth_tokens",
    }


def test_seed_rules_loads_a_toml_file_audited_as_seed(
    settings: Settings, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTS_DATABASE_URL", db_url)
    get_settings.cache_clear()
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[rules]]\nid = "all"\npercent = 40\n\n'
        '[[rules]]\nid = "mann"\nbrand = "MANN-FILTER"\npercent = 25\n',
        encoding="utf-8",
    )
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rules]]\nid = "a"\n\n[[rules]]\nid = "b"\n', encoding="utf-8")
    runner = CliRunner()

    seeded = runner.invoke(cli, ["db", "seed-rules", str(path), "--by", "demo"])
    refused = runner.invoke(cli, ["db", "seed-rules", str(bad)])

    assert seeded.exit_code == 0, seeded.output
    assert "2 added" in seeded.output
    assert refused.exit_code == 1
    app = create_app(get_settings())
    with TestClient(app) as client:
        sign_in(client)
        entries = client.get("/api/audit", params={"table": "price_rules"}).json()
        assert {(e["who"], e["via"]) for e in entries["entries"]} == {("demo", "seed")}
        assert len(client.get("/api/pricing/rules").json()["rules"]) == 2
