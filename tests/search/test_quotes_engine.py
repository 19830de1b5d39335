"""The quote engine: brand choice, analogs, ranking, pricing, visibility, caps,
online suppliers and the search log, over a real index built from a lake."""

from __future__ import annotations

import time
from concurrent.futures import Future
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from crosses.brands import default_table
from crosses.graph import CrossGraph
from pricing.rules import ClientGroup, Discount, Rates, Rule, RuleSet
from search.index_store import SupplierMeta
from search.online.client import OnlineOffer, OnlineResult
from search.quotes import PricingContext, QuoteEngine, QuoteError, QuoteRequest
from tests.search.factories import Store, make_store

S1 = [
    ("BOSCH", "0986452041", "Фильтр масляный", "100", 5, 3),
    ("MANN-FILTER", "0986452041", "Фильтр масляный MANN", "300", 1, 2),
    ("TRW", "GDB1", "Колодки тормозные", "50", 0, 1),
    ("MAHLE", "OC90", "Фильтр масляный", "70", 2, 5),
    ("LADA", "21081001010", "Опора двигателя 2108", "500", 3, 1),
    ("LADA", "21082904100", "Втулка стабилизатора 2108", "80", 3, 1),
]
S2 = [
    ("BOSCH", "0986452041", "Фильтр масляный", "90", 1, 7),
    ("MAHLE", "OC90", "Фильтр масляный", "60", 0, 6),
    ("FEBI BILSTEIN", "616024", "Сайлентблок", "40", 4, 2),
    ("SWAG", "255303", "Сайлентблок", "45", 4, 2),
    ("BOSCH", "AA616024ZZ", "Щётка", "300", 4, 2),
    ("BOSCH", "0986AF1234", "Фильтр воздушный", "200", 4, 2),
    ("VAG", "1K0615301AA", "Диск тормозной", "3000", 1, 4),
    ("MERCEDES-BENZ", "A000420", "Колодки тормозные", "4000", 1, 4),
]
METAS = {
    "s1": SupplierMeta(name="Альфа", price_groups=("oils",), delivery_probability=95),
    "s2": SupplierMeta(name="Бета", price_groups=("filters",), delivery_probability=80),
}
PRICING = PricingContext(
    rules=RuleSet(
        rules=[
            Rule(id="all", percent=D(50)),
            Rule(id="analogs", analog=True, percent=D(20)),
        ],
        client_groups=[
            ClientGroup(id="retail"),
            ClientGroup(id="opt", discount=Discount(percent=D(10))),
        ],
    ),
    rates=Rates(),
)


def _edges() -> pl.DataFrame:
    rows = [
        ("BOSCH", "0986452041", "TRW", "GDB1", True),
        ("BOSCH", "0986452041", "MAHLE", "OC90", False),
        ("FEBI BILSTEIN", "616024", "SWAG", "255303", False),
    ]
    frame = pl.DataFrame(
        rows,
        schema=["brand_a", "article_a", "brand_b", "article_b", "verified"],
        orient="row",
    )
    return frame.with_columns(
        article_raw_a=pl.col("article_a"),
        article_raw_b=pl.col("article_b"),
        kind=pl.lit("analog"),
        source=pl.Series(["tecdoc", "supplier-x", "supplier-x"]),
        row=pl.int_range(2, frame.height + 2, dtype=pl.Int32),
        blocked=pl.lit(False),
    )


GRAPH = CrossGraph.build(_edges())


@pytest.fixture
def store(tmp_path: Path) -> Store:
    made = make_store(tmp_path)
    made.publish("s1", S1)
    made.publish("s2", S2)
    made.sync(metas=METAS)
    return made


def _engine(store: Store, **kwargs: Any) -> QuoteEngine:
    options: dict[str, Any] = {
        "graph": lambda: GRAPH,
        "pricing": lambda: PRICING,
    }
    options.update(kwargs)
    return QuoteEngine(index=store.reader, brands=default_table, **options)


def _search(store: Store, engine: QuoteEngine | None = None, **request: Any) -> Any:
    return (engine or _engine(store)).search(QuoteRequest(**request))


def _short(answer: Any) -> list[tuple[str, str, str, str]]:
    """`(supplier, brand, article, match)` of every line, in the answer's order."""
    return [
        (x["supplier_id"], x["brand"], x["article"], x["match"]) for x in answer.lines
    ]


