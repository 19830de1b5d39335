"""A department's people see its price lists and its orders only, through
every route, not just quote search; an admin with no department sees all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parts.settings import get_settings
from service.app import create_app
from tests.service.signin import sign_in
from tests.service.test_orders import add_clients
from tests.service.test_quotes_api import Install, make_install


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    yield make_install(tmp_path, monkeypatch)  # gamma is for `spb` only
    get_settings.cache_clear()


def _as(install: Install, role: str, department: str | None) -> TestClient:
    client = TestClient(create_app(install.settings))
    sign_in(client, role=role, login=f"{role}-{department}", department=department)
    return client


def _suppliers(body: Any) -> list[str]:
    return sorted({o["supplier_id"] for o in body})


def test_offers_suppliers_and_reports_follow_the_department(install: Install) -> None:
    msk = _as(install, "manager", "msk")
    spb = _as(install, "manager", "spb")
    admin = _as(install, "admin", None)
    offers = {"article": "0986452041", "brand": "BOSCH"}

    seen = {
        name: (
            _suppliers(c.get("/api/offers", params=offers).json()["offers"]),
            sorted(s["supplier_id"] for s in c.get("/api/suppliers").json()),
            c.get("/api/suppliers/gamma/report").status_code,
        )
        for name, c in (("msk", msk), ("spb", spb), ("admin", admin))
    }

    assert seen == {
        "msk": (["alpha", "beta"], ["alpha", "beta"], 404),
        "spb": (["alpha", "beta", "gamma"], ["alpha", "beta", "gamma"], 200),
        "admin": (["alpha", "beta", "gamma"], ["alpha", "beta", "gamma"], 200),
    }


def test_an_admin_with_no_department_searches_every_price_list(
    install: Install,
) -> None:
    admin = _as(install, "admin", None)
    manager = _as(install, "manager", None)
    params = {"article": "0986452041", "brand": "BOSCH", "analogs": False}

    everything = admin.get("/api/quotes", params=params).json()["lines"]
    open_only = manager.get("/api/quotes", params=params).json()["lines"]

    assert _suppliers(everything) == ["alpha", "beta", "gamma"]
    assert _suppliers(open_only) == ["alpha", "beta"]


def test_orders_of_another_department_are_not_there(install: Install) -> None:
    msk = _as(install, "manager", "msk")
    spb = _as(install, "manager", "spb")
    admin = _as(install, "admin", None)
    _retail, wholesale = add_clients(msk.app.state.db)  # type: ignore[attr-defined]
    lines = spb.get("/api/quotes", params={"article": "0986452041", "brand": "BOSCH",
                    "analogs": False, "client_id": wholesale}).json()["lines"]  # fmt: skip
    line = next(x for x in lines if x["supplier_id"] == "gamma")
    keys = ("brand", "article", "supplier_id", "source", "warehouse", "load_id", "row")
    placed = spb.post(
        "/api/orders",
        json={
            "client_id": wholesale,
            "lines": [{**{k: line[k] for k in keys}, "qty": 1}],
        },
        headers={"Idempotency-Key": "spb-1"},
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]

    assert [o["id"] for o in spb.get("/api/orders").json()["orders"]] == [order_id]
    assert msk.get("/api/orders").json()["orders"] == []
    for url in (f"/api/orders/{order_id}", f"/api/orders/{order_id}/export.xlsx"):
        assert msk.get(url).status_code == 404
    cancel = msk.post(f"/api/orders/{order_id}/status", json={"status": "cancelled"})
    assert cancel.status_code == 404
    assert admin.get(f"/api/orders/{order_id}").json()["status"] == "new"
