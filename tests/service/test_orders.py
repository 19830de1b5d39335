"""Customer orders: priced again by the server from the install's quote lines,
checked, saved once per idempotency key, moved through statuses, exported."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from parts.settings import get_settings
from pipelines.pricelists.load import ingest
from pricing.rules import ClientGroup, Rule, RuleSet
from search.online.demo_server import DemoSupplierServer
from search.quotes import QuoteAnswer, QuoteEngine, QuoteRequest
from service.app import create_app
from service.clients.logic import create_client
from service.clients.models import ClientIn
from service.db import audit
from service.db.audit import Actor
from service.db.engine import Database
from service.db.models import CustomerOrder, CustomerOrderLine
from service.db.session import transaction
from service.orders import logic
from service.orders.models import OrderIn, OrderLineIn
from tests.service.signin import page_session, sign_in
from tests.service.test_quotes_api import (
    DATA,
    ONLINE_STOCK,
    Install,
    make_install,
    seed_rules,
)

IDENTITY_KEYS = ("brand", "article", "supplier_id", "source", "warehouse", "load_id",
                 "row")  # fmt: skip


# the install -----------------------------------------------------------------------


@dataclass
class Shop:
    """A running app over the install, a manager signed in, two clients."""

    client: TestClient
    database: Database
    retail_id: int
    wholesale_id: int

    @property
    def app(self) -> FastAPI:
        app: FastAPI = self.client.app  # type: ignore[assignment]
        return app


def add_clients(database: Database) -> tuple[int, int]:
    """A retail person and a wholesale company with its own 5 % discount."""
    actor = Actor("test", "seed")
    with database.sessions() as session, transaction(session):
        retail = create_client(
            session, ClientIn(name="Иван Петров", client_group="retail"), actor=actor
        )
        wholesale = create_client(
            session,
            ClientIn(kind="company", name="ООО Ромашка", client_group="wholesale",
                     discount_percent=Decimal(5)),
            actor=actor,
        )  # fmt: skip
        return retail.id, wholesale.id


@contextmanager
def opened(install: Install) -> Iterator[Shop]:
    """The app over `install` with a manager of department `msk` signed in."""
    with TestClient(create_app(install.settings)) as client:
        sign_in(client, role="manager", login="anna", department="msk",
                name="Анна Смирнова")  # fmt: skip
        database: Database = client.app.state.db  # type: ignore[attr-defined]
        retail, wholesale = add_clients(database)
        yield Shop(client, database, retail, wholesale)


@pytest.fixture
def install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> Iterator[Install]:
    monkeypatch.setenv("PARTS_DATABASE_URL", db_url)
    yield make_install(tmp_path, monkeypatch)
    get_settings.cache_clear()


@pytest.fixture
def shop(install: Install) -> Iterator[Shop]:
    with opened(install) as shop:
        yield shop


def quote_lines(
    shop: Shop, article: str, brand: str, *, client_id: int, online: bool = False
) -> list[dict[str, Any]]:
    """The quote API's lines of one part, priced for a client, as the page sees them."""
    answer = shop.client.get(
        "/api/quotes",
        params={"article": article, "brand": brand, "client_id": client_id,
                "analogs": False, "online": online},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    lines: list[dict[str, Any]] = answer.json()["lines"]
    return lines


def offer_of(lines: list[dict[str, Any]], supplier_id: str) -> dict[str, Any]:
    (offer,) = [line for line in lines if line["supplier_id"] == supplier_id]
    return offer


def order_line(offer: dict[str, Any], qty: int, **changes: Any) -> dict[str, Any]:
    """The order line a page sends for a quote line."""
    return {**{k: offer[k] for k in IDENTITY_KEYS}, "qty": qty, **changes}


def post(
    shop: Shop,
    client_id: int,
    lines: list[dict[str, Any]],
    *,
    key: str = "key-1",
    note: str | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    return shop.client.post(
        "/api/orders",
        json={"client_id": client_id, "note": note, "lines": lines},
        headers={"Idempotency-Key": key, **(headers or {})},
    )


def count_rows(shop: Shop) -> tuple[int, int]:
    with shop.database.sessions() as session:
        orders_n = session.scalar(select(func.count()).select_from(CustomerOrder))
        lines_n = session.scalar(select(func.count()).select_from(CustomerOrderLine))
    return orders_n or 0, lines_n or 0


def without_times(order: dict[str, Any]) -> dict[str, Any]:
    """The order with its timestamps checked and dropped (lines' `priced_at` too)."""
    order = dict(order)
    for key in ("created_at", "updated_at"):
        assert dt.datetime.fromisoformat(order.pop(key)).tzinfo is not None
    order["lines"] = [dict(line, offer=dict(line["offer"])) for line in order["lines"]]
    for line in order["lines"]:
        assert dt.datetime.fromisoformat(line["offer"].pop("priced_at")).tzinfo
    return order


def rub(price: str, qty: int = 1) -> str:
    return f"{Decimal(price) * qty:.2f}"


def saved_line(offer: dict[str, Any], position: int, qty: int) -> dict[str, Any]:
    """The order line the API shows for a quote line ordered `qty` times."""
    return {
        "position": position, "brand": offer["brand"], "article": offer["article"],
        "name": offer["name"], "supplier_id": offer["supplier_id"],
        "source": offer["source"], "warehouse": offer["warehouse"], "qty": qty,
        "price": offer["price"], "amount": rub(offer["price"], qty),
        "purchase_price": offer["purchase_price"], "currency": offer["currency"],
        "delivery_days_min": offer["delivery_days_min"],
        "delivery_days_max": offer["delivery_days_max"],
        "stock_checked": True,
        "offer": {**offer, "stock_checked": True, "requested_qty": qty},
    }  # fmt: skip


def problem(title: str, status: int, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """The problem+json of a refused order."""
    return {
        "type": "about:blank", "title": title, "status": status,
        "detail": f"{len(lines)} problem(s); nothing was saved",
        "problems": [line["message"] for line in lines], "lines": lines,
    }  # fmt: skip


def line_problem(
    position: int, offer: dict[str, Any], code: str, message: str, **extra: Any
) -> dict[str, Any]:
    return {
        "position": position, "brand": offer["brand"], "article": offer["article"],
        "supplier_id": offer["supplier_id"], "code": code,
        "message": f"line {position} ({offer['brand']} {offer['article']}, "
        f"supplier `{offer['supplier_id']}`): {message}",
        **extra,
    }  # fmt: skip


def place(shop: Shop, *, key: str = "key-1", client_id: int | None = None) -> Any:
    """An order of two BOSCH filters from alpha; its answer."""
    client_id = client_id or shop.wholesale_id
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=client_id)
    answer = post(shop, client_id, [order_line(offer_of(offers, "alpha"), 2)], key=key)
    assert answer.status_code == 201, answer.text
    return answer.json()


# placing an order ------------------------------------------------------------------


def test_an_order_takes_the_servers_price_for_the_client(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.wholesale_id)
    retail = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    alpha, beta = offer_of(offers, "alpha"), offer_of(offers, "beta")
    # the client's own group and discount made these prices, not the retail ones
    assert alpha["price"] != offer_of(retail, "alpha")["price"]

    answer = post(shop, shop.wholesale_id, [order_line(alpha, 2), order_line(beta, 3)],
                  note="к пятнице")  # fmt: skip

    assert answer.status_code == 201, answer.text
    assert "idempotent-replay" not in answer.headers
    body = answer.json()
    total = Decimal(alpha["price"]) * 2 + Decimal(beta["price"]) * 3
    assert without_times(body) == {
        "id": body["id"], "client_id": shop.wholesale_id, "client_name": "ООО Ромашка",
        "user_login": "anna", "user_name": "Анна Смирнова", "department": "msk",
        "client_group": "wholesale",
        "status": "new", "total": f"{total:.2f}", "note": "к пятнице",
        "updated_by": "anna", "version": 1,
        "next_statuses": ["confirmed", "cancelled"],
        "lines": [saved_line(alpha, 1, 2), saved_line(beta, 2, 3)],
    }  # fmt: skip
    with shop.database.sessions() as session:
        order = session.get(CustomerOrder, body["id"])
        rows = session.scalars(
            select(CustomerOrderLine).order_by(CustomerOrderLine.position)
        ).all()
    assert order is not None
    assert (order.total_kop, order.user_id, order.idempotency_key) == (
        logic.kopecks(total),
        1,
        "key-1",
    )
    assert [(r.price_kop, r.amount_kop, r.purchase_price) for r in rows] == [
        (logic.kopecks(alpha["price"]), logic.kopecks(alpha["price"]) * 2,
         Decimal(alpha["purchase_price"])),
        (logic.kopecks(beta["price"]), logic.kopecks(beta["price"]) * 3,
         Decimal(beta["purchase_price"])),
    ]  # fmt: skip


def test_a_tampered_price_is_refused_listing_old_and_new(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    alpha, beta = offer_of(offers, "alpha"), offer_of(offers, "beta")
    lines = [order_line(alpha, 1, price_seen="1.00"),
             order_line(beta, 1, price_seen=beta["price"])]  # fmt: skip

    answer = post(shop, shop.retail_id, lines)

    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == problem(
        "prices changed: review and submit again", 409,
        [line_problem(1, alpha, "price_changed",
                      f"price changed from 1.00 to {alpha['price']}",
                      price_seen="1.00", price=alpha["price"])],
    )  # fmt: skip
    assert count_rows(shop) == (0, 0)


def test_a_price_seen_that_still_holds_is_accepted(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    alpha = offer_of(offers, "alpha")
    seen = str(Decimal(alpha["price"]).normalize())  # `590`, not `590.00`

    answer = post(shop, shop.retail_id, [order_line(alpha, 1, price_seen=seen)])

    assert answer.status_code == 201, answer.text
    assert answer.json()["total"] == alpha["price"]


def test_every_quantity_problem_is_listed_together(shop: Shop) -> None:
    bosch = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    mann = quote_lines(shop, "W71275", "MANN-FILTER", client_id=shop.retail_id)
    alpha, beta, mann_alpha = offer_of(bosch, "alpha"), offer_of(bosch, "beta"), mann[0]
    assert (mann_alpha["qty"], mann_alpha["multiplicity"], beta["qty"]) == (0, 2, 3)

    answer = post(shop, shop.retail_id, [
        order_line(mann_alpha, 3), order_line(beta, 5), order_line(alpha, 0),
    ])  # fmt: skip

    assert answer.status_code == 409
    assert answer.json() == problem("order refused", 409, [
        line_problem(1, mann_alpha, "multiplicity",
                     "qty 3 is not a multiple of 2: order 2 or 4",
                     multiplicity=2, nearest=[2, 4]),
        line_problem(1, mann_alpha, "out_of_stock", "out of stock"),
        line_problem(2, beta, "over_stock", "only 3 in stock, 5 asked", stock=3),
        line_problem(3, alpha, "bad_qty", "qty 0: order at least 1"),
    ])  # fmt: skip
    assert count_rows(shop) == (0, 0)


def test_a_quantity_off_the_multiplicity_alone_is_bad_input(
    install: Install, tmp_path: Path
) -> None:
    changed = tmp_path / "alpha-step.csv"
    text = (DATA / "alpha.csv").read_text(encoding="utf-8")
    changed.write_text(text.replace("405,45;12;1", "405,45;12;4"), encoding="utf-8")
    assert ingest(changed, supplier_id="alpha", settings=install.settings).status == (
        "published"
    )
    with opened(install) as shop:
        offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
        alpha = offer_of(offers, "alpha")
        answer = post(shop, shop.retail_id, [order_line(alpha, 1)])

    assert answer.status_code == 422
    assert answer.json() == problem("order refused", 422, [
        line_problem(1, alpha, "multiplicity",
                     "qty 1 is not a multiple of 4: order 4",
                     multiplicity=4, nearest=[4]),
    ])  # fmt: skip


def test_unknown_or_approximate_stock_is_accepted_unchecked(
    install: Install, tmp_path: Path
) -> None:
    changed = tmp_path / "alpha-vague.csv"
    text = (DATA / "alpha.csv").read_text(encoding="utf-8")
    text = text.replace("405,45;12;", "405,45;>10;").replace("100,00;5;", "100,00;;")
    changed.write_text(text, encoding="utf-8")
    assert ingest(changed, supplier_id="alpha", settings=install.settings).status == (
        "published"
    )
    with opened(install) as shop:
        bosch = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
        febi = quote_lines(shop, "12345", "FEBI BILSTEIN", client_id=shop.retail_id)
        approx, unknown, exact = (
            offer_of(bosch, "alpha"),
            febi[0],
            offer_of(bosch, "beta"),
        )
        assert [(o["qty"], o["qty_approx"]) for o in (approx, unknown, exact)] == [
            (10, True),
            (None, False),
            (3, False),
        ]
        answer = post(shop, shop.retail_id, [
            order_line(approx, 15), order_line(unknown, 4), order_line(exact, 3),
        ])  # fmt: skip
        covered = post(shop, shop.retail_id, [order_line(approx, 5)], key="key-2")

    assert answer.status_code == 201, answer.text
    assert [
        (line["qty"], line["stock_checked"], line["offer"]["stock_checked"])
        for line in answer.json()["lines"]
    ] == [(15, False, False), (4, False, False), (3, True, True)]
    assert covered.json()["lines"][0]["stock_checked"] is True  # 5 of at least 10


def test_one_offer_twice_in_an_order_is_refused(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    beta = offer_of(offers, "beta")

    # 2 + 2 of a stock of 3: each line alone would pass the stock check
    answer = post(shop, shop.retail_id, [order_line(beta, 2), order_line(beta, 2)])

    assert answer.status_code == 422
    assert answer.json() == problem("order refused", 422, [
        line_problem(2, beta, "repeated",
                     "the same offer as line 1: order it once, with the whole qty"),
    ])  # fmt: skip


def test_an_offer_no_longer_there_refuses_the_order(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    alpha = offer_of(offers, "alpha")
    made_up = order_line(alpha, 1, row=999)
    moved = order_line(alpha, 1, warehouse="Тверь")

    answer = post(shop, shop.retail_id, [order_line(alpha, 1), made_up, moved])

    assert answer.status_code == 409
    assert answer.json() == problem("order refused", 409, [
        line_problem(2, alpha, "gone", "no longer offered"),
        line_problem(3, alpha, "gone", "no longer offered"),
    ])  # fmt: skip
    assert count_rows(shop) == (0, 0)


def reload_alpha(install: Install, tmp_path: Path, text: str) -> str:
    """Alpha sends a new price list; the id of its new live load."""
    path = tmp_path / f"alpha-{len(text)}.csv"
    path.write_text(text, encoding="utf-8")
    report = ingest(path, supplier_id="alpha", settings=install.settings)
    assert report.status == "published", report
    return str(report.load_id)


def test_a_reloaded_price_list_keeps_its_unchanged_lines_orderable(
    shop: Shop, install: Install, tmp_path: Path
) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    seen = offer_of(offers, "alpha")
    text = (DATA / "alpha.csv").read_text(encoding="utf-8")
    # a new line on top: the filter is the same offer, one row further down
    header, rest = text.split("\n", 1)
    load_id = reload_alpha(
        install, tmp_path, f"{header}\nNGK;BKR6E;Свеча зажигания;150,00;40;1\n{rest}"
    )
    now = offer_of(
        quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id), "alpha"
    )

    answer = post(shop, shop.retail_id, [order_line(seen, 2, price_seen=seen["price"])])

    assert (now["load_id"], now["row"]) == (load_id, seen["row"] + 1)
    assert load_id != seen["load_id"]
    assert answer.status_code == 201, answer.text
    (line,) = without_times(answer.json())["lines"]
    assert line == saved_line(now, 1, 2)  # the snapshot names the new load and row


def test_a_reloaded_price_list_with_a_new_price_says_the_new_price(
    shop: Shop, install: Install, tmp_path: Path
) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    seen = offer_of(offers, "alpha")
    text = (DATA / "alpha.csv").read_text(encoding="utf-8")
    reload_alpha(install, tmp_path, text.replace("405,45;12;1", "505,45;1;1"))
    now = offer_of(
        quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id), "alpha"
    )

    answer = post(shop, shop.retail_id, [order_line(seen, 2, price_seen=seen["price"])])

    assert answer.status_code == 409
    assert answer.json() == problem("order refused", 409, [
        line_problem(1, seen, "over_stock", "only 1 in stock, 2 asked", stock=1),
        line_problem(1, seen, "price_changed",
                     f"price changed from {seen['price']} to {now['price']}",
                     price_seen=seen["price"], price=now["price"]),
    ])  # fmt: skip
    assert count_rows(shop) == (0, 0)


def test_a_line_gone_from_the_reloaded_price_list_is_gone(
    shop: Shop, install: Install, tmp_path: Path
) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    seen = offer_of(offers, "alpha")
    text = (DATA / "alpha.csv").read_text(encoding="utf-8")
    reload_alpha(
        install, tmp_path, text.replace("BOSCH;0 986 452 041", "BOSCH;0 986 452 042")
    )

    answer = post(shop, shop.retail_id, [order_line(seen, 1)])

    assert answer.status_code == 409
    assert answer.json() == problem(
        "order refused", 409, [line_problem(1, seen, "gone", "no longer offered")]
    )


ANALOG_RULES = RuleSet(
    rules=[
        Rule(id="base", percent=Decimal(10)),
        Rule(id="analogs", analog=True, percent=Decimal(50)),
    ],
    client_groups=[ClientGroup(id="retail", name="Розница"),
                   ClientGroup(id="wholesale", name="Опт")],
)  # fmt: skip


def test_an_analog_is_ordered_at_its_analog_price(
    install: Install, tmp_path: Path
) -> None:
    seed_rules(install.settings, ANALOG_RULES, install.pricing)
    stocked = tmp_path / "alpha.csv"  # the analog in stock this time
    stocked.write_text(
        "Бренд;Артикул;Наименование;Цена;Наличие;Кратность\n"
        "BOSCH;0 986 452 041;Фильтр масляный;405,45;12;1\n"
        "MANN;W 712/75;Фильтр масляный MANN;350,00;10;2\n",
        encoding="utf-8",
    )
    assert ingest(stocked, supplier_id="alpha", settings=install.settings).status == (
        "published"
    )
    with opened(install) as shop:
        answer = shop.client.get(
            "/api/quotes",
            params={"article": "0986452041", "brand": "BOSCH",
                    "client_id": shop.retail_id, "online": False},
        ).json()  # fmt: skip
        analog = next(x for x in answer["lines"]
                      if x["match"] != "exact" and (x["qty"] or 0) >= x["multiplicity"])  # fmt: skip
        alone = quote_lines(shop, analog["article"], analog["brand"],
                            client_id=shop.retail_id)  # fmt: skip
        as_exact = next(x for x in alone if x["row"] == analog["row"]
                        and x["supplier_id"] == analog["supplier_id"])  # fmt: skip
        asked = analog["via"][0]["from"]
        step = analog["multiplicity"]
        line = order_line(analog, step, price_seen=analog["price"],
                          asked_brand=asked["brand"], asked_article=asked["article"])  # fmt: skip
        placed = post(shop, shop.retail_id, [line])
        unasked = post(shop, shop.retail_id,
                       [order_line(analog, step, price_seen=analog["price"])],
                       key="k2")  # fmt: skip

    assert (analog["rule"], as_exact["rule"]) == ("analogs", "base")
    assert analog["price"] != as_exact["price"]
    assert placed.status_code == 201, placed.text
    assert placed.json()["lines"][0]["price"] == analog["price"]
    # without the part it was found for, it is priced as the part itself
    assert unasked.status_code == 409
    assert unasked.json()["title"] == "prices changed: review and submit again"


def test_an_analog_line_names_both_the_brand_and_the_article_it_was_found_for(
    shop: Shop,
) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    half = order_line(offer_of(offers, "alpha"), 1, asked_brand="BOSCH")
    blank = order_line(offer_of(offers, "alpha"), 1, asked_brand=" ",
                       asked_article="0986452041")  # fmt: skip

    answers = [post(shop, shop.retail_id, [line], key=f"k-{n}")
               for n, line in enumerate((half, blank))]  # fmt: skip

    for answer in answers:
        assert answer.status_code == 422
        assert "both `asked_brand` and `asked_article`" in answer.json()["problems"][0]
    assert count_rows(shop) == (0, 0)


def test_a_price_list_line_must_name_its_load_and_row(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    line = order_line(offer_of(offers, "alpha"), 1, load_id=None)

    answer = post(shop, shop.retail_id, [line])

    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        "body.lines.0: Value error, a `pricelist` line needs its `load_id` and `row`"
    ]


def test_an_unknown_client_is_404(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)

    answer = post(shop, 999, [order_line(offer_of(offers, "alpha"), 1)])

    assert (answer.status_code, answer.json()["detail"]) == (404, "no client 999")


def test_an_online_line_is_priced_by_asking_the_supplier_again(
    install: Install,
) -> None:
    with DemoSupplierServer(ONLINE_STOCK) as server:
        install.add_online("fast", server)
        with opened(install) as shop:
            lines = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id,
                                online=True)  # fmt: skip
            online = offer_of(lines, "fast")
            answer = post(shop, shop.retail_id, [order_line(online, 12)])
        asked = server.request_count

    assert answer.status_code == 201, answer.text
    (line,) = answer.json()["lines"]
    assert (line["supplier_id"], line["source"], line["price"], line["qty"]) == (
        "fast",
        "online",
        online["price"],
        12,
    )
    assert (line["stock_checked"], asked) == (False, 2)  # `>10`; the quote, the order


# checking an order without placing it -----------------------------------------


def check(shop: Shop, client_id: int, lines: list[dict[str, Any]], **more: Any) -> Any:
    return shop.client.post(
        "/api/orders/check", json={"client_id": client_id, "lines": lines}, **more
    )


def checked_line(
    position: int, asked: dict[str, Any], offer: dict[str, Any] | None
) -> dict[str, Any]:
    """A line of `POST /api/orders/check`'s answer for an order line."""
    keys = ("brand", "article", "supplier_id", "source", "warehouse", "qty",
            "price_seen")  # fmt: skip
    return {"position": position, **{k: asked.get(k) for k in keys}, "offer": offer}


def test_a_cart_priced_at_retail_is_checked_for_the_client_chosen_later(
    shop: Shop,
) -> None:
    retail = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    wholesale = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.wholesale_id)
    cart = [order_line(offer_of(retail, s), q, price_seen=offer_of(retail, s)["price"])
            for s, q in (("alpha", 2), ("beta", 1))]  # fmt: skip
    alpha, beta = offer_of(wholesale, "alpha"), offer_of(wholesale, "beta")

    answer = check(shop, shop.wholesale_id, cart)

    assert answer.status_code == 200, answer.text
    total = Decimal(alpha["price"]) * 2 + Decimal(beta["price"])
    assert answer.json() == {
        "orderable": False, "client_group": "wholesale", "department": "msk",
        "total": f"{total:.2f}",
        "lines": [checked_line(1, cart[0], alpha), checked_line(2, cart[1], beta)],
        "problems": [
            line_problem(n, new, "price_changed",
                         f"price changed from {seen['price_seen']} to {new['price']}",
                         price_seen=seen["price_seen"], price=new["price"])
            for n, seen, new in ((1, cart[0], alpha), (2, cart[1], beta))
        ],
    }  # fmt: skip
    assert count_rows(shop) == (0, 0)
    again = [dict(line, price_seen=o["price"])
             for line, o in zip(cart, (alpha, beta), strict=True)]  # fmt: skip
    assert check(shop, shop.wholesale_id, again).json()["orderable"] is True
    assert post(shop, shop.wholesale_id, again).status_code == 201


def test_a_check_lists_every_problem_of_every_line_and_saves_nothing(
    shop: Shop,
) -> None:
    bosch = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    mann = quote_lines(shop, "W71275", "MANN-FILTER", client_id=shop.retail_id)
    alpha, beta, mann_alpha = offer_of(bosch, "alpha"), offer_of(bosch, "beta"), mann[0]
    lines = [order_line(mann_alpha, 3), order_line(beta, 5),
             order_line(alpha, 1, row=999), order_line(beta, 1)]  # fmt: skip

    answer = check(shop, shop.retail_id, lines)

    assert answer.status_code == 200, answer.text
    total = Decimal(mann_alpha["price"]) * 3 + Decimal(beta["price"]) * (5 + 1)
    assert answer.json() == {
        "orderable": False, "client_group": "retail", "department": "msk",
        "total": f"{total:.2f}",  # of the lines offered, problems or not
        "lines": [checked_line(1, lines[0], mann_alpha),
                  checked_line(2, lines[1], beta),
                  checked_line(3, lines[2], None),
                  checked_line(4, lines[3], beta)],
        "problems": [
            line_problem(1, mann_alpha, "multiplicity",
                         "qty 3 is not a multiple of 2: order 2 or 4",
                         multiplicity=2, nearest=[2, 4]),
            line_problem(1, mann_alpha, "out_of_stock", "out of stock"),
            line_problem(2, beta, "over_stock", "only 3 in stock, 5 asked", stock=3),
            line_problem(3, alpha, "gone", "no longer offered"),
            line_problem(4, beta, "repeated",
                         "the same offer as line 2: order it once, with the whole qty"),
        ],
    }  # fmt: skip
    assert count_rows(shop) == (0, 0)


def test_a_check_of_a_quantity_below_one_names_it_and_adds_nothing(
    shop: Shop,
) -> None:
    bosch = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    alpha, beta = offer_of(bosch, "alpha"), offer_of(bosch, "beta")

    answer = check(shop, shop.retail_id, [order_line(beta, 1), order_line(alpha, -1)])

    assert answer.status_code == 200, answer.text
    assert (answer.json()["orderable"], answer.json()["total"]) == (
        False, f"{Decimal(beta['price']):.2f}")  # fmt: skip
    assert [(p["position"], p["code"]) for p in answer.json()["problems"]] == [
        (2, "bad_qty")
    ]


def test_a_cart_without_a_client_is_checked_at_the_prices_of_no_client(
    shop: Shop,
) -> None:
    plain = shop.client.get(
        "/api/quotes", params={"article": "0986452041", "brand": "BOSCH",
                               "analogs": False, "online": False},
    ).json()["lines"]  # fmt: skip
    bulk = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.wholesale_id)
    beta, bulk_beta = offer_of(plain, "beta"), offer_of(bulk, "beta")
    assert beta["price"] != bulk_beta["price"]  # the group's terms tell

    answer = shop.client.post(
        "/api/orders/check",
        json={"lines": [order_line(bulk_beta, 1, price_seen=bulk_beta["price"])]},
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["client_group"] is None
    assert answer.json()["lines"][0]["offer"]["price"] == beta["price"]
    assert [p["code"] for p in answer.json()["problems"]] == ["price_changed"]
    placed = shop.client.post(
        "/api/orders", json={"lines": [order_line(beta, 1)]},
        headers={"Idempotency-Key": "no-client"},
    )  # fmt: skip
    assert placed.status_code == 422  # an order still needs its client
    assert count_rows(shop) == (0, 0)


def test_a_check_needs_a_sign_in_and_a_pages_csrf_token_but_no_order_right(
    shop: Shop,
) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    lines = [order_line(offer_of(offers, "alpha"), 1)]
    analyst = sign_in(shop.client, role="analyst", login="olga", department="msk")
    by_analyst = check(shop, shop.retail_id, lines, headers=analyst)
    issued = page_session(shop.client, "anna")

    without_token = check(shop, shop.retail_id, lines)
    with_token = check(shop, shop.retail_id, lines,
                       headers={"X-CSRF-Token": issued.csrf or ""})  # fmt: skip

    assert by_analyst.status_code == 200, by_analyst.text
    assert (without_token.status_code, without_token.json()["detail"]) == (
        403, "a page write needs the session's `X-CSRF-Token` header",
    )  # fmt: skip
    assert (with_token.status_code, with_token.json()["orderable"]) == (200, True)


# idempotency -----------------------------------------------------------------------


def test_the_same_key_again_answers_the_same_order(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    lines = [order_line(offer_of(offers, "alpha"), 2)]

    first = post(shop, shop.retail_id, lines, key="retry-me")
    again = post(shop, shop.retail_id, lines, key="retry-me")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["idempotent-replay"] == "true"
    assert again.json() == first.json()
    assert count_rows(shop) == (1, 1)


def test_a_key_reused_for_another_order_is_refused(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    first = post(shop, shop.retail_id, [order_line(offer_of(offers, "alpha"), 2)])

    other = post(shop, shop.retail_id, [order_line(offer_of(offers, "alpha"), 3)])

    assert other.status_code == 422
    assert other.json() == {
        "type": "about:blank",
        "title": "Idempotency-Key reused for a different order",
        "status": 422,
        "detail": "1 problem(s); nothing was saved",
        "problems": [
            f"`Idempotency-Key` `key-1` was used for order {first.json()['id']} "
            "with other lines: send a new key for a new order"
        ],
    }
    assert count_rows(shop) == (1, 1)


def test_an_order_needs_an_idempotency_key(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    body = {"client_id": shop.retail_id,
            "lines": [order_line(offer_of(offers, "alpha"), 1)]}  # fmt: skip

    missing = shop.client.post("/api/orders", json=body)
    too_long = shop.client.post(
        "/api/orders", json=body, headers={"Idempotency-Key": "k" * 81}
    )

    assert (missing.status_code, too_long.status_code) == (422, 422)
    assert missing.json()["problems"] == ["header.idempotency-key: Field required"]
    assert count_rows(shop) == (0, 0)


class GatedEngine:
    """A quote engine whose searches wait until `parties` have started one, so
    that concurrent orders are all past their idempotency check first."""

    def __init__(self, engine: QuoteEngine, parties: int) -> None:
        self.engine = engine
        self.barrier = threading.Barrier(parties)

    async def search_async(self, request: QuoteRequest) -> QuoteAnswer:
        await asyncio.to_thread(self.barrier.wait, 10)
        return await self.engine.search_async(request)

    def __getattr__(self, name: str) -> Any:  # the rest as the engine has it
        return getattr(self.engine, name)


def test_two_concurrent_orders_with_one_key_make_one_order(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=logic.__name__)
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    lines = [order_line(offer_of(offers, "alpha"), 2)]
    shop.app.state.quotes = GatedEngine(shop.app.state.quotes, parties=2)
    answers: list[Any] = []

    def submit() -> None:
        answers.append(post(shop, shop.retail_id, lines, key="double-click"))

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(a.status_code for a in answers) == [200, 201], [
        a.text for a in answers
    ]
    replay = next(a for a in answers if a.status_code == 200)
    assert replay.headers["idempotent-replay"] == "true"
    assert answers[0].json() == answers[1].json()
    assert count_rows(shop) == (1, 1)
    # both passed the lookup: the unique (user, key) constraint decided
    assert "idempotent race lost" in caplog.messages


# reading, statuses, audit, rights ---------------------------------------------------


def test_orders_are_listed_newest_first_and_filtered(shop: Shop) -> None:
    first = place(shop, key="a", client_id=shop.retail_id)
    second = place(shop, key="b")
    third = place(shop, key="c")
    moved = shop.client.post(f"/api/orders/{third['id']}/status",
                             json={"status": "confirmed"})  # fmt: skip
    assert moved.status_code == 200, moved.text

    every = shop.client.get("/api/orders").json()
    wholesale = shop.client.get("/api/orders", params={"client_id": shop.wholesale_id})
    new = shop.client.get("/api/orders", params={"status": "new", "limit": 1})

    def summary(order: dict[str, Any], status: str = "new") -> dict[str, Any]:
        keys = ("id", "client_id", "client_name", "user_login", "user_name",
                "department", "client_group", "total", "created_at")  # fmt: skip
        return {**{k: order[k] for k in keys}, "status": status, "line_count": 1}

    assert every == {
        "orders": [summary(third, "confirmed"), summary(second), summary(first)],
        "truncated": False,
    }
    assert [o["id"] for o in wholesale.json()["orders"]] == [third["id"], second["id"]]
    assert new.json() == {"orders": [summary(second)], "truncated": True}
    assert shop.client.get("/api/orders", params={"limit": 201}).status_code == 422


def test_one_order_is_read_with_its_lines(shop: Shop) -> None:
    placed = place(shop)

    read = shop.client.get(f"/api/orders/{placed['id']}")
    missing = shop.client.get("/api/orders/999")

    assert (read.status_code, read.json()) == (200, placed)
    assert (missing.status_code, missing.json()["detail"]) == (404, "no order 999")


def test_statuses_move_on_one_step_at_a_time(shop: Shop) -> None:
    order_id = place(shop)["id"]
    path = f"/api/orders/{order_id}/status"

    skipped = shop.client.post(path, json={"status": "issued"})
    steps = [
        shop.client.post(path, json={"status": s}).json()
        for s in ("confirmed", "ordered", "received", "issued")
    ]
    late = shop.client.post(path, json={"status": "cancelled"})
    unknown = shop.client.post(path, json={"status": "lost"})

    assert (skipped.status_code, skipped.json()) == (409, {
        "type": "about:blank", "title": "status change refused", "status": 409,
        "detail": "1 problem(s); nothing was saved",
        "problems": [f"order {order_id} is `new` and cannot become `issued` "
                     "(allowed next: `confirmed`, `cancelled`)"],
        "code": "status_not_allowed", "order_status": "new",
        "requested_status": "issued",
    })  # fmt: skip
    assert [(s["status"], s["version"], s["next_statuses"]) for s in steps] == [
        ("confirmed", 2, ["ordered", "cancelled"]),
        ("ordered", 3, ["received", "cancelled"]),
        ("received", 4, ["issued", "cancelled"]),
        ("issued", 5, []),
    ]
    assert (late.status_code, late.json()["problems"]) == (409, [
        f"order {order_id} is `issued` and cannot become `cancelled` "
        "(allowed next: none: it is final)"
    ])  # fmt: skip
    assert unknown.status_code == 422


def test_an_order_is_cancelled_before_it_is_issued(shop: Shop) -> None:
    order_id = place(shop)["id"]
    path = f"/api/orders/{order_id}/status"

    confirmed = shop.client.post(path, json={"status": "confirmed"})
    cancelled = shop.client.post(path, json={"status": "cancelled"})
    again = shop.client.post(path, json={"status": "confirmed"})

    assert [a.status_code for a in (confirmed, cancelled, again)] == [200, 200, 409]
    assert cancelled.json()["status"] == "cancelled"


def test_a_status_change_from_a_stale_version_is_refused(shop: Shop) -> None:
    order = place(shop)
    path = f"/api/orders/{order['id']}/status"

    confirmed = shop.client.post(path, json={"status": "confirmed",
                                             "version": order["version"]})  # fmt: skip
    stale = shop.client.post(path, json={"status": "cancelled",
                                         "version": order["version"]})  # fmt: skip
    current = shop.client.post(path, json={"status": "cancelled",
                                           "version": confirmed.json()["version"]})  # fmt: skip

    assert confirmed.status_code == 200
    assert (stale.status_code, stale.json()["code"], stale.json()["order_status"]) == (
        409, "order_changed", "confirmed")  # fmt: skip
    assert stale.json()["problems"] == [
        f"order {order['id']} is at version 2 (`confirmed`), not the version 1 "
        "shown: look at it again"
    ]
    assert (current.status_code, current.json()["status"]) == (200, "cancelled")


def test_the_audit_names_the_manager_for_every_row(shop: Shop) -> None:
    order_id = place(shop)["id"]
    shop.client.post(f"/api/orders/{order_id}/status", json={"status": "confirmed"})

    with shop.database.sessions() as session:
        heads, _ = audit.entries(session, table="customer_orders")
        lines, _ = audit.entries(session, table="customer_order_lines")

    assert [(e.action, e.who, e.via, e.row_id) for e in heads] == [
        ("update", "anna", "api", str(order_id)),
        ("insert", "anna", "api", str(order_id)),
    ]
    assert ((heads[0].old or {})["status"], (heads[0].new or {})["status"]) == (
        "new",
        "confirmed",
    )
    assert [(e.action, e.who, (e.new or {})["order_id"]) for e in lines] == [
        ("insert", "anna", order_id)
    ]


def test_an_analyst_reads_orders_but_places_none(shop: Shop) -> None:
    placed = place(shop)
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    analyst = sign_in(shop.client, role="analyst", login="olga", department="msk")

    posted = post(shop, shop.retail_id, [order_line(offer_of(offers, "alpha"), 1)],
                  key="olga-1", headers=analyst)  # fmt: skip
    moved = shop.client.post(f"/api/orders/{placed['id']}/status",
                             json={"status": "confirmed"}, headers=analyst)  # fmt: skip
    listed = shop.client.get("/api/orders", headers=analyst)
    read = shop.client.get(f"/api/orders/{placed['id']}", headers=analyst)
    sheet = shop.client.get(f"/api/orders/{placed['id']}/export.xlsx", headers=analyst)

    assert (posted.status_code, posted.json()["detail"]) == (
        403,
        "role `analyst` may not do this (needs `orders.write`)",
    )
    assert moved.status_code == 403
    assert [a.status_code for a in (listed, read, sheet)] == [200, 200, 200]
    assert read.json() == placed
    assert count_rows(shop) == (1, 1)


def test_the_workbook_shows_the_client_its_prices_only(shop: Shop) -> None:
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.wholesale_id)
    alpha, beta = offer_of(offers, "alpha"), offer_of(offers, "beta")
    placed = post(shop, shop.wholesale_id,
                  [order_line(alpha, 2), order_line(beta, 1)]).json()  # fmt: skip

    answer = shop.client.get(f"/api/orders/{placed['id']}/export.xlsx")

    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="order-{placed["id"]}.xlsx"; '
        f"filename*=UTF-8''order-{placed['id']}.xlsx"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    moscow = ZoneInfo("Europe/Moscow")  # PARTS_TIMEZONE's default
    date = dt.datetime.fromisoformat(placed["created_at"]).astimezone(moscow)
    blank = (None,) * 8
    assert rows == [
        (f"Заказ № {placed['id']} от {date:%d.%m.%Y}", *blank),
        ("Клиент: ООО Ромашка", *blank),
        ("Статус: Новый", *blank),
        (None, *blank),
        ("№", "Бренд", "Артикул", "Наименование", "Кол-во", "Цена, ₽", "Сумма, ₽",
         "Срок от, дн.", "Срок до, дн."),
        (1, "BOSCH", "0 986 452 041", "Фильтр масляный", 2, float(alpha["price"]),
         float(rub(alpha["price"], 2)), 1, 2),
        (2, "BOSCH", "0986452041", "Фильтр масляный", 1, float(beta["price"]),
         float(beta["price"]), 5, 7),
        (None, None, None, "Итого", None, None, float(placed["total"]), None, None),
    ]  # fmt: skip
    cells = {str(c) for row in rows for c in row if c is not None}
    purchases = {alpha["purchase_price"], beta["purchase_price"]}
    assert not cells & (purchases | {str(float(p)) for p in purchases})
    assert not cells & {"alpha", "beta", "Альфа", "Бета"}


def test_a_cancelled_orders_workbook_says_it_is_cancelled(shop: Shop) -> None:
    order_id = place(shop)["id"]
    shop.client.post(f"/api/orders/{order_id}/status", json={"status": "cancelled"})

    answer = shop.client.get(f"/api/orders/{order_id}/export.xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    assert [sheet.cell(row=r, column=1).value for r in (2, 3)] == [
        "Клиент: ООО Ромашка", "Статус: Отменён",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Europe/Moscow", "04.12.2026 23:30"), ("Asia/Yekaterinburg", "05.12.2026 01:30")],
)
def test_order_pages_and_the_workbook_show_the_time_in_parts_timezone(
    install: Install, zone: str, shown: str
) -> None:
    with opened(install) as shop:
        order_id = place(shop)["id"]
        with shop.database.sessions() as session, transaction(session):
            order = session.get(CustomerOrder, order_id)
            assert order is not None
            order.created_at = dt.datetime(2026, 12, 4, 20, 30, tzinfo=dt.UTC)
    settings = install.settings.model_copy(update={"timezone": zone})
    with TestClient(create_app(settings)) as client:
        page_session(client, "anna")
        api = client.get(f"/api/orders/{order_id}").json()
        pages = [
            client.get(url).text for url in ("/ui/orders", f"/ui/orders/{order_id}")
        ]
        book = client.get(f"/api/orders/{order_id}/export.xlsx").content

    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    assert sheet is not None
    assert api["created_at"] == "2026-12-04T20:30:00Z"  # the API keeps UTC
    assert [shown in page for page in pages] == [True, True]
    assert sheet["A1"].value == f"Заказ № {order_id} от {shown[:10]}"


# plain functions -------------------------------------------------------------------


def offer(**changes: Any) -> dict[str, Any]:
    """A quote line as the engine gives it (only the keys orders read)."""
    return {
        "brand": "BOSCH", "article": "0986452041", "name": "Фильтр",
        "supplier_id": "fast", "source": "online", "warehouse": "Онлайн-склад",
        "qty": 5, "qty_approx": False, "multiplicity": 1, "price": "500.00",
        "price_reason": None, "load_id": None, "row": None,
        **changes,
    }  # fmt: skip


def online_line(**changes: Any) -> OrderLineIn:
    fields = {"brand": "BOSCH", "article": "0986452041", "supplier_id": "fast",
              "source": "online", "warehouse": "Онлайн-склад", "qty": 1}  # fmt: skip
    return OrderLineIn.model_validate({**fields, **changes})


def answer_of(*lines: dict[str, Any], failed: Any = ()) -> dict[str, Any]:
    return {"lines": list(lines), "suppliers_failed": list(failed)}


def test_an_online_line_takes_the_suppliers_cheapest_offer_at_that_warehouse() -> None:
    offers = [
        offer(price="520.00", qty=9),
        offer(price="480.00", qty=2),
        offer(price="300.00", warehouse="Другой склад"),
        offer(price="100.00", supplier_id="slow"),
        offer(price=None, price_reason="no rate"),
    ]

    priced = logic.price_line(1, online_line(), answer_of(*offers))

    assert priced == logic.PricedLine(1, 1, offers[1], stock_checked=True)


def price_list_line(**changes: Any) -> OrderLineIn:
    fields = {"brand": "BOSCH", "article": "0986452041", "supplier_id": "alpha",
              "source": "pricelist", "warehouse": "Москва", "load_id": "old",
              "row": 5, "qty": 1}  # fmt: skip
    return OrderLineIn.model_validate({**fields, **changes})


def rows_of_a_new_load(*rows: tuple[int, str | None]) -> list[dict[str, Any]]:
    """Several rows of one identity in alpha's new load: (row, price)."""
    return [
        offer(supplier_id="alpha", source="pricelist", warehouse="Москва",
              load_id="new", row=row, price=price)
        for row, price in rows
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "rows", "taken"),
    [
        # the load the line was seen in is still live: its own row, or none
        (price_list_line(load_id="new", row=7), [(5, "480.00"), (7, "520.00")], 7),
        (price_list_line(load_id="new", row=9), [(5, "480.00"), (7, "520.00")], None),
        # a new load: the same row number while it is still that part
        (price_list_line(price_seen="480.00"), [(5, "520.00"), (7, "480.00")], 5),
        # else the price closest to the one seen, the cheaper on a tie
        (price_list_line(price_seen="500.00"), [(6, "450.00"), (7, "510.00")], 7),
        (price_list_line(price_seen="500.00"), [(6, "510.00"), (7, "490.00")], 7),
        # else the cheapest
        (price_list_line(), [(6, "520.00"), (7, "480.00"), (8, None)], 7),
        (price_list_line(), [(8, None)], 8),
        (price_list_line(), [], None),
    ],
    ids=["same-load", "same-load-no-row", "same-row", "closest", "closest-tie",
         "cheapest", "unpriced", "none"],
)  # fmt: skip
def test_a_price_list_line_of_an_older_load_takes_the_likeliest_live_row(
    line: OrderLineIn, rows: list[dict[str, Any]], taken: int | None
) -> None:
    offers = rows_of_a_new_load(*rows)

    found = logic.match_offer(line, offers)

    assert (found or {}).get("row") == taken


def test_an_offer_without_a_price_refuses_with_the_reason() -> None:
    line = online_line()

    problems = logic.price_line(
        1, line, answer_of(offer(price=None, price_reason="no rate for `USD`"))
    )

    assert problems == [
        logic.LineProblem(1, line, "no_price", "no price: no rate for `USD`")
    ]


def test_a_supplier_that_did_not_answer_is_named_not_gone() -> None:
    failed = [{"supplier_id": "fast", "status": "timeout", "reason": "2.5 s"}]

    problems = logic.price_line(1, online_line(), answer_of(failed=failed))

    assert isinstance(problems, list)
    assert [p.text() for p in problems] == [
        "line 1 (BOSCH 0986452041, supplier `fast`): "
        "the supplier did not answer (timeout): try again"
    ]


def test_the_request_hash_is_one_for_one_order() -> None:
    body = {"client_id": 1, "lines": [online_line(price_seen=Decimal("570"))]}
    same = {"client_id": 1, "lines": [online_line(price_seen=Decimal("570.00"))]}
    more = {"client_id": 1, "lines": [online_line(qty=2)]}

    hashes = [logic.request_hash(OrderIn.model_validate(b)) for b in (body, same, more)]

    assert hashes[0] == hashes[1] != hashes[2]
    assert len(hashes[0]) == 64


def test_a_department_named_changes_the_hash_an_unnamed_one_does_not() -> None:
    body = {"client_id": 1, "lines": [online_line()]}
    before = hashlib.sha256(
        json.dumps(
            OrderIn.model_validate(body).model_dump(
                mode="json", include={"client_id", "lines", "note"}
            ),
            sort_keys=True, separators=(",", ":"), ensure_ascii=False,
        ).encode()
    ).hexdigest()  # fmt: skip

    unnamed = logic.request_hash(OrderIn.model_validate(body))
    named = logic.request_hash(OrderIn.model_validate({**body, "department": "spb"}))

    assert unnamed == before  # keys of orders placed earlier still replay
    assert named != unnamed


def test_money_is_kept_in_kopecks() -> None:
    assert [logic.kopecks(p) for p in ("570.00", "0.01", "1234.5")] == [
        57000,
        1,
        123450,
    ]
    assert [logic.rub_text(k) for k in (57000, 1, 123450, 0)] == [
        "570.00",
        "0.01",
        "1234.50",
        "0.00",
    ]


def test_status_labels_cover_every_status_in_both_languages() -> None:
    assert {lang: set(labels) for lang, labels in logic.STATUS_LABELS.items()} == {
        "ru": set(logic.STATUSES),
        "en": set(logic.STATUSES),
    }
    assert logic.STATUS_LABELS["ru"]["ordered"] == "Заказан у поставщика"


HUGE = 99999999999999999999  # past any integer column, on both backends


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", f"/api/orders/{HUGE}", None),
        ("GET", f"/api/orders/{HUGE}/export.xlsx", None),
        ("POST", f"/api/orders/{HUGE}/status", {"status": "cancelled"}),
        ("GET", f"/api/clients/{HUGE}", None),
        ("GET", f"/api/orders?client_id={2**31}", None),
        ("GET", f"/api/quotes?article=0986452041&brand=BOSCH&client_id={HUGE}", None),
        ("POST", "/api/orders/check", {"client_id": HUGE, "lines": []}),
    ],
)  # fmt: skip
def test_an_id_no_row_can_have_is_bad_input_not_a_crash(
    shop: Shop, method: str, url: str, body: dict[str, Any] | None
) -> None:
    answer = shop.client.request(method, url, json=body)

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "less than or equal to 2147483647" in answer.json()["detail"]


def test_an_error_nobody_foresaw_is_a_problem_or_a_page_not_plain_text(
    install: Install,
) -> None:
    app = create_app(install.settings)

    def broken() -> None:
        raise RuntimeError("secret inner words")

    app.add_api_route("/api/broken", broken)
    app.add_api_route("/ui/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        sign_in(client, role="manager", login="anna", department="msk")
        api = client.get("/api/broken")
        ui = client.get("/ui/broken", headers={"Accept": "text/html"})

    assert (api.status_code, api.headers["content-type"]) == (
        500, "application/problem+json",
    )  # fmt: skip
    assert "secret" not in api.text
    assert ui.status_code == 500 and ui.headers["content-type"].startswith("text/html")
    assert "Ошибка на сервере" in ui.text and "secret" not in ui.text