def _line(answer: Any, supplier: str, brand: str, article: str) -> dict[str, Any]:
    (found,) = [
        x
        for x in answer.lines
        if (x["supplier_id"], x["brand"], x["article"]) == (supplier, brand, article)
    ]
    return dict(found)


# brand choice -------------------------------------------------------------------


def test_an_article_under_two_brands_answers_the_brands_to_choose(
    store: Store,
) -> None:
    answer = _search(store, article="0986 452 041")
    assert answer.brands == [
        {"brand": "BOSCH", "name": "Фильтр масляный", "offers": 2},
        {"brand": "MANN-FILTER", "name": "Фильтр масляный MANN", "offers": 1},
    ]
    assert (answer.lines, answer.identities, answer.truncated) == ([], 0, False)
    assert answer.query["article"] == "0986452041"


def test_all_brands_gives_the_lines_of_every_brand(store: Store) -> None:
    answer = _search(store, article="0986452041", all_brands=True, analogs=False)
    assert answer.brands is None
    assert _short(answer) == [
        ("s2", "BOSCH", "0986452041", "exact"),
        ("s1", "BOSCH", "0986452041", "exact"),
        ("s1", "MANN-FILTER", "0986452041", "exact"),
    ]


def test_a_single_brand_goes_straight_to_lines(store: Store) -> None:
    answer = _search(store, article="616024")
    assert answer.brands is None
    assert _short(answer) == [
        ("s2", "FEBI BILSTEIN", "616024", "exact"),
        ("s2", "SWAG", "255303", "analog"),
    ]


def test_a_brand_given_in_any_spelling_goes_straight_to_lines(store: Store) -> None:
    answer = _search(store, article="0986452041", brand="Bosch", analogs=False)
    assert _short(answer) == [
        ("s2", "BOSCH", "0986452041", "exact"),
        ("s1", "BOSCH", "0986452041", "exact"),
    ]


def test_an_unknown_article_answers_no_lines_and_a_note(store: Store) -> None:
    answer = _search(store, article="NOSUCH1")
    assert (answer.brands, answer.lines) == (None, [])
    assert answer.notes == ["no brand holds the article `NOSUCH1`"]


def test_a_request_without_anything_to_search_is_refused(store: Store) -> None:
    with pytest.raises(QuoteError, match="give an `article`"):
        _search(store)
    with pytest.raises(QuoteError, match="holds no article characters"):
        _search(store, article='"')


# normalization (Q29, Q35, Q38, Q39) ------------------------------------------------


def test_q38_2108_1001010_does_not_match_2108_2904100(store: Store) -> None:
    answer = _search(store, article="2108-1001010")
    assert _short(answer) == [("s1", "LADA", "21081001010", "exact")]
    assert _search(store, article="2108-2904100").lines[0]["name"] == (
        "Втулка стабилизатора 2108"
    )


@pytest.mark.parametrize(
    ("typed", "brand", "article"),
    [
        ("-0986452041", "BOSCH", "0986452041"),
        ("1K0-615-301(AA)", None, "1K0615301AA"),
        ("A:000 420", None, "A000420"),
        ('OC 90 "', None, "OC90"),
        ("0986АF1234", None, "0986AF1234"),  # Q29: a Cyrillic А
    ],
)
def test_q39_article_queries_are_normalized_and_find_the_part(
    store: Store, typed: str, brand: str | None, article: str
) -> None:
    answer = _search(store, article=typed, brand=brand, analogs=False)
    assert answer.query["article"] == article
    assert answer.brands is None
    assert {x["article"] for x in answer.lines} == {article}


@pytest.mark.parametrize(
    ("words", "articles"),
    [
        ('"', []),
        ("AND", []),
        ("*", []),
        ("(", []),
        (":", []),
        ("OR NOT", []),
        ('колодки "тормозные', ["GDB1", "A000420"]),
        ("колодки:*( тормозные)", ["GDB1", "A000420"]),
        ("колодки AND тормозные", []),  # `and` is a word the names lack
    ],
)
def test_q39_text_queries_never_raise(
    store: Store, words: str, articles: list[str]
) -> None:
    answer = _search(store, text=words)
    assert answer.brands is None
    assert [x["article"] for x in answer.lines] == articles


