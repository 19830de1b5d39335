"""A department's people see its price lists and its orders only, through
every route, not just quote search; an admin with no department sees all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parts.settings import get_settings
from service.app import create_app
from tests.service.signin import page_session, sign_in
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


def _gamma_line(client: TestClient, client_id: int) -> dict[str, Any]:
    """The order line of spb-only gamma's BOSCH filter, as the page sends it."""
    params = {"article": "0986452041", "brand": "BOSCH", "analogs": False,
              "client_id": client_id}  # fmt: skip
    lines = client.get("/api/quotes", params=params).json()["lines"]
    line = next(x for x in lines if x["supplier_id"] == "gamma")
    keys = ("brand", "article", "supplier_id", "source", "warehouse", "load_id", "row")
    return {**{k: line[k] for k in keys}, "qty": 1}


def _order(
    client: TestClient, client_id: int, line: dict[str, Any], key: str, **more: Any
) -> Any:
    body = {"client_id": client_id, "lines": [line], **more}
    return client.post("/api/orders", json=body, headers={"Idempotency-Key": key})


def test_an_admin_orders_from_a_department_limited_list_as_they_searched(
    install: Install,
) -> None:
    admin = _as(install, "admin", None)
    spb = _as(install, "manager", "spb")
    msk = _as(install, "manager", "msk")
    _retail, wholesale = add_clients(admin.app.state.db)  # type: ignore[attr-defined]
    line = _gamma_line(admin, wholesale)

    every_list = _order(admin, wholesale, line, "admin-1")
    for_spb = _order(admin, wholesale, line, "admin-2", department="spb")
    unknown = _order(admin, wholesale, line, "admin-3", department="kzn")
    not_hers = _order(msk, wholesale, line, "msk-1", department="spb")
    listed = {
        name: [
            (o["id"], o["department"]) for o in c.get("/api/orders").json()["orders"]
        ]
        for name, c in (("admin", admin), ("spb", spb), ("msk", msk))
    }

    assert (every_list.status_code, for_spb.status_code) == (201, 201), every_list.text
    first, second = every_list.json()["id"], for_spb.json()["id"]
    assert [line["supplier_id"] for line in for_spb.json()["lines"]] == ["gamma"]
    assert (unknown.status_code, unknown.json()["detail"]) == (
        422, "unknown department `kzn`",
    )  # fmt: skip
    assert (not_hers.status_code, not_hers.json()["detail"]) == (
        403, "`manager-msk` searches as department `msk` only (an admin may name one)",
    )  # fmt: skip
    # as their own department, the line is not theirs: said so, not "gone"
    as_msk = _order(msk, wholesale, line, "msk-2")
    assert (as_msk.status_code, [(p["code"], p["message"]) for p in as_msk.json()["lines"]]) == (
        409, [("not_visible", "line 1 (BOSCH 0986452041, supplier `gamma`): "
                               "supplier `gamma` is not offered to this department")],
    )  # fmt: skip
    assert listed == {
        "admin": [(second, "spb"), (first, None)],
        "spb": [(second, "spb")],
        "msk": [],
    }


def test_the_admins_page_asks_department_limited_online_suppliers_too(
    install: Install,
) -> None:
    online = install.online_dir
    online.mkdir(exist_ok=True)
    (online / "spb-only.toml").write_text(
        'id = "spb-only"\nname = "Только СПб"\n'
        'url = "http://127.0.0.1:9/api?article={article}&brand={brand}"\n'
        'departments = ["spb"]\nitems = "items"\n'
        '[fields]\nbrand = "brand"\narticle = "article"\nprice = "price"\n',
        encoding="utf-8",
    )
    asked = {}
    for name, role, department in (("admin", "admin", None),
                                   ("msk", "manager", "msk")):  # fmt: skip
        client = _as(install, role, department)
        page_session(client, f"{role}-{department}")
        answer = client.get("/ui/results", params={"box": "0986452041 BOSCH"},
                            headers={"X-Requested-With": "fetch"})  # fmt: skip
        assert answer.status_code == 200, answer.text
        asked[name] = re.findall(r'<li data-supplier="([^"]+)"', answer.text)

    assert asked == {"admin": ["spb-only"], "msk": []}
