"""Quote search bugs a fresh review found, each pinned by its test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crosses.brands import default_table
from parts.settings import Settings
from pipelines.catalogue.load import load_catalogue
from pipelines.demo_catalogue import DEMO_VINS, generate_demo_catalogue
from search.catalogue_lake import CatalogueCache
from search.index_store import SupplierMeta
from search.online.client import OnlineOffer, OnlineResult
from search.quotes import (
    HIDDEN_HOLD_SOME,
    QuoteEngine,
    QuoteError,
    QuoteRequest,
    found_by,
)
from tests.search.factories import Store, make_store
from tests.search.test_quotes_engine import METAS, PRICING, S1, S2, _Online

CHEAP_LAST = [("BOSCH", "0986452041", "Фильтр масляный", "10", 5, 1)]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    made = make_store(tmp_path)
    made.publish("s1", S1)
    made.publish("s2", S2)
    made.sync(metas=METAS)
    made.publish("s3", CHEAP_LAST)  # a delta part: its rows come last
    made.sync(metas=METAS)
    return made


def _engine(store: Store, **kwargs: Any) -> QuoteEngine:
    return QuoteEngine(
        index=store.reader, brands=default_table, pricing=lambda: PRICING, **kwargs
    )


def test_a_line_limit_keeps_the_cheapest_not_the_first_stored(store: Store) -> None:
    answer = _engine(store).search(
        QuoteRequest(article="0986452041", brand="BOSCH", limit=1)
    )
    assert [(x["supplier_id"], x["purchase_price"]) for x in answer.lines] == [
        ("s3", "10.00")
    ]
    assert answer.truncated_reasons == ["result_cap"]


def test_the_offer_cap_keeps_each_identitys_cheapest_offers(store: Store) -> None:
    answer = _engine(store, max_offers=1).search(
        QuoteRequest(article="0986452041", brand="BOSCH")
    )
    assert [x["purchase_price"] for x in answer.lines] == ["10.00"]
    assert "offer_cap" in answer.truncated_reasons


def test_an_online_only_article_says_so_instead_of_no_brand(store: Store) -> None:
    offer = OnlineOffer(
        supplier_id="o1", brand="MERCEDES-BENZ", article="A0001802609",
        article_raw="A 000 180 26 09", brand_raw="MB", name="Фильтр", price=2040,
        currency="RUB", qty=5, qty_approx=False,
    )  # fmt: skip
    online = _Online([OnlineResult("o1", "", "A0001802609", "ok", offers=[offer])])
    answer = _engine(store, online=online).search(
        QuoteRequest(article="A 000 180 26 09")
    )
    assert [(x["match"], x["source"]) for x in answer.lines] == [("exact", "online")]
    assert answer.notes == ["only online suppliers offer `A0001802609`"]


def test_an_empty_answer_says_why(store: Store) -> None:
    engine = _engine(store)
    assert engine.search(QuoteRequest(article="0986452041", brand="NOSUCH")).notes == [
        "no offers for `NOSUCH 0986452041`"
    ]
    assert engine.search(QuoteRequest(text="карбюратор")).notes == [
        "no part names hold `карбюратор`"
    ]


def test_an_article_longer_than_the_api_allows_is_refused_everywhere() -> None:
    with pytest.raises(QuoteError, match="longer than 100"):
        QuoteRequest(article="1" * 101)


def test_a_vin_search_asks_the_online_suppliers(store: Store, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", profiles_dir=tmp_path / "none")
    folder = generate_demo_catalogue(tmp_path / "demo")
    assert load_catalogue(folder, settings=settings).status == "published"
    online = _Online([])
    engine = _engine(
        store, online=online, catalogue=CatalogueCache(settings.lake_dir).get
    )
    vin = DEMO_VINS[0][0]
    answer = engine.search(QuoteRequest(vin=vin, text="колодки"))
    assert answer.notes and answer.notes[0].startswith(f"VIN {vin}:")
    assert online.calls, "the VIN's parts were not asked of the online suppliers"
    (asked, _deadline, _allowed) = online.calls[0]
    assert asked and all(brand and article for brand, article in asked)


def test_hidden_price_lists_are_mentioned_only_when_they_hold_the_part(
    store: Store,
) -> None:
    metas = {**METAS, "s2": SupplierMeta(name="Бета", departments=("moscow",))}
    store.sync(metas=metas)
    engine = _engine(store)

    def notes(**asked: Any) -> list[str]:
        return engine.search(QuoteRequest(department="spb", **asked)).notes

    assert notes(article="255303", brand="SWAG") == [
        "no offers for `SWAG 255303`", HIDDEN_HOLD_SOME,
    ]  # fmt: skip
    assert notes(article="616024") == [
        "no brand holds the article `616024`", HIDDEN_HOLD_SOME,
    ]  # fmt: skip
    assert notes(text="Сайлентблок") == [
        "no part names hold `Сайлентблок`", HIDDEN_HOLD_SOME,
    ]  # fmt: skip
    # what no list holds, hidden or not, says nothing of hidden lists
    assert notes(article="NOSUCH1", brand="BOSCH") == ["no offers for `BOSCH NOSUCH1`"]
    assert notes(text="карбюратор") == ["no part names hold `карбюратор`"]
    assert notes(text="!!!") == ["no part names hold `!!!`"]


@pytest.mark.parametrize(
    ("request_", "by"),
    [
        (QuoteRequest(article="0986452041"), "article"),
        (QuoteRequest(text="фильтр масляный"), "name"),
        (QuoteRequest(vin="XTAGFL110KY100017", text="колодки"), "vin"),
    ],
)
def test_an_answer_says_what_its_search_looked_for(
    request_: QuoteRequest, by: str
) -> None:
    assert found_by(request_) == by


def test_an_article_and_words_together_are_refused_not_half_searched() -> None:
    # an article search with words would drop its analogs and online
    # suppliers as a search by name does, and say nothing of it
    with pytest.raises(QuoteError, match="not both"):
        QuoteRequest(article="0986452041", text="фильтр")
    assert QuoteRequest(vin="XTAGFL110KY100017", article="колодки").article
