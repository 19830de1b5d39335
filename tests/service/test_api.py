"""The read-only HTTP API answers like the CLI, over a real data dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crosses import store
from parts.settings import Settings
from pipelines.pricelists.load import ingest
from service.app import create_app
from tests.conftest import PROFILES
from tests.service.signin import sign_in

PRICE = (
    "Бренд;Артикул;Наименование;Цена;Остаток\n"
    "MANN;W 712/75;Фильтр масляный;512,40;>10\n"
    "BOSCH;0 986 452 041;Фильтр масляный;480,00;3\n"
)


@pytest.fixture
def client(settings: Settings, tmp_path: Path) -> TestClient:
    path = tmp_path / "p.csv"
    path.write_text(PRICE, encoding="utf-8")
    assert ingest(path, supplier_id="acme", settings=settings).status == "published"
    import polars as pl

    edges = pl.DataFrame(
        {
            "brand_a": ["MANN-FILTER"],
            "article_a": ["W71275"],
            "brand_b": ["BOSCH"],
            "article_b": ["0986452041"],
            "kind": ["analog"],
        }
    )
    store.publish(
        settings.lake_dir, source="acme", load_id="L1", edges=edges,
        fingerprint="f", file="x.csv", keep=2,
    )  # fmt: skip
    client = TestClient(create_app(settings))
    sign_in(client)
    return client


def test_offers_normalize_the_article_and_brand(client: TestClient) -> None:
    answer = client.get("/api/offers", params={"article": "w712-75", "brand": "Mann"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["article"], body["truncated"]) == ("W71275", False)
    assert [(o["brand"], o["price"], o["qty"]) for o in body["offers"]] == [
        ("MANN-FILTER", "512.40", 10)
    ]


def test_offers_cap_says_truncated(client: TestClient) -> None:
    body = client.get("/api/offers", params={"article": "W71275", "limit": 1}).json()
    assert body["truncated"] is False
    assert len(body["offers"]) == 1


def test_analogs_carry_paths_and_no_catalogue_verdict(client: TestClient) -> None:
    body = client.get(
        "/api/analogs", params={"brand": "MANN", "article": "W712/75"}
    ).json()
    assert body["known"] is True and body["truncated"] is False
    (analog,) = body["analogs"]
    assert (analog["brand"], analog["article"], analog["kind"], analog["confirmed"]) == (
        "BOSCH", "0986452041", "analog", None,
    )  # fmt: skip
    assert [hop["source"] for hop in analog["path"]] == ["acme"]


def test_vin_errors_are_in_the_answer(client: TestClient) -> None:
    body = client.get("/api/vin/XTAGFL110KY10001O").json()
    assert body["valid"] is False
    assert any("O" in e for e in body["errors"])


def test_problem_json_for_bad_input_and_unknown_supplier(client: TestClient) -> None:
    bad = client.get("/api/offers", params={"article": "---"})
    assert (bad.status_code, bad.headers["content-type"]) == (
        422,
        "application/problem+json",
    )
    missing = client.get("/api/suppliers/nobody/report")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no loads for supplier `nobody`"
    assert client.get("/api/suppliers/..%2F..%2Fetc/report").status_code in (404, 422)


def test_suppliers_list_the_live_load(client: TestClient) -> None:
    rows = {r["supplier_id"]: r for r in client.get("/api/suppliers").json()}
    acme = rows.pop("acme")
    assert (acme["live_rows"], acme["last_status"]) == (2, "published")
    assert sorted(rows) == [p.stem for p in sorted(PROFILES.glob("*.toml"))]
    assert {(r["live_rows"], r["stale"]) for r in rows.values()} == {(None, True)}


def test_health_answers_without_a_sign_in(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        answer = client.get("/api/health")
        private = client.get("/api/suppliers")

    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})
    assert private.status_code == 401
