"""After ingesting the nine real price files, quote search returns every offer
their README documents, at the documented price, and prices it as the pricing
engine does (the issue's acceptance)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import pricing
from crosses.brands import default_table
from parts.settings import Settings
from pipelines.pricelists.load import ingest
from pipelines.pricelists.profiles import load_profile
from pricing.engine import explain_price
from pricing.rules import PricingConfig, VatRules, load_pricing_toml
from search import lake
from search.quotes import QuoteEngine, QuoteRequest
from service.db.audit import Actor
from service.db.engine import Database
from service.db.migrate import upgrade
from service.pricing_rules.logic import save_rate, save_rule_set
from service.pricing_rules.models import RateIn
from service.quotes.engine import build_engine
from tests.conftest import PROFILES, SHARED_DATA, shared_file
from tests.pipelines.test_real_pricelists import PROFILE_OF

DEMO_RULES = Path(pricing.__file__).parent / "data" / "demo_rules.toml"


def _expected() -> dict[str, Any]:
    path = SHARED_DATA / "pricelists" / "expected.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


EXPECTED = _expected()
ABSENT = pytest.param(
    None, None, marks=pytest.mark.skip(reason="shared sample data not found")
)
OFFERS = [
    pytest.param(spec["supplier"], want, id=f"{spec['supplier']}-row{want['row']}")
    for spec in EXPECTED.values()
    for want in spec["offers"]
] or [ABSENT]
ARTICLES = sorted({w["article"] for s in EXPECTED.values() for w in s["offers"]})


@dataclass
class Searched:
    """The nine files ingested into one data dir, the demo rules stored."""

    settings: Settings
    engine: QuoteEngine
    pricing: PricingConfig

    def search(self, **request: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.engine.search(QuoteRequest(**request)).to_dict()
        return answer


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Searched]:
    folder = shared_file("pricelists")
    root = tmp_path_factory.mktemp("real-search")
    settings = Settings(data_dir=root / "var", profiles_dir=PROFILES)
    for file_name, spec in EXPECTED.items():
        profile_file = PROFILE_OF.get(spec["supplier"])
        report = ingest(
            folder / file_name,
            supplier_id=spec["supplier"],
            settings=settings,
            profile=load_profile(PROFILES / profile_file) if profile_file else None,
        )
        assert (report.status, report.warnings) == ("published", []), file_name
    database = Database.from_settings(settings)
    upgrade(database.engine)
    config = load_pricing_toml(DEMO_RULES)
    actor = Actor(who="test", via="seed")
    with database.sessions() as session:
        save_rule_set(session, config.rules, actor=actor)
        for currency, entry in config.rates.rates.items():
            rate = RateIn(currency=currency, rate=entry.rate, date=entry.date)
            save_rate(session, rate, actor=actor)
    engine, parts = build_engine(settings, database, graph=lambda: None)
    yield Searched(settings, engine, config)
    parts["log"].close()
    database.close()


def _raw_article(want: dict[str, Any]) -> str:
    """The article as the cell displays it (`163 420 03 20`, `0000004`)."""
    raw = want["article_raw"]
    return str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)


def _line_of(
    answer: dict[str, Any], supplier_id: str, want: dict[str, Any]
) -> dict[str, Any]:
    found = [
        line
        for line in answer["lines"]
        if line["supplier_id"] == supplier_id and line["row"] == want["row"]
    ]
    assert len(found) == 1, (
        f"{supplier_id} row {want['row']}: {len(found)} lines in "
        f"{[(x['supplier_id'], x['row'], x['brand']) for x in answer['lines']]}"
    )
    return found[0]


@pytest.mark.parametrize(("supplier_id", "want"), OFFERS)
@pytest.mark.parametrize("spelling", ["raw", "canonical"])
def test_every_documented_offer_is_found_at_its_price(
    searched: Searched, supplier_id: str, want: dict[str, Any], spelling: str
) -> None:
    article = _raw_article(want) if spelling == "raw" else want["article"]
    answer = searched.search(article=article, brand=want["brand"], online=False)
    assert answer["brands"] is None
    line = _line_of(answer, supplier_id, want)
    keys = ("supplier_id", "brand", "article", "purchase_price", "currency", "qty",
            "multiplicity", "delivery_days_min", "delivery_days_max", "match",
            "source")  # fmt: skip
    assert {k: line[k] for k in keys} == {
        "supplier_id": supplier_id,
        "brand": default_table().canonical(want["brand"]),
        "article": want["article"],
        "purchase_price": want["price"],
        "currency": want["currency"],
        "qty": want["qty"],
        "multiplicity": want["multiplicity"],
        "delivery_days_min": want["delivery_days_min"],
        "delivery_days_max": want["delivery_days_max"],
        "match": "exact",
        "source": "pricelist",
    }
    assert line["article_raw"] == _raw_article(want)


@pytest.mark.parametrize(("supplier_id", "want"), OFFERS)
def test_the_brand_as_the_file_spells_it_finds_the_offer(
    searched: Searched, supplier_id: str, want: dict[str, Any]
) -> None:
    answer = searched.search(
        article=_raw_article(want), brand=str(want["brand_raw"]), online=False
    )
    assert _line_of(answer, supplier_id, want)["purchase_price"] == want["price"]


def _offers_by_brand(settings: Settings, article: str) -> Counter[str]:
    """Live offers of a canonical article per brand, read from the lake itself."""
    found = (
        lake.scan_offers(settings.lake_dir)
        .filter(pl.col("article") == article)
        .select("brand")
        .collect()
    )
    return Counter(found["brand"].to_list())


@pytest.mark.skipif(not EXPECTED, reason="shared sample data not found")
def test_an_article_without_a_brand_goes_to_lines_or_lists_its_brands(
    searched: Searched,
) -> None:
    several = 0
    for article in ARTICLES:
        counts = _offers_by_brand(searched.settings, article)
        answer = searched.search(article=article, online=False)
        if len(counts) == 1:
            assert answer["brands"] is None, article
            got = Counter(line["brand"] for line in answer["lines"])
            assert got == counts, article
        else:
            several += 1
            assert answer["lines"] == [], article
            assert [(c["brand"], c["offers"]) for c in answer["brands"]] == sorted(
                counts.items(), key=lambda c: (-c[1], c[0])
            ), article
            assert all(c["name"] for c in answer["brands"]), article
    assert several >= 3  # 09660006, 8101100K00, 6102013K00: HAVAL and GREAT WALL


@pytest.mark.skipif(not EXPECTED, reason="shared sample data not found")
def test_all_brands_searches_every_brand_of_the_article(searched: Searched) -> None:
    answer = searched.search(article="09660006", all_brands=True, online=False)
    counts = _offers_by_brand(searched.settings, "09660006")
    assert answer["brands"] is None
    assert Counter(line["brand"] for line in answer["lines"]) == counts
    assert {line["supplier_id"] for line in answer["lines"]} == {
        "dz-chinaparts-v1",
        "dz-chinaparts-v2",
    }


@pytest.mark.parametrize(("supplier_id", "want"), OFFERS)
def test_the_retail_price_is_the_pricing_engines(
    searched: Searched, supplier_id: str, want: dict[str, Any]
) -> None:
    answer = searched.search(article=want["article"], brand=want["brand"],
                             client_group="retail", online=False)  # fmt: skip
    line = _line_of(answer, supplier_id, want)
    vat = line["vat_included"]
    explained = explain_price(
        supplier=supplier_id, brand=line["brand"], price=Decimal(want["price"]),
        currency=want["currency"], rules=searched.pricing.rules,
        rates=searched.pricing.rates, client_group="retail",
        price_group=line["price_group"], is_analog=False,
        delivery_days=want["delivery_days_max"],
        vat_rules=VatRules(included={} if vat is None else {supplier_id: vat}),
    )  # fmt: skip
    sell = explained["sell_price"]
    assert (line["price"], line["rule"], line["price_reason"]) == (
        None if sell is None else f"{sell:.2f}",
        explained["rule_id"],
        explained["reason"],
    )
    if want["currency"] == "UAH":  # the demo rules hold no hryvnia rate
        assert (line["price"], line["price_reason"]) == (None, "missing rate")
    else:
        assert line["price"] is not None and line["rule"] is not None
        assert line["explanation"]["purchase_rub"] == str(
            explained["purchase_rub"].quantize(Decimal("0.01"))
        )