def test_q41_text_search_through_the_engine(store: Store) -> None:
    answer = _search(store, text='колодка "тормозная"')
    assert _short(answer) == [
        ("s1", "TRW", "GDB1", "exact"),
        ("s2", "MERCEDES-BENZ", "A000420", "exact"),
    ]
    only_trw = _search(store, text="колодки тормозные", brand="TRW")
    assert _short(only_trw) == [("s1", "TRW", "GDB1", "exact")]


def test_q35_616024_finds_its_cross_as_an_analog_never_aa616024zz(
    store: Store,
) -> None:
    answer = _search(store, article="616024")
    assert [x["article"] for x in answer.lines] == ["616024", "255303"]
    analog = _line(answer, "s2", "SWAG", "255303")
    assert (analog["match"], analog["analog_kind"]) == ("analog", "analog")


# ranking -------------------------------------------------------------------------


def test_requested_part_first_then_verified_then_other_analogs_by_price(
    store: Store,
) -> None:
    answer = _search(store, article="0986452041", brand="BOSCH")
    assert _short(answer) == [
        ("s2", "BOSCH", "0986452041", "exact"),  # 90
        ("s1", "BOSCH", "0986452041", "exact"),  # 100
        ("s1", "TRW", "GDB1", "verified_analog"),
        ("s2", "MAHLE", "OC90", "analog"),  # 60
        ("s1", "MAHLE", "OC90", "analog"),  # 70
    ]
    assert answer.identities == 3


def test_sort_by_delivery_inside_each_group(store: Store) -> None:
    answer = _search(store, article="0986452041", brand="BOSCH", sort="delivery")
    assert _short(answer) == [
        ("s1", "BOSCH", "0986452041", "exact"),  # 3 days
        ("s2", "BOSCH", "0986452041", "exact"),  # 7 days
        ("s1", "TRW", "GDB1", "verified_analog"),
        ("s1", "MAHLE", "OC90", "analog"),  # 5 days
        ("s2", "MAHLE", "OC90", "analog"),  # 6 days
    ]


def test_sort_by_probability_inside_each_group(store: Store) -> None:
    answer = _search(store, article="0986452041", brand="BOSCH", sort="probability")
    assert [(x["supplier_id"], x["delivery_probability"]) for x in answer.lines] == [
        ("s1", 95),
        ("s2", 80),
        ("s1", 95),
        ("s1", 95),
        ("s2", 80),
    ]


def test_an_unknown_sort_is_refused(store: Store) -> None:
    with pytest.raises(QuoteError, match="unknown sort `cheap`"):
        _search(store, article="OC90", sort="cheap")


def test_each_analog_line_says_how_it_was_reached(store: Store) -> None:
    answer = _search(store, article="0986452041", brand="BOSCH")
    bosch = {"brand": "BOSCH", "article": "0986452041"}
    verified = _line(answer, "s1", "TRW", "GDB1")
    assert (verified["match"], verified["via"]) == (
        "verified_analog",
        [
            {
                "from": bosch,
                "to": {"brand": "TRW", "article": "GDB1"},
                "kind": "analog",
                "source": "tecdoc",
                "verified": True,
            }
        ],
    )
    other = _line(answer, "s2", "MAHLE", "OC90")
    assert (other["match"], other["via"]) == (
        "analog",
        [
            {
                "from": bosch,
                "to": {"brand": "MAHLE", "article": "OC90"},
                "kind": "analog",
                "source": "supplier-x",
                "verified": False,
            }
        ],
    )
    exact = _line(answer, "s1", "BOSCH", "0986452041")
    assert (exact["via"], exact["analog_kind"], exact["confirmed"]) == ([], None, None)


def test_analogs_false_gives_the_requested_part_alone(store: Store) -> None:
    answer = _search(store, article="0986452041", brand="BOSCH", analogs=False)
    assert {x["match"] for x in answer.lines} == {"exact"}
    assert answer.identities == 1


# lines and pricing ----------------------------------------------------------------


