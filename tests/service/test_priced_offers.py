"""Offers priced for a client group by the stored rules, through the API."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

import pricing
from parts.settings import Settings
from pipelines.pricelists.load import ingest
from pricing.rules import load_pricing_toml
from service.app import create_app
from service.db.audit import Actor
from service.db.engine import Database
from service.pricing_rules.logic import save_rate, save_rule_set
from service.pricing_rules.models import RateIn
from tests.service.signin import sign_in

DEMO_RULES = Path(pricing.__file__).parent / "data" / "demo_rules.toml"


def _client(settings: Settings, tmp_path: Path, db_url: str) -> TestClient:
    path = tmp_path / "p.csv"
    path.write_text(
        "Бренд;Артикул;Наименование;Цена;Валюта\n"
        "BOSCH;0 986 452 041;Фильтр масляный;3,67;EUR\n"
        "BOSCH;0986452041;Фильтр масляный;405,45;RUB\n"
        "BOSCH;0986452041;Фильтр масляный;9,99;KZT\n",
        encoding="utf-8",
    )
    report = ingest(path, supplier_id="euroline-eur", settings=settings)
    assert report.status == "published"
    return _client_for(settings, db_url)


def _client_for(settings: Settings, db_url: str) -> TestClient:
    """An app over `settings` whose database holds the demo rules and rates."""
    with_db = settings.model_copy(update={"database_url": db_url})
    config = load_pricing_toml(DEMO_RULES)
    database = Database.from_url(db_url)
    actor = Actor(who="test", via="seed")
    with database.sessions() as session:
        save_rule_set(session, config.rules, actor=actor)
        for currency, entry in config.rates.rates.items():
            rate = RateIn(currency=currency, rate=entry.rate, date=entry.date)
            save_rate(session, rate, actor=actor)
    database.close()
    client = TestClient(create_app(with_db))
    sign_in(client)
    return client


def test_offers_carry_sell_prices_and_explanations(
    settings: Settings, tmp_path: Path, db_url: str
) -> None:
    with _client(settings, tmp_path, db_url) as client:
        body = client.get(
            "/api/offers", params={"article": "0986452041", "client_group": "retail"}
        ).json()
    priced = [
        (o["price"], o["currency"], o["sell_price"], o["price_reason"])
        for o in body["offers"]
    ]
    # the KZT offer has no rate: no price rather than a wrong one
    assert priced[-1] == ("9.99", "KZT", None, "missing rate")
    assert all(p[2] is not None for p in priced[:-1])
    eur = next(o for o in body["offers"] if o["currency"] == "EUR")
    assert eur["explanation"]["rate"] is not None
    assert eur["rule_id"]


def test_price_what_if_uses_the_stored_rules(
    settings: Settings, tmp_path: Path, db_url: str
) -> None:
    with _client(settings, tmp_path, db_url) as client:
        answer = client.get(
            "/api/price",
            params={"supplier": "avtoopt-msk", "brand": "Bosch", "price": "100",
                    "currency": "RUB", "client_group": "retail"},
        )  # fmt: skip
    body = answer.json()
    assert answer.status_code == 200
    assert (body["brand"], body["purchase_rub"], body["reason"]) == (
        "BOSCH",
        "100.00",
        None,
    )
    assert body["rule_id"] and body["sell_price"]


def test_vat_is_added_for_a_supplier_whose_profile_says_prices_exclude_it(
    tmp_path: Path, db_url: str
) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "eu.toml").write_text('id = "eu"\nvat_included = false\n', "utf-8")
    settings = Settings(data_dir=tmp_path / "var", profiles_dir=profiles)
    path = tmp_path / "eu.csv"
    path.write_text("Бренд;Артикул;Цена\nBOSCH;0986452041;100,00\n", encoding="utf-8")
    assert ingest(path, supplier_id="eu", settings=settings).status == "published"
    with _client_for(settings, db_url) as client:
        body = client.get(
            "/api/offers", params={"article": "0986452041", "client_group": "retail"}
        ).json()
    (offer,) = body["offers"]
    assert offer["vat_included"] is False
    assert offer["explanation"]["vat_added"] is True
    assert offer["purchase_rub"] == "122.00"  # 100 + 22 % VAT


def test_what_if_price_uses_the_suppliers_vat_and_refuses_unknown_groups(
    tmp_path: Path, db_url: str
) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "eu.toml").write_text('id = "eu"\nvat_included = false\n', "utf-8")
    settings = Settings(data_dir=tmp_path / "var", profiles_dir=profiles)
    path = tmp_path / "eu.csv"
    path.write_text("Бренд;Артикул;Цена\nBOSCH;0986452041;100,00\n", encoding="utf-8")
    ingest(path, supplier_id="eu", settings=settings)
    query = {"supplier": "eu", "brand": "BOSCH", "price": "100", "currency": "RUB"}
    with _client_for(settings, db_url) as client:
        priced = client.get("/api/price", params={**query, "client_group": "retail"})
        unknown = client.get("/api/price", params={**query, "client_group": "nosuch"})
        offers = client.get(
            "/api/offers", params={"article": "0986452041", "client_group": "retail"}
        ).json()["offers"]
    assert (priced.json()["vat_added"], priced.json()["purchase_rub"]) == (
        True,
        "122.00",
    )
    assert priced.json()["sell_price"] == offers[0]["sell_price"]
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"


def test_framework_errors_are_problem_json_and_writes_record_the_user(
    settings: Settings, tmp_path: Path, db_url: str
) -> None:
    with _client(settings, tmp_path, db_url) as client:
        no_user = client.post(
            "/api/pricing/rates",
            json={"currency": "EUR", "rate": "101", "date": "2026-12-02"},
            headers={"Authorization": ""},
        )
        sign_in(client, login="ivan.petrov")
        bad_query = client.get("/api/offers", params={"article": "", "limit": 100000})
        saved = client.post(
            "/api/pricing/rates",
            json={"currency": "EUR", "rate": "101", "date": "2026-12-02"},
        )
        audit = client.get("/api/audit", params={"table": "currency_rates"}).json()
    assert no_user.status_code == 401
    assert no_user.headers["content-type"] == "application/problem+json"
    assert bad_query.status_code == 422
    assert len(bad_query.json()["problems"]) == 2
    assert saved.status_code == 201
    assert "ivan.petrov" in {e["who"] for e in audit["entries"]}
