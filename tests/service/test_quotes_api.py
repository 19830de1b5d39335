"""`GET /api/quotes` and its workbook over a small install: price lists, crosses,
stored pricing rules and online suppliers on loopback."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from fastapi.testclient import TestClient

import pricing
from parts.settings import Settings, get_settings
from pipelines.crosslists.load import load_crosses
from pipelines.pricelists.load import ingest
from pipelines.search_index.sync import sync_index
from pricing.engine import explain_price
from pricing.rules import (
    ClientGroup,
    PricingConfig,
    Rule,
    RuleSet,
    VatRules,
    load_pricing_toml,
)
from search.online.demo_server import DemoSupplierServer
from service.app import create_app
from service.db.audit import Actor
from service.db.engine import Database
from service.db.migrate import upgrade
from service.pricing_rules.logic import save_rate, save_rule_set
from service.pricing_rules.models import RateIn
from tests.service.signin import sign_in

DATA = Path(__file__).resolve().parent.parent / "data" / "quotes"
DEMO_RULES = Path(pricing.__file__).parent / "data" / "demo_rules.toml"
SUPPLIERS = ("alpha", "beta", "gamma")

# the keys the issue names for an answer and for each of its lines
ANSWER_KEYS = {"brands", "lines", "suppliers_failed", "truncated", "timings_ms"}
LINE_KEYS = (
    "brand", "article", "name", "supplier_id", "warehouse", "qty", "multiplicity",
    "delivery_days_min", "delivery_days_max", "delivery_probability",
    "purchase_price", "currency", "price", "match", "via", "rule",
)  # fmt: skip
HOP = {
    "from": {"brand": "BOSCH", "article": "0986452041"},
    "to": {"brand": "MANN-FILTER", "article": "W71275"},
    "kind": "analog",
    "source": "acme",
    "verified": False,
}
ONLINE_STOCK = [
    {
        "brand": "BOSCH",
        "article": "0 986 452 041",
        "name": "Фильтр масляный (онлайн)",
        "price": "412,30",
        "qty": ">10",
        "delivery": "1-2",
        "warehouse": "Онлайн-склад",
    },
    {
        "brand": "MANN-FILTER",
        "article": "W 712/95",
        "name": "Фильтр масляный",
        "price": "1 299,50 руб.",
        "qty": "есть",
        "delivery": "2",
    },
]


@dataclass
class Install:
    """A data dir with three price lists, one cross file and the demo rules."""

    settings: Settings
    pricing: PricingConfig

    @property
    def online_dir(self) -> Path:
        return self.settings.profiles_dir / "online"

    def client(self, department: str | None = "msk") -> TestClient:
        """A client signed in as an admin of `department` (gamma is for `spb`
        only): it searches as `msk` and may name another department; with
        none, it sees every department's lists."""
        client = TestClient(create_app(self.settings))
        # a person of `spb`, so that department is known; then the admin
        sign_in(client, role="manager", login="spb-manager", department="spb")
        sign_in(client, department=department)
        return client

    def add_online(
        self, supplier_id: str, server: DemoSupplierServer, *, timeout_s: float = 2.0
    ) -> None:
        """An online supplier config pointing at a running demo server."""
        self.online_dir.mkdir(exist_ok=True)
        (self.online_dir / f"{supplier_id}.toml").write_text(
            f'id = "{supplier_id}"\n'
            f'name = "Онлайн {supplier_id}"\n'
            f'url = "{server.url}/api/search?article={{article}}&brand={{brand}}"\n'
            f"timeout_s = {timeout_s}\n"
            "delivery_probability = 90\n"
            'items = "data.items"\n'
            'price_groups = ["online"]\n'
            "cache_ttl_s = 0\n"
            "[fields]\n"
            'brand = "brand"\narticle = "article"\nname = "name"\nprice = "price"\n'
            'qty = "qty"\ndelivery_days = "delivery"\nwarehouse = "warehouse"\n',
            encoding="utf-8",
        )


def make_install(root: Path, monkeypatch: pytest.MonkeyPatch) -> Install:
    """Profiles copied to `root`, the price lists and crosses loaded, rules seeded."""
    profiles = root / "profiles"
    shutil.copytree(DATA / "profiles", profiles)
    monkeypatch.setenv("PARTS_DATA_DIR", str(root / "var"))
    monkeypatch.setenv("PARTS_PROFILES_DIR", str(profiles))
    get_settings.cache_clear()
    settings = get_settings()
    for supplier_id in SUPPLIERS:
        report = ingest(DATA / f"{supplier_id}.csv", supplier_id=supplier_id,
                        settings=settings)  # fmt: skip
        assert (report.status, report.warnings) == ("published", [])
    crosses = load_crosses(DATA / "crosses.csv", source="acme", settings=settings)
    assert crosses.status == "published", crosses.error
    config = load_pricing_toml(DEMO_RULES)
    seed_rules(settings, config.rules, config)
    return Install(settings, config)