def test_a_priced_line_whole(store: Store) -> None:
    answer = _search(store, article="0986452041", brand="BOSCH", client_group="opt")
    assert _line(answer, "s2", "BOSCH", "0986452041") == {
        "brand": "BOSCH",
        "article": "0986452041",
        "article_raw": "0986452041",
        "name": "Фильтр масляный",
        "supplier_id": "s2",
        "supplier_name": "Бета",
        "source": "pricelist",
        "warehouse": "Москва",
        "qty": 1,
        "qty_approx": False,
        "multiplicity": 1,
        "delivery_days_min": 7,
        "delivery_days_max": 7,
        "delivery_probability": 80,
        "currency": "RUB",
        "vat_included": True,
        "price_group": "filters",
        "load_id": store.loads["s2"],
        "row": 2,
        "match": "exact",
        "analog_kind": None,
        "via": [],
        "confirmed": None,
        "rule": "all",
        "price_reason": None,
        "priority_brand": False,
        "purchase_price": "90.00",
        "price": "121.50",
        "explanation": {
            "price": "90.00",
            "currency": "RUB",
            "rate": "1.000000",
            "rate_date": None,
            "vat_added": False,
            "purchase_rub": "90.00",
            "rule_id": "all",
            "percent": "50.0000",
            "fixed": "0.00",
            "min_margin": "0.00",
            "rounding_step": None,
            "rounding_mode": None,
            "markup_rub": "45.00",
            "retail_rub": "135.00",
            "client_group": "opt",
            "discount_percent": "10.0000",
            "discount_fixed": "0.00",
            "floor_rub": "90.00",
            "reason": None,
        },
    }


def test_prices_follow_the_rules_and_the_client_group(store: Store) -> None:
    def prices(group: str | None) -> list[tuple[str, str, str | None, str | None]]:
        answer = _search(store, article="0986452041", brand="BOSCH", client_group=group)
        return [
            (x["supplier_id"], x["article"], x["rule"], x["price"])
            for x in answer.lines
        ]

    assert prices("retail") == [
        ("s2", "0986452041", "all", "135.00"),
        ("s1", "0986452041", "all", "150.00"),
        ("s1", "GDB1", "analogs", "60.00"),
        ("s2", "OC90", "analogs", "72.00"),
        ("s1", "OC90", "analogs", "84.00"),
    ]
    assert prices("opt") == [
        ("s2", "0986452041", "all", "121.50"),
        ("s1", "0986452041", "all", "135.00"),
        ("s1", "GDB1", "analogs", "54.00"),
        ("s2", "OC90", "analogs", "64.80"),
        ("s1", "OC90", "analogs", "75.60"),
    ]


def test_without_rules_a_line_has_no_price_and_says_why(store: Store) -> None:
    for pricing in (lambda: None, lambda: PricingContext(RuleSet(), Rates())):
        engine = _engine(store, pricing=pricing)
        answer = _search(store, engine, article="OC90", analogs=False)
        assert sorted(
            (x["purchase_price"], x["price"], x["rule"], x["price_reason"])
            for x in answer.lines
        ) == [("60.00", None, None, "no rules"), ("70.00", None, None, "no rules")]
        assert {x["explanation"] for x in answer.lines} == {None}


def test_without_rules_sort_by_price_orders_by_purchase_price(store: Store) -> None:
    engine = _engine(store, pricing=lambda: None)
    answer = _search(store, engine, article="OC90", analogs=False)
    assert [x["purchase_price"] for x in answer.lines] == ["60.00", "70.00"]


# visibility, caps, filters --------------------------------------------------------


def test_a_department_sees_only_the_suppliers_that_serve_it(store: Store) -> None:
    metas = {**METAS, "s2": SupplierMeta(name="Бета", departments=("moscow",))}
    assert store.sync(metas=metas).action == "meta"
    spb = _search(store, article="0986452041", brand="BOSCH", department="spb")
    assert {x["supplier_id"] for x in spb.lines} == {"s1"}
    moscow = _search(store, article="0986452041", brand="BOSCH", department="moscow")
    assert {x["supplier_id"] for x in moscow.lines} == {"s1", "s2"}
    choices = _search(store, article="0986452041", department="spb").brands
    assert choices == [
        {"brand": "BOSCH", "name": "Фильтр масляный", "offers": 1},
        {"brand": "MANN-FILTER", "name": "Фильтр масляный MANN", "offers": 1},
    ]
    hidden = _search(store, article="616024", department="spb")
    assert (hidden.brands, hidden.lines) == (None, [])


def test_price_groups_narrow_the_suppliers(store: Store) -> None:
    oils = _search(store, article="OC90", price_groups=("oils",), analogs=False)
    assert [(x["supplier_id"], x["price_group"]) for x in oils.lines] == [
        ("s1", "oils")
    ]
    both = _search(
        store, article="OC90", price_groups=("oils", "filters"), analogs=False
    )
    assert [x["supplier_id"] for x in both.lines] == ["s2", "s1"]


