"""The online client without a network: replies and failures, mock transport."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from crosses.brands import default_table
from search.online.client import OnlineClients, OnlineOffer, parse_reply
from search.online.config import OnlineSupplier

Handler = Callable[[httpx.Request], httpx.Response]


def make_supplier(**overrides: Any) -> OnlineSupplier:
    data: dict[str, Any] = {
        "id": "mock",
        "name": "Mock supplier",
        "url": "https://mock.example/search?q={article}&b={brand}",
        "items": "data.items",
        "delivery_probability": 90,
        "fields": {
            "brand": "maker",
            "article": "code",
            "name": "title",
            "price": "price",
            "qty": "stock",
            "delivery_days": "days",
            "warehouse": "store",
        },
    }
    data.update(overrides)
    return OnlineSupplier.model_validate(data)


def reply(*items: Any, status: int = 200) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"data": {"items": list(items)}})

    return handle


class Counting:
    """A mock transport that remembers the requests it answered."""

    def __init__(self, handler: Handler) -> None:
        self.requests: list[httpx.Request] = []
        self.handler = handler
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


def clients(
    handler: Handler, *suppliers: OnlineSupplier, **kwargs: Any
) -> tuple[OnlineClients, Counting]:
    counting = Counting(handler)
    chosen = suppliers or (make_supplier(),)
    online = OnlineClients(
        {s.id: s for s in chosen}, transport=counting.transport, **kwargs
    )
    return online, counting


MB_ITEM = {
    "maker": "MB",
    "code": "А 000 180 26 09",  # Cyrillic А: a look-alike letter
    "title": "Фильтр масляный",
    "price": "2 040,74",
    "stock": ">10",
    "days": "3-5",
    "store": "Москва",
}


def test_a_reply_item_becomes_a_canonical_offer() -> None:
    online, _ = clients(reply(MB_ITEM))

    [result] = online.query_sync([("MERCEDES-BENZ", "A0001802609")], deadline_s=2)

    assert result.status == "ok" and result.error is None
    assert result.supplier_name == "Mock supplier"
    assert result.offers == [
        OnlineOffer(
            supplier_id="mock",
            brand="MERCEDES-BENZ",
            article="A0001802609",
            article_raw="А 000 180 26 09",
            brand_raw="MB",
            name="Фильтр масляный",
            price=Decimal("2040.74"),
            currency="RUB",
            qty=10,
            qty_approx=True,
            multiplicity=1,
            delivery_days_min=3,
            delivery_days_max=5,
            delivery_probability=90.0,
            warehouse="Москва",
            vat_included=True,
        )
    ]


def parse(*items: Any, **overrides: Any) -> list[OnlineOffer]:
    supplier = make_supplier(**overrides)
    payload = {"data": {"items": list(items)}}
    return parse_reply(supplier, payload, brand="BOSCH", brands=default_table()).offers


@pytest.mark.parametrize(
    ("price", "expected", "currency"),
    [
        ("2 040,74", "2040.74", "RUB"),
        ("1 299,50 руб.", "1299.50", "RUB"),
        ("1.299,99", "1299.99", "RUB"),
        (2040.74, "2040.74", "RUB"),
        (1234.567, "1234.57", "RUB"),  # a JSON number has no locale to doubt
        (15, "15.00", "RUB"),
        ("12,50 EUR", "12.50", "EUR"),
    ],
)
def test_prices_use_the_price_list_money_parser(
    price: Any, expected: str, currency: str
) -> None:
    [offer] = parse({"code": "0986452041", "price": price})

    assert (offer.price, offer.currency) == (Decimal(expected), currency)


@pytest.mark.parametrize(
    ("stock", "qty", "approx"),
    [(">10", 10, True), ("10+", 10, True), ("есть", 1, True), ("5", 5, False),
     (7, 7, False), ("нет", 0, False), ("под заказ", None, False),
     (None, None, False)],
)  # fmt: skip
def test_stock_text_uses_the_price_list_stock_parser(
    stock: Any, qty: int | None, approx: bool
) -> None:
    [offer] = parse({"code": "0986452041", "price": "100", "stock": stock})

    assert (offer.qty, offer.qty_approx) == (qty, approx)


def test_delivery_days_come_from_text_or_from_two_fields() -> None:
    fields = {"article": "code", "price": "price", "delivery_days": "days"}
    two = {**fields, "delivery_days_min": "lo", "delivery_days_max": "hi"}

    [text] = parse({"code": "1", "price": "1", "days": "3-5"}, fields=fields)
    [week] = parse({"code": "1", "price": "1", "days": "2 недели"}, fields=fields)
    [pair] = parse({"code": "1", "price": "1", "lo": 2, "hi": "4"}, fields=two)

    assert (text.delivery_days_min, text.delivery_days_max) == (3, 5)
    assert (week.delivery_days_min, week.delivery_days_max) == (14, 14)
    assert (pair.delivery_days_min, pair.delivery_days_max) == (2, 4)


def test_item_values_win_over_the_config_defaults() -> None:
    fields = {
        "article": "code",
        "price": "price",
        "currency": "cur",
        "multiplicity": "step",
        "delivery_probability": "chance",
    }
    item = {"code": "1", "price": "10", "cur": "usd", "step": "4 шт", "chance": "75%"}

    [offer] = parse(item, fields=fields)

    assert (offer.currency, offer.multiplicity, offer.delivery_probability) == (
        "USD",
        4,
        75.0,
    )


def test_dotted_paths_reach_nested_values() -> None:
    fields = {"article": "part.number", "price": "prices.0.value"}
    item = {"part": {"number": "W 712/95"}, "prices": [{"value": "12,5"}]}

    [offer] = parse(item, fields=fields)

    assert (offer.article, offer.price, offer.brand) == (
        "W71295",
        Decimal("12.50"),
        "BOSCH",
    )


def test_items_that_do_not_parse_are_skipped_and_counted() -> None:
    online, _ = clients(
        reply(
            MB_ITEM,
            {"maker": "MB", "price": "100"},  # no article
            {"code": "---", "price": "100"},  # nothing left of the article
            {"code": "X1", "price": "сто рублей"},
            {"code": "X2", "price": "0"},
            {"code": "X3", "price": "-5"},
            {"code": "X4", "price": {"value": 1}},
            "not an object",
        )
    )

    [result] = online.query_sync([("MERCEDES-BENZ", "A0001802609")], deadline_s=2)

    assert result.status == "ok"
    assert [o.article for o in result.offers] == ["A0001802609"]
    assert result.skipped_items == 7


def test_a_reply_longer_than_the_cap_is_cut_and_says_so() -> None:
    items = [{"code": f"A{n}", "price": "1"} for n in range(5)]
    online, _ = clients(reply(*items), make_supplier(max_items=3))

    [result] = online.query_sync([("BOSCH", "A1")], deadline_s=2)

    assert (len(result.offers), result.truncated) == (3, True)


@pytest.mark.parametrize(
    ("payload", "path", "count"),
    [
        ([{"code": "1", "price": "1"}], "", 1),
        ({"data": {"items": None}}, "data.items", 0),
    ],
)
def test_a_top_level_list_or_a_null_list_is_read(
    payload: Any, path: str, count: int
) -> None:
    online, _ = clients(
        lambda r: httpx.Response(200, json=payload), make_supplier(items=path)
    )

    [result] = online.query_sync([("BOSCH", "1")], deadline_s=2)

    assert (result.status, len(result.offers)) == ("ok", count)


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (503, None, "HTTP 503"),
        (401, None, "login refused (HTTP 401)"),
        (403, None, "login refused (HTTP 403)"),
        (200, b'{"result": []}', "bad reply: no `data.items`"),
        (200, b'{"data": {"items": 3}}', "bad reply: `data.items` is not a list"),
        (200, b"<html>", "bad JSON: Expecting value"),
    ],
)
def test_a_failing_supplier_gives_an_error_status_not_an_exception(
    status: int, body: bytes | None, error: str
) -> None:
    online, _ = clients(lambda r: httpx.Response(status, content=body))

    [result] = online.query_sync([("BOSCH", "1")], deadline_s=2)

    assert (result.status, result.offers) == ("error", [])
    assert result.error is not None and result.error.startswith(error)


def test_a_connection_failure_is_an_error_without_the_secret() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}")

    supplier = make_supplier(auth={"kind": "query", "name": "key", "value": "s3cret"})
    online, _ = clients(refuse, supplier)

    [result] = online.query_sync([("BOSCH", "1")], deadline_s=2)

    assert result.status == "error"
    assert result.error is not None and result.error.startswith("cannot connect")
    assert "s3cret" not in result.error and "key=***" in result.error


def _authorization(request: httpx.Request) -> str:
    return request.headers["Authorization"]


def test_placeholders_are_url_encoded_and_each_auth_is_sent() -> None:
    basic = "Basic " + base64.b64encode(b"u:p").decode()
    cases: list[tuple[dict[str, Any], Callable[[httpx.Request], object], object]] = [
        ({"kind": "bearer", "token": "t0k"}, _authorization, "Bearer t0k"),
        ({"kind": "basic", "user": "u", "password": "p"}, _authorization, basic),
        (
            {"kind": "header", "name": "X-Api-Key", "value": "k"},
            lambda r: r.headers["X-Api-Key"],
            "k",
        ),
        (
            {"kind": "query", "name": "key", "value": "k k"},
            lambda r: r.url.params["key"],
            "k k",
        ),
    ]
    for auth, read, expected in cases:
        online, counting = clients(reply(), make_supplier(auth=auth))

        online.query_sync([("LAND ROVER", "LR/0 1")], deadline_s=2)

        [request] = counting.requests
        assert read(request) == expected
        assert (request.url.params["q"], request.url.params["b"]) == (
            "LR/0 1",
            "LAND ROVER",
        )
        assert "%2F0" in str(request.url)  # a `/` in an article stays in its parameter


def test_a_post_sends_the_body_template_filled() -> None:
    body = {"query": {"code": "{article}", "maker": "{brand}"}, "page": 1}
    online, counting = clients(reply(), make_supplier(method="POST", body=body))

    online.query_sync([("BOSCH", "0986452041")], deadline_s=2)

    [request] = counting.requests
    assert request.method == "POST"
    assert json.loads(request.content) == {
        "query": {"code": "0986452041", "maker": "BOSCH"},
        "page": 1,
    }


def test_a_query_key_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    supplier = make_supplier(auth={"kind": "query", "name": "key", "value": "s3cr3t"})
    online, _ = clients(reply(MB_ITEM), supplier)

    with caplog.at_level(logging.DEBUG):
        online.query_sync([("MERCEDES-BENZ", "A0001802609")], deadline_s=2)

    assert "online request supplier=mock" in caplog.text
    assert "s3cr3t" not in caplog.text


def test_a_second_query_within_the_ttl_is_cached_and_sends_nothing() -> None:
    now = [100.0]
    online, counting = clients(reply(MB_ITEM), clock=lambda: now[0])
    identity = [("MERCEDES-BENZ", "A0001802609")]

    [first] = online.query_sync(identity, deadline_s=2)
    [second] = online.query_sync(identity, deadline_s=2)
    now[0] += 61
    [third] = online.query_sync(identity, deadline_s=2)

    assert (first.cached, second.cached, third.cached) == (False, True, False)
    assert second.offers == first.offers
    assert len(counting.requests) == 2


def test_failures_and_a_zero_ttl_are_not_cached() -> None:
    failing, failed = clients(
        lambda r: httpx.Response(503), make_supplier(cooldown_s=0)
    )
    uncached, sent = clients(reply(MB_ITEM), make_supplier(cache_ttl_s=0))

    for online in (failing, uncached):
        online.query_sync([("BOSCH", "1")], deadline_s=2)
        online.query_sync([("BOSCH", "1")], deadline_s=2)

    assert (len(failed.requests), len(sent.requests)) == (2, 2)


def test_the_cache_keeps_at_most_its_size() -> None:
    online, counting = clients(reply(MB_ITEM), cache_size=2)

    for article in ("A", "B", "C", "A"):
        online.query_sync([("BOSCH", article)], deadline_s=2)

    assert len(counting.requests) == 4  # `A` was pushed out by `C`


def test_every_supplier_is_asked_for_every_identity() -> None:
    a, b = make_supplier(id="a"), make_supplier(id="b")
    off = make_supplier(id="off", enabled=False)
    online, counting = clients(reply(MB_ITEM), a, b, off)

    results = online.query_sync(
        [("BOSCH", "1"), ("BOSCH", "2"), ("BOSCH", "1")], deadline_s=2
    )

    assert [(r.supplier_id, r.article) for r in results] == [
        ("a", "1"), ("a", "2"), ("b", "1"), ("b", "2"),
    ]  # fmt: skip
    assert len(counting.requests) == 4


def test_named_suppliers_only_and_unknown_names_say_so() -> None:
    a, off = make_supplier(id="a"), make_supplier(id="off", enabled=False)
    online, _ = clients(reply(MB_ITEM), a, off)

    results = online.query_sync(
        [("BOSCH", "1")], deadline_s=2, suppliers=["a", "off", "nobody"]
    )

    assert [(r.supplier_id, r.status, r.error) for r in results] == [
        ("a", "ok", None),
        ("off", "error", "disabled"),
        ("nobody", "error", "unknown online supplier"),
    ]


def test_a_deadline_already_passed_skips_every_request() -> None:
    online, counting = clients(reply(MB_ITEM))

    [result] = online.query_sync([("BOSCH", "1")], deadline_s=0)

    assert (result.status, counting.requests) == ("skipped", [])


def test_query_sync_refuses_to_run_inside_an_event_loop() -> None:
    online, _ = clients(reply())

    async def inside() -> None:
        online.query_sync([("BOSCH", "1")], deadline_s=1)

    with pytest.raises(RuntimeError, match="use `query`"):
        asyncio.run(inside())


def test_async_queries_work_from_one_loop_and_then_from_another() -> None:
    online, counting = clients(reply(MB_ITEM), make_supplier(cache_ttl_s=0))

    async def twice() -> list[str]:
        first = await online.query([("BOSCH", "1")], deadline_s=2)
        second = await online.query([("BOSCH", "1")], deadline_s=2)
        await online.aclose()
        return [r.status for r in first + second]

    assert asyncio.run(twice()) == ["ok", "ok"]
    assert asyncio.run(twice()) == ["ok", "ok"]
    assert len(counting.requests) == 4


def test_a_failing_supplier_is_skipped_for_its_cooldown_then_asked_again() -> None:
    now = [1000.0]
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(503) if calls["n"] == 1 else reply(MB_ITEM)(request)

    online, counting = clients(
        handler, make_supplier(cooldown_s=30), clock=lambda: now[0]
    )
    first = online.query_sync([("BOSCH", "1")], deadline_s=2)
    assert (first[0].status, first[0].error) == ("error", "HTTP 503")

    now[0] += 10
    second = online.query_sync([("BOSCH", "1")], deadline_s=2)
    assert second[0].status == "skipped"
    assert second[0].error == "not asked for 20 s more: HTTP 503"
    now[0] += 19.7
    nearly = online.query_sync([("BOSCH", "1")], deadline_s=2)
    assert nearly[0].error == "not asked for 1 s more: HTTP 503"  # never "0 s"
    assert len(counting.requests) == 1

    now[0] += 5.3
    third = online.query_sync([("BOSCH", "1")], deadline_s=2)
    assert (third[0].status, len(third[0].offers)) == ("ok", 1)
    assert len(counting.requests) == 2


def test_a_timeout_cut_by_the_query_deadline_does_not_cool_the_supplier() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(1.0)
        return httpx.Response(200, json={"data": {"items": []}})

    online, counting = clients(slow, make_supplier(timeout_s=2.0, cooldown_s=30))
    cut = online.query_sync([("BOSCH", "1")], deadline_s=0.1)
    assert cut[0].status == "timeout"
    again = online.query_sync([("BOSCH", "1")], deadline_s=0.1)
    assert again[0].status == "timeout"  # asked again, not skipped
    assert len(counting.requests) == 2