def seed_rules(settings: Settings, rules: RuleSet, config: PricingConfig) -> None:
    """Store a rule set and the demo rates in the install's database."""
    database = Database.from_settings(settings)
    upgrade(database.engine)
    actor = Actor(who="test", via="seed")
    with database.sessions() as session:
        save_rule_set(session, rules, actor=actor)
        for currency, entry in config.rates.rates.items():
            rate = RateIn(currency=currency, rate=entry.rate, date=entry.date)
            save_rate(session, rate, actor=actor)
    database.close()


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    yield make_install(tmp_path, monkeypatch)
    get_settings.cache_clear()


@pytest.fixture
def client(install: Install) -> Iterator[TestClient]:
    with install.client() as client:
        yield client


@pytest.fixture
def online_server() -> Iterator[DemoSupplierServer]:
    with DemoSupplierServer(ONLINE_STOCK) as server:
        yield server


def quotes(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/quotes", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def project(lines: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    return [tuple(line[k] for k in keys) for line in lines]


def expected_price(
    install: Install, line: dict[str, Any], client_group: str | None
) -> tuple[str | None, str | None]:
    """The sell price and rule `pricing.engine.explain_price` gives a line."""
    days = line["delivery_days_max"]
    vat = line["vat_included"]
    explained = explain_price(
        supplier=line["supplier_id"], brand=line["brand"],
        price=Decimal(line["purchase_price"]), currency=line["currency"],
        rules=install.pricing.rules, rates=install.pricing.rates,
        client_group=client_group, price_group=line["price_group"],
        is_analog=line["match"] != "exact",
        delivery_days=line["delivery_days_min"] if days is None else days,
        vat_rules=VatRules(included={} if vat is None else {line["supplier_id"]: vat}),
    )  # fmt: skip
    sell = explained["sell_price"]
    return (None if sell is None else f"{sell:.2f}", explained["rule_id"])


# the answer ------------------------------------------------------------------------


def test_answer_holds_every_key_the_issue_names(
    install: Install, client: TestClient
) -> None:
    body = quotes(client, article="0 986 452 041", brand="bosch",
                  client_group="retail")  # fmt: skip
    assert set(body) >= ANSWER_KEYS
    assert (body["brands"], body["suppliers_failed"], body["truncated"]) == (
        None,
        [],
        False,
    )
    assert {"normalize", "lookup", "pricing", "total"} <= set(body["timings_ms"])
    for line in body["lines"]:
        assert set(LINE_KEYS) <= set(line), set(LINE_KEYS) - set(line)
    # the prices `explain_price` gives these lines (their inputs are checked below)
    (beta, beta_rule), (alpha, alpha_rule), (mann, mann_rule) = [
        expected_price(install, line, "retail") for line in body["lines"]
    ]
    assert [dict(zip(LINE_KEYS, row, strict=True))
            for row in project(body["lines"], *LINE_KEYS)] == [
        {"brand": "BOSCH", "article": "0986452041", "name": "Фильтр масляный",
         "supplier_id": "beta", "warehouse": "Екатеринбург", "qty": 3,
         "multiplicity": 1, "delivery_days_min": 5, "delivery_days_max": 7,
         "delivery_probability": 80.0, "purchase_price": "399.00", "currency": "RUB",
         "price": beta, "match": "exact", "via": [], "rule": beta_rule},
        {"brand": "BOSCH", "article": "0986452041", "name": "Фильтр масляный",
         "supplier_id": "alpha", "warehouse": "Москва", "qty": 12,
         "multiplicity": 1, "delivery_days_min": 1, "delivery_days_max": 2,
         "delivery_probability": 95.0, "purchase_price": "405.45", "currency": "RUB",
         "price": alpha, "match": "exact", "via": [], "rule": alpha_rule},
        {"brand": "MANN-FILTER", "article": "W71275", "name": "Фильтр масляный MANN",
         "supplier_id": "alpha", "warehouse": "Москва", "qty": 0,
         "multiplicity": 2, "delivery_days_min": 1, "delivery_days_max": 2,
         "delivery_probability": 95.0, "purchase_price": "350.00", "currency": "RUB",
         "price": mann, "match": "analog", "via": [HOP], "rule": mann_rule},
    ]  # fmt: skip
    assert all(price and rule for price, rule in project(body["lines"], "price",
                                                         "rule"))  # fmt: skip


def test_an_article_under_several_brands_asks_which_brand(client: TestClient) -> None:
    ask = quotes(client, article="12345")
    assert ask["lines"] == []
    assert ask["brands"] == [
        {"brand": "FEBI BILSTEIN", "name": "Фильтр воздушный", "offers": 1},
        {"brand": "SWAG", "name": "Фильтр воздушный SWAG", "offers": 1},
    ]
    chosen = quotes(client, article="12345", brand="swag", online=False)
    assert chosen["brands"] is None
    assert project(chosen["lines"], "brand", "supplier_id", "purchase_price") == [
        ("SWAG", "beta", "120.00")
    ]
    every = quotes(client, article="12345", all_brands=True, online=False)
    assert sorted(project(every["lines"], "brand", "supplier_id")) == [
        ("FEBI BILSTEIN", "alpha"),
        ("SWAG", "beta"),
    ]


def test_an_article_under_one_brand_goes_straight_to_lines(client: TestClient) -> None:
    body = quotes(client, article="W71275", analogs=False, online=False)
    assert body["brands"] is None
    assert project(body["lines"], "brand", "article", "supplier_id") == [
        ("MANN-FILTER", "W71275", "alpha")
    ]


def test_analog_lines_say_how_they_match_and_via_which_cross(
    client: TestClient,
) -> None:
    body = quotes(client, article="W 712/75", brand="MANN", online=False)
    assert project(body["lines"], "brand", "supplier_id", "match") == [
        ("MANN-FILTER", "alpha", "exact"),
        ("BOSCH", "beta", "analog"),
        ("BOSCH", "alpha", "analog"),
    ]
    back = {**HOP, "from": HOP["to"], "to": HOP["from"]}
    assert [line["via"] for line in body["lines"]] == [[], [back], [back]]
    plain = quotes(client, article="W 712/75", brand="MANN", analogs=False)
    assert project(plain["lines"], "match") == [("exact",)]


def test_sort_by_delivery_puts_the_fastest_first_within_a_match_group(
    client: TestClient,
) -> None:
    by_price = quotes(client, article="0986452041", brand="BOSCH", online=False,
                      client_group="retail")  # fmt: skip
    by_days = quotes(client, article="0986452041", brand="BOSCH", online=False,
                     client_group="retail", sort="delivery")  # fmt: skip
    assert project(by_price["lines"], "supplier_id", "match") == [
        ("beta", "exact"),
        ("alpha", "exact"),
        ("alpha", "analog"),
    ]
    assert project(by_days["lines"], "supplier_id", "delivery_days_max", "match") == [
        ("alpha", 2, "exact"),
        ("beta", 7, "exact"),
        ("alpha", 2, "analog"),
    ]


def test_in_stock_leaves_out_offers_without_stock(client: TestClient) -> None:
    every = quotes(client, article="0986452041", brand="BOSCH", online=False)
    stocked = quotes(client, article="0986452041", brand="BOSCH", online=False,
                     in_stock=True)  # fmt: skip
    assert ("MANN-FILTER", 0) in project(every["lines"], "brand", "qty")
    assert sorted(project(stocked["lines"], "brand", "supplier_id", "qty")) == [
        ("BOSCH", "alpha", 12),
        ("BOSCH", "beta", 3),
    ]


def test_a_department_sees_its_own_suppliers_only(client: TestClient) -> None:
    anyone = quotes(client, article="0986452041", brand="BOSCH", analogs=False)
    spb = quotes(client, article="0986452041", brand="BOSCH", analogs=False,
                 department="spb")  # fmt: skip
    assert sorted(project(anyone["lines"], "supplier_id")) == [("alpha",), ("beta",)]
    assert sorted(project(spb["lines"], "supplier_id")) == [
        ("alpha",),
        ("beta",),
        ("gamma",),
    ]
    # named as people type it: the same department
    typed = quotes(client, article="0986452041", brand="BOSCH", analogs=False,
                   department=" SPB ")  # fmt: skip
    assert typed["lines"] == spb["lines"]


def test_a_department_chooses_among_the_brands_it_can_see(client: TestClient) -> None:
    spb = quotes(client, article="C-113", department="spb", online=False)
    assert spb["lines"] == []
    assert [(c["brand"], c["offers"]) for c in spb["brands"]] == [
        ("JAPANPARTS", 1),
        ("LYNXAUTO", 1),
    ]


def test_a_brand_only_a_hidden_supplier_holds_asks_no_choice(
    client: TestClient,
) -> None:
    body = quotes(client, article="C-113", online=False)
    assert body["brands"] is None
    assert project(body["lines"], "brand", "supplier_id") == [("LYNXAUTO", "alpha")]


def test_limit_cuts_the_lines_and_says_so(client: TestClient) -> None:
    body = quotes(client, article="0986452041", brand="BOSCH", limit=1, online=False)
    assert len(body["lines"]) == 1
    assert (body["truncated"], body["truncated_reasons"]) == (True, ["result_cap"])


def test_words_search_names(client: TestClient) -> None:
    body = quotes(client, q="масляный фильтр", online=False)
    assert sorted(project(body["lines"], "brand", "article", "supplier_id")) == [
        ("BOSCH", "0986452041", "alpha"),
        ("BOSCH", "0986452041", "beta"),
        ("MANN-FILTER", "W71275", "alpha"),
    ]
    assert {line["match"] for line in body["lines"]} == {"exact"}
    air = quotes(client, q="воздушные фильтры", brand="SWAG")
    assert project(air["lines"], "brand", "article") == [("SWAG", "12345")]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({}, "give an `article`"),
        ({"brand": "BOSCH"}, "give an `article`"),
        ({"article": "--//--"}, "holds no article characters"),
        ({"article": "0986452041", "brand": "BOSCH", "sort": "cheapest"}, "sort"),
        ({"article": "0986452041", "brand": "BOSCH", "limit": 0}, "limit"),
        ({"article": "0986452041", "brand": "BOSCH", "client_group": "vip"}, "vip"),
        ({"vin": "XTA21099071234567"}, "needs a generic article"),
        ({"vin": "XTA21099071234567", "q": "колодки"}, "no catalogue"),
        ({"vin": "NOTAVIN", "q": "колодки"}, "VIN"),
        ({"article": "0986452041", "q": "фильтр"}, "not both"),
        ({"article": "0986452041", "brand": "BOSCH", "department": "nope"},
         "unknown department `nope`"),
    ],
)  # fmt: skip
def test_a_request_that_cannot_be_searched_is_problem_json_422(
    client: TestClient, params: dict[str, Any], detail: str
) -> None:
    for path in ("/api/quotes", "/api/quotes/export.xlsx"):
        response = client.get(path, params=params)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert (problem["status"], problem["title"]) == (422, "bad input")
        assert detail in problem["detail"]