def test_the_result_cap_cuts_the_lines_and_says_so(store: Store) -> None:
    answer = _search(store, article="0986452041", brand="BOSCH", limit=2)
    assert _short(answer) == [
        ("s2", "BOSCH", "0986452041", "exact"),
        ("s1", "BOSCH", "0986452041", "exact"),
    ]
    assert (answer.truncated, answer.truncated_reasons) == (True, ["result_cap"])
    whole = _search(store, article="0986452041", brand="BOSCH")
    assert (whole.truncated, whole.truncated_reasons) == (False, [])


def test_in_stock_drops_lines_without_stock(store: Store) -> None:
    answer = _search(store, article="0986452041", brand="BOSCH", in_stock=True)
    assert _short(answer) == [
        ("s2", "BOSCH", "0986452041", "exact"),
        ("s1", "BOSCH", "0986452041", "exact"),
        ("s1", "MAHLE", "OC90", "analog"),
    ]


def test_q40_a_publish_is_seen_by_the_next_search(store: Store) -> None:
    engine = _engine(store)
    assert _search(store, engine, article="OC90", analogs=False).lines[0]["price"]
    store.publish("s2", [("MAHLE", "OC90", "Фильтр масляный", "10", 9, 1)])
    store.sync()
    answer = _search(store, engine, article="OC90", analogs=False)
    assert [(x["supplier_id"], x["purchase_price"]) for x in answer.lines] == [
        ("s2", "10.00"),
        ("s1", "70.00"),
    ]
    assert answer.generation == store.manifest().generation


def test_a_search_in_flight_finishes_on_the_generation_it_started_on(
    store: Store,
) -> None:
    old = store.manifest().generation

    def publish_mid_search() -> CrossGraph:
        store.publish("s2", [("MAHLE", "OC90", "Фильтр масляный", "10", 9, 1)])
        store.sync(full=True)
        return GRAPH

    engine = _engine(store, graph=publish_mid_search)
    answer = _search(store, engine, article="OC90", brand="MAHLE")
    assert answer.generation == old
    assert _line(answer, "s2", "MAHLE", "OC90")["purchase_price"] == "60.00"
    assert ("s2", "BOSCH", "0986452041", "analog") in _short(answer)

    after = _search(store, _engine(store), article="OC90", brand="MAHLE")
    assert after.generation == store.manifest().generation != old
    assert _line(after, "s2", "MAHLE", "OC90")["purchase_price"] == "10.00"
    assert ("s2", "BOSCH", "0986452041", "analog") not in _short(after)


# online suppliers -----------------------------------------------------------------


def _offer(price: str, *, brand: str = "BOSCH", article: str = "0986452041") -> Any:
    return OnlineOffer(
        supplier_id="o1", brand=brand, article=article, article_raw=article,
        brand_raw=brand, name="Фильтр онлайн", price=D(price), currency="RUB",
        qty=3, qty_approx=False, delivery_days_min=1, delivery_days_max=2,
        delivery_probability=99.0, warehouse="Онлайн",
    )  # fmt: skip


class _Online:
    """An online fetch that records its calls and answers a fixed future."""

    def __init__(self, results: list[Any] | None) -> None:
        self.results = results
        self.calls: list[tuple[Any, ...]] = []

    def __call__(
        self, ids: list[tuple[str, str]], deadline_s: float, allowed: Any
    ) -> Future[list[Any]]:
        self.calls.append((ids, deadline_s, allowed))
        future: Future[list[Any]] = Future()
        if self.results is not None:
            future.set_result(self.results)
        return future


