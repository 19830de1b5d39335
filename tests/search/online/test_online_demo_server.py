"""Online suppliers over real HTTP: the demo supplier on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from search.online.client import OnlineClients, OnlineResult
from search.online.config import OnlineSupplier
from search.online.demo_server import DEMO_STOCK, DemoSupplierServer

REPO = Path(__file__).resolve().parents[3]
BOSCH = ("BOSCH", "0986452041")
MERCEDES = ("MERCEDES-BENZ", "A0001802609")


def supplier_at(url: str, supplier_id: str, **overrides: Any) -> OnlineSupplier:
    data: dict[str, Any] = {
        "id": supplier_id,
        "url": url + "/api/search?article={article}&brand={brand}",
        "items": "data.items",
        "fields": {
            "brand": "brand",
            "article": "article",
            "name": "name",
            "price": "price",
            "qty": "qty",
            "delivery_days": "delivery",
            "warehouse": "warehouse",
        },
    }
    data.update(overrides)
    return OnlineSupplier.model_validate(data)


@pytest.fixture
def fast() -> Iterator[DemoSupplierServer]:
    with DemoSupplierServer(token="demo-token") as server:
        yield server


@pytest.fixture
def slow() -> Iterator[DemoSupplierServer]:
    with DemoSupplierServer(latency_ms=2000) as server:
        yield server


def online_for(*suppliers: OnlineSupplier) -> OnlineClients:
    return OnlineClients({s.id: s for s in suppliers})


def by_supplier(results: list[OnlineResult]) -> dict[str, OnlineResult]:
    return {r.supplier_id: r for r in results}


def bearer(token: str) -> dict[str, Any]:
    return {"kind": "bearer", "token": token}


def test_the_fast_supplier_answers_and_the_slow_one_times_out_by_the_deadline(
    fast: DemoSupplierServer, slow: DemoSupplierServer
) -> None:
    online = online_for(
        supplier_at(fast.url, "fast", auth=bearer("demo-token")),
        supplier_at(slow.url, "slow", timeout_s=0.5),
    )

    started = time.monotonic()
    results = by_supplier(online.query_sync([MERCEDES], deadline_s=1.0))
    elapsed = time.monotonic() - started

    assert elapsed < 1.0 + 0.5  # an outcome bound: the call did not wait for 2 s
    [offer] = results["fast"].offers
    assert (offer.brand, offer.brand_raw, offer.price) == (
        "MERCEDES-BENZ",
        "MB",
        Decimal("2040.74"),
    )
    assert (results["slow"].status, results["slow"].error) == (
        "timeout",
        "timed out after 0.5 s",
    )


def test_a_deadline_shorter_than_the_supplier_timeout_cuts_the_request(
    slow: DemoSupplierServer,
) -> None:
    online = online_for(supplier_at(slow.url, "slow", timeout_s=5.0))

    started = time.monotonic()
    [result] = online.query_sync([BOSCH], deadline_s=0.3)
    elapsed = time.monotonic() - started

    assert elapsed < 0.3 + 0.5
    assert (result.status, result.error) == (
        "timeout",
        "timed out after 0.3 s (query deadline)",
    )


def test_a_hanging_supplier_does_not_hold_the_call_past_the_deadline(
    fast: DemoSupplierServer,
) -> None:
    fast.control(mode="hang")
    online = online_for(supplier_at(fast.url, "hang", auth=bearer("demo-token")))

    started = time.monotonic()
    [result] = asyncio.run(online.query([BOSCH], deadline_s=0.3))

    assert time.monotonic() - started < 0.3 + 0.5
    assert result.status == "timeout"


@pytest.mark.parametrize(
    ("mode", "token", "status", "error"),
    [
        ("error500", "demo-token", "error", "HTTP 500"),
        ("bad_json", "demo-token", "error", "bad JSON: "),
        ("auth", "demo-token", "error", "login refused (HTTP 401)"),
        ("ok", None, "error", "login refused (HTTP 401)"),
        ("ok", "wrong", "error", "login refused (HTTP 401)"),
    ],
)
def test_server_failures_give_a_short_reason(
    fast: DemoSupplierServer, mode: str, token: str | None, status: str, error: str
) -> None:
    fast.control(mode=mode)
    auth = bearer(token) if token else {"kind": "none"}
    online = online_for(supplier_at(fast.url, "demo", auth=auth))

    [result] = online.query_sync([BOSCH], deadline_s=2)

    assert result.status == status
    assert result.error is not None and result.error.startswith(error)


def test_a_second_query_within_the_ttl_makes_no_request(
    fast: DemoSupplierServer,
) -> None:
    online = online_for(supplier_at(fast.url, "demo", auth=bearer("demo-token")))

    [first] = online.query_sync([BOSCH], deadline_s=2)
    [second] = online.query_sync([BOSCH], deadline_s=2)

    assert (first.cached, second.cached) == (False, True)
    assert second.offers == first.offers and len(first.offers) == 1
    assert fast.request_count == 1


def test_the_mode_changes_at_runtime_through_control(fast: DemoSupplierServer) -> None:
    online = online_for(
        supplier_at(fast.url, "demo", auth=bearer("demo-token"), cache_ttl_s=0)
    )

    before = online.query_sync([BOSCH], deadline_s=2)
    changed = httpx.post(fast.url + "/_control", json={"mode": "error500"})
    after = online.query_sync([BOSCH], deadline_s=2)
    refused = httpx.post(fast.url + "/_control", json={"mode": "sleepy"})

    assert [r.status for r in before + after] == ["ok", "error"]
    assert changed.json() == {"mode": "error500", "latency_ms": 0, "requests": 1}
    assert refused.status_code == 400


def test_the_server_matches_any_spelling_and_an_optional_brand(
    fast: DemoSupplierServer,
) -> None:
    def items(**params: str) -> list[dict[str, str]]:
        reply = httpx.get(
            fast.url + "/api/search",
            params=params,
            headers={"Authorization": "Bearer demo-token"},
        )
        return list(reply.json()["data"]["items"])

    assert [i["brand"] for i in items(article="0 986 452 041")] == ["BOSCH"]
    assert [i["brand"] for i in items(article="0986452041", brand="BOSCH")] == ["BOSCH"]
    assert [i["brand"] for i in items(article="a0001802609", brand="MERCEDES")] == [
        "MB"
    ]
    assert items(article="0986452041", brand="MANN-FILTER") == []
    assert items(article="nothing") == []


def test_sync_queries_from_several_threads_share_one_cache(
    fast: DemoSupplierServer,
) -> None:
    online = online_for(supplier_at(fast.url, "demo", auth=bearer("demo-token")))
    online.query_sync([BOSCH], deadline_s=2)

    with ThreadPoolExecutor(4) as pool:
        runs = list(
            pool.map(lambda _: online.query_sync([BOSCH], deadline_s=2), range(8))
        )

    assert all(r.status == "ok" and r.cached for [r] in runs)
    assert fast.request_count == 1


def test_the_async_path_reuses_its_client_in_one_loop(fast: DemoSupplierServer) -> None:
    online = online_for(
        supplier_at(fast.url, "demo", auth=bearer("demo-token"), cache_ttl_s=0)
    )

    async def run() -> list[str]:
        async with online:
            results = await online.query([BOSCH, MERCEDES], deadline_s=2)
            results += await online.query([BOSCH], deadline_s=2)
        return [r.status for r in results]

    assert asyncio.run(run()) == ["ok", "ok", "ok"]
    assert fast.request_count == 3


def test_the_shipped_demo_configs_speak_to_the_demo_server(
    fast: DemoSupplierServer,
) -> None:
    from search.online.config import load_online_suppliers

    shipped = load_online_suppliers(REPO / "suppliers" / "online")["demo-emex"]
    pointed = shipped.model_copy(
        update={"url": shipped.url.replace("http://127.0.0.1:8010", fast.url)}
    )

    [result] = online_for(pointed).query_sync([BOSCH], deadline_s=2)

    [offer] = result.offers
    assert (offer.qty, offer.qty_approx, offer.delivery_probability) == (10, True, 92.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_demo_server_runs_as_a_process_and_stops_on_sigterm(tmp_path: Path) -> None:
    stock = tmp_path / "stock.json"
    stock.write_text(json.dumps(DEMO_STOCK[:1]), encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "search.online.demo_server", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--stock", str(stock), "--latency-ms", "5"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                state = httpx.get(url + "/_control").json()
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        else:
            pytest.fail("the demo server did not start")
        found = httpx.get(url + "/api/search", params={"article": "0986452041"}).json()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=5)

    assert state == {"mode": "ok", "latency_ms": 5, "requests": 0}
    assert [i["article"] for i in found["data"]["items"]] == ["0 986 452 041"]
    assert process.returncode == 0
    assert "demo supplier GET /api/search status=200" in stderr
