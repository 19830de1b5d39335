"""An order's page in a real headless Chromium: what it says when its status
cannot change."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.web.conftest import LiveInstall
from tests.web.test_workstation_e2e import MANAGER, page  # noqa: F401  (fixture)


def api(live: LiveInstall) -> httpx.Client:
    """The API as the demo's manager, with a bearer token."""
    login, password = MANAGER
    token = httpx.post(f"{live.url}/api/auth/token",
                       json={"login": login, "password": password}).json()  # fmt: skip
    return httpx.Client(
        base_url=live.url,
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=30,
    )


def place_order(client: httpx.Client) -> int:
    """One line of a BOSCH filter for the demo's first client; its order id."""
    buyer = client.get("/api/clients", params={"q": "Иванов"}).json()["clients"][0]
    lines = client.get(
        "/api/quotes",
        params={"article": "0986452041", "brand": "BOSCH", "online": False,
                "analogs": False, "client_id": buyer["id"]},
    ).json()["lines"]  # fmt: skip
    offer = next(x for x in lines if (x["qty"] or 0) >= x["multiplicity"])
    keys = ("brand", "article", "supplier_id", "source", "warehouse", "load_id", "row")
    placed = client.post(
        "/api/orders",
        json={"client_id": buyer["id"],
              "lines": [{**{k: offer[k] for k in keys}, "qty": offer["multiplicity"]}]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert placed.status_code == 201, placed.text
    order_id: int = placed.json()["id"]
    return order_id


def test_a_stale_page_cannot_cancel_an_order_someone_moved_on(
    page: Any,  # noqa: F811
    live: LiveInstall,
) -> None:
    with api(live) as client:
        order_id = place_order(client)
        page.goto(f"{live.url}/ui/orders/{order_id}")
        # someone else confirms it while the page still shows it new
        confirmed = client.post(f"/api/orders/{order_id}/status",
                                json={"status": "confirmed"})  # fmt: skip
        assert confirmed.status_code == 200, confirmed.text

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Отменён").click()

        page.wait_for_function("document.getElementById('status-message').textContent")
        assert page.locator("#status-message").inner_text() == (
            "Статус не изменён: заказ уже изменили, теперь он «Подтверждён». "
            "Обновите страницу."
        )
        assert client.get(f"/api/orders/{order_id}").json()["status"] == "confirmed"