def test_online_offers_become_priced_lines_and_a_timeout_is_reported(
    store: Store,
) -> None:
    online = _Online(
        [
            OnlineResult("o1", "BOSCH", "0986452041", "ok",
                         offers=[_offer("80.00"), _offer("5.00", article="XX1")],
                         supplier_name="Онлайн-склад"),
            OnlineResult("o2", "BOSCH", "0986452041", "timeout",
                         error="no answer in 2.5 s", elapsed_ms=2500.04),
        ]
    )  # fmt: skip
    engine = _engine(store, online=online, online_deadline_s=1.0)
    answer = _search(store, engine, article="0986452041", brand="BOSCH")

    assert online.calls == [([("BOSCH", "0986452041")], 1.0, None)]
    assert answer.suppliers_failed == [
        {"supplier_id": "o2", "status": "timeout", "reason": "no answer in 2.5 s",
         "elapsed_ms": 2500.0}
    ]  # fmt: skip
    assert _short(answer)[:3] == [
        ("o1", "BOSCH", "0986452041", "exact"),
        ("s2", "BOSCH", "0986452041", "exact"),
        ("s1", "BOSCH", "0986452041", "exact"),
    ]
    line = _line(answer, "o1", "BOSCH", "0986452041")
    assert {k: line[k] for k in ("source", "supplier_name", "purchase_price",
                                 "price", "rule", "cached", "qty", "warehouse")} == {
        "source": "online", "supplier_name": "Онлайн-склад",
        "purchase_price": "80.00", "price": "120.00", "rule": "all",
        "cached": False, "qty": 3, "warehouse": "Онлайн",
    }  # fmt: skip
    stray = _line(answer, "o1", "BOSCH", "XX1")
    assert (stray["match"], stray["via"], stray["rule"]) == (
        "analog",
        [
            {
                "from": {"brand": "BOSCH", "article": "0986452041"},
                "to": {"brand": "BOSCH", "article": "XX1"},
                "kind": "online",
                "source": "o1",
                "verified": False,
            }
        ],
        "analogs",
    )


def test_an_online_future_that_never_resolves_is_cut_at_the_deadline(
    store: Store,
) -> None:
    engine = _engine(store, online=_Online(None), online_deadline_s=0.05)
    started = time.perf_counter()
    answer = _search(store, engine, article="OC90", analogs=False)
    elapsed = time.perf_counter() - started

    assert 0.05 < elapsed < 2.0
    assert [
        (f["supplier_id"], f["status"], f["reason"]) for f in answer.suppliers_failed
    ] == [("*", "timeout", "online suppliers did not answer in time")]
    assert [x["supplier_id"] for x in answer.lines] == ["s2", "s1"]


def test_online_is_not_asked_for_text_or_when_the_request_says_no(
    store: Store,
) -> None:
    online = _Online([])
    engine = _engine(store, online=online)
    _search(store, engine, text="фильтр")
    _search(store, engine, article="OC90", online=False)
    assert online.calls == []
    _search(store, engine, article="0986452041")
    assert online.calls == []  # the brand choice is answered first
    _search(store, engine, article="NOSUCH1")
    (asked, deadline_s, allowed), *more = online.calls  # by the article alone
    assert (asked, allowed, more) == ([("", "NOSUCH1")], None, [])
    assert deadline_s == pytest.approx(2.0, abs=0.5)  # the time left


# the search log -------------------------------------------------------------------


def test_one_log_record_per_search_with_query_counts_and_latency(
    store: Store,
) -> None:
    records: list[dict[str, Any]] = []
    engine = _engine(store, log_search=records.append)
    first = _search(store, engine, article="0986-452-041", brand="BOSCH",
                    client_group="opt", department="spb", who="ivanov", limit=2)  # fmt: skip
    second = _search(store, engine, article="0986452041")

    assert len(records) == 2
    for record, answer in zip(records, (first, second), strict=True):
        assert record["latency_ms"] == answer.timings_ms["total"] > 0
        assert abs(record["at"] - time.time()) < 60
    assert {k: v for k, v in records[0].items() if k not in ("at", "latency_ms")} == {
        "who": "ivanov", "department": "spb", "client_group": "opt",
        "article": "0986452041", "brand": "BOSCH", "text": None, "vin": None,
        "identities": 3, "lines": 2, "brands_offered": 0, "exact_lines": 2,
        "suppliers_failed": [], "truncated": True,
        "generation": store.manifest().generation,
    }  # fmt: skip
    assert (records[1]["lines"], records[1]["brands_offered"]) == (0, 2)


def test_an_answer_times_its_steps(store: Store) -> None:
    answer = _search(store, article="0986452041", brand="BOSCH")
    assert set(answer.timings_ms) == {
        "normalize", "analogs", "lookup", "lines", "online", "pricing", "ranking", "total",
    }  # fmt: skip
    assert answer.to_dict()["timings_ms"] == answer.timings_ms