def test_an_answer_says_whether_it_found_by_article_or_by_name(
    client: TestClient,
) -> None:
    by_name = quotes(client, q="фильтр масляный", online=False)
    by_article = quotes(client, article="0986452041", brand="BOSCH", online=False)
    to_choose = quotes(client, article="12345", online=False)

    assert (by_name["found_by"], {x["match"] for x in by_name["lines"]}) == (
        "name", {"exact"},  # `exact`: of the words, not of an article asked
    )  # fmt: skip
    assert (by_article["found_by"], to_choose["found_by"]) == ("article", "article")
    assert to_choose["brands"]
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert schema["QuoteAnswerOut"]["properties"]["found_by"]["enum"] == [
        "article", "name", "vin",
    ]  # fmt: skip


def test_openapi_lists_the_quote_search_and_its_parameters(
    client: TestClient,
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    names = {p["name"] for p in paths["/api/quotes"]["get"]["parameters"]}
    assert {
        "article", "brand", "client_group", "department", "sort", "all_brands",
        "in_stock", "limit", "q", "vin",
    } <= names  # fmt: skip
    export = {p["name"] for p in paths["/api/quotes/export.xlsx"]["get"]["parameters"]}
    assert export == names
    answer = paths["/api/quotes"]["get"]["responses"]["200"]["content"]
    assert "application/json" in answer


# the workbook ----------------------------------------------------------------------


def _sheet_values(content: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_workbook_holds_articles_and_prices_but_no_purchase_or_supplier(
    client: TestClient,
) -> None:
    params = {"article": "0986452041", "brand": "BOSCH", "client_group": "retail",
              "online": False}  # fmt: skip
    lines = quotes(client, **params)["lines"]
    response = client.get("/api/quotes/export.xlsx", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="quote-0986452041.xlsx"' in response.headers["content-disposition"]
    rows = _sheet_values(response.content)
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Тип")
    columns = rows[header]
    body = [dict(zip(columns, row, strict=True)) for row in rows[header + 1 :]]
    assert [(r["Бренд"], r["Артикул"], r["Цена, ₽"]) for r in body] == [
        (line["brand"], line["article_raw"], float(line["price"])) for line in lines
    ]
    cells = {str(v) for row in rows for v in row if v is not None}
    purchases = {line["purchase_price"] for line in lines}
    purchases |= {str(float(p)) for p in purchases}
    assert not cells & purchases
    assert not cells & {"alpha", "beta", "Альфа", "Бета"}
    assert not any("закуп" in c.lower() or "поставщ" in c.lower() for c in cells)


def test_the_workbook_for_a_client_names_the_client_and_its_group(
    client: TestClient,
) -> None:
    made = client.post("/api/clients", json={
        "kind": "company", "name": "ООО Ромашка", "client_group": "wholesale",
        "discount_percent": "5",
    })  # fmt: skip
    assert made.status_code == 201, made.text
    params = {"article": "0986452041", "brand": "BOSCH", "online": False,
              "client_id": made.json()["id"]}  # fmt: skip

    lines = quotes(client, **params)["lines"]
    book = client.get("/api/quotes/export.xlsx", params=params)
    unknown = client.get("/api/quotes/export.xlsx", params={**params, "client_id": 999})

    rows = _sheet_values(book.content)
    today = dt.datetime.now(ZoneInfo("Europe/Moscow")).strftime("%d.%m.%Y")
    assert [row[0] for row in rows[:4]] == [
        "Предложение по запросу: BOSCH 0986452041",
        "Клиент: ООО Ромашка, группа: Опт",
        f"Дата: {today}",
        None,
    ]
    body = [dict(zip(rows[4], row, strict=True)) for row in rows[5:]]
    assert [r["Цена, ₽"] for r in body] == [float(line["price"]) for line in lines]
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "no client 999")


# online suppliers ------------------------------------------------------------------


def test_online_offers_arrive_and_a_slow_supplier_is_reported(
    install: Install, online_server: DemoSupplierServer
) -> None:
    with DemoSupplierServer(ONLINE_STOCK, latency_ms=5000) as slow:
        install.add_online("fast", online_server)
        install.add_online("slow", slow, timeout_s=0.3)
        with install.client() as client:
            body = quotes(client, article="0986452041", brand="BOSCH",
                          client_group="retail")  # fmt: skip
        assert slow.request_count == 1
    online = [line for line in body["lines"] if line["source"] == "online"]
    assert project(online, "supplier_id", "brand", "article", "purchase_price",
                   "qty", "delivery_days_min", "delivery_days_max",
                   "delivery_probability", "warehouse", "match") == [
        ("fast", "BOSCH", "0986452041", "412.30", 10, 1, 2, 90.0, "Онлайн-склад",
         "exact"),
    ]  # fmt: skip
    assert online[0]["price"] is not None
    assert sorted({line["supplier_id"] for line in body["lines"]}) == [
        "alpha",
        "beta",
        "fast",
    ]
    (failed,) = body["suppliers_failed"]
    assert (failed["supplier_id"], failed["status"]) == ("slow", "timeout")
    assert failed["reason"]
    assert body["timings_ms"]["total"] < 2500  # the 5 s supplier was not waited for


def test_online_suppliers_are_not_asked_with_online_false(
    install: Install, online_server: DemoSupplierServer
) -> None:
    install.add_online("fast", online_server)
    with install.client() as client:
        body = quotes(client, article="0986452041", brand="BOSCH", online=False)
    assert online_server.request_count == 0
    assert {line["source"] for line in body["lines"]} == {"pricelist"}


def test_an_online_offer_of_the_asked_article_is_exact_without_a_brand(
    install: Install, online_server: DemoSupplierServer
) -> None:
    install.add_online("fast", online_server)
    with install.client() as client:
        body = quotes(client, article="W 712/95")
    assert project(body["lines"], "supplier_id", "brand", "article", "match",
                   "via") == [("fast", "MANN-FILTER", "W71295", "exact", [])]  # fmt: skip


# reading one's own writes ----------------------------------------------------------


def test_a_new_price_list_shows_on_the_very_next_search(
    install: Install, client: TestClient, tmp_path: Path
) -> None:
    before = quotes(client, article="0986452041", brand="BOSCH", analogs=False)
    assert ("alpha", "405.45") in project(before["lines"], "supplier_id",
                                          "purchase_price")  # fmt: skip
    changed = tmp_path / "alpha-new.csv"
    text = (DATA / "alpha.csv").read_text(encoding="utf-8")
    changed.write_text(text.replace("405,45", "455,00"), encoding="utf-8")
    report = ingest(changed, supplier_id="alpha", settings=install.settings)
    assert (report.status, report.warnings) == ("published", [])
    after = quotes(client, article="0986452041", brand="BOSCH", analogs=False)
    assert sorted(project(after["lines"], "supplier_id", "purchase_price")) == [
        ("alpha", "455.00"),
        ("beta", "399.00"),
    ]


def test_words_no_longer_in_a_suppliers_names_find_nothing_after_its_new_load(
    install: Install, client: TestClient, tmp_path: Path
) -> None:
    # one part holding every supplier, so the new load leaves its old names there
    assert sync_index(install.settings, full=True).action == "full"
    assert ("MANN-FILTER", "alpha") in project(
        quotes(client, q="масляный", online=False)["lines"], "brand", "supplier_id"
    )
    renamed = tmp_path / "alpha-renamed.csv"
    text = (DATA / "alpha.csv").read_text(encoding="utf-8")
    renamed.write_text(text.replace("Фильтр масляный MANN", "Элемент MANN"), "utf-8")
    assert ingest(renamed, supplier_id="alpha", settings=install.settings).status == (
        "published"
    )
    old_words = quotes(client, q="масляный", online=False)
    assert "MANN-FILTER" not in {line["brand"] for line in old_words["lines"]}
    new_words = quotes(client, q="элемент", online=False)
    assert project(new_words["lines"], "brand", "name") == [
        ("MANN-FILTER", "Элемент MANN")
    ]


def test_rules_saved_through_the_api_price_the_very_next_search(
    install: Install, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a long check interval makes the outcome independent of the test's speed
    monkeypatch.setattr("service.quotes.engine.PRICING_CHECK_S", 60.0)
    params = {"article": "12345", "brand": "SWAG", "client_group": "retail"}
    before = quotes(client, **params)["lines"][0]
    flat = {"rules": [{"id": "flat", "percent": "100"}],
            "client_groups": [{"id": "retail", "name": "Розница"}]}  # fmt: skip
    saved = client.put("/api/pricing/rules", json=flat)
    assert saved.status_code == 200, saved.text
    after = quotes(client, **params)["lines"][0]
    assert before["rule"] != "flat"
    assert (after["rule"], after["price"]) == ("flat", "240.00")


# price groups ----------------------------------------------------------------------

GROUP_RULES = RuleSet(
    rules=[
        Rule(id="base", percent=Decimal(10)),
        Rule(id="main-lists", price_group="main", percent=Decimal(20)),
        Rule(id="online-offers", price_group="online", percent=Decimal(50)),
    ],
    client_groups=[ClientGroup(id="retail", name="Розница")],
)


def test_a_price_lists_price_group_picks_its_rule(install: Install) -> None:
    seed_rules(install.settings, GROUP_RULES, install.pricing)
    with install.client() as client:
        body = quotes(client, article="0986452041", brand="BOSCH", analogs=False,
                      client_group="retail")  # fmt: skip
    assert sorted(project(body["lines"], "supplier_id", "price_group", "rule",
                          "price")) == [
        ("alpha", None, "base", "446.00"),
        ("beta", "main", "main-lists", "478.80"),
    ]  # fmt: skip


def test_an_online_suppliers_price_group_picks_its_rule(
    install: Install, online_server: DemoSupplierServer
) -> None:
    seed_rules(install.settings, GROUP_RULES, install.pricing)
    install.add_online("fast", online_server)
    with install.client() as client:
        body = quotes(client, article="0986452041", brand="BOSCH", analogs=False,
                      client_group="retail")  # fmt: skip
    online = [line for line in body["lines"] if line["source"] == "online"]
    assert project(online, "supplier_id", "rule", "price") == [
        ("fast", "online-offers", "618.45")
    ]


def test_the_export_of_an_article_under_several_brands_asks_for_a_brand(
    client: TestClient,
) -> None:
    response = client.get("/api/quotes/export.xlsx", params={"article": "12345"})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "FEBI BILSTEIN, SWAG" in response.json()["detail"]
    chosen = client.get(
        "/api/quotes/export.xlsx", params={"article": "12345", "brand": "SWAG"}
    )
    assert chosen.status_code == 200
    assert "filename*=UTF-8''quote-12345.xlsx" in chosen.headers["content-disposition"]
