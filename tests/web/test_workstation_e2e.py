"""The parts manager's workstation in a real headless Chromium against the demo
install served on loopback: the whole flow, and the ways it goes wrong."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from service.db.engine import Database
from service.db.models import AuthToken, CustomerOrder, utcnow
from tests.web.conftest import LiveInstall
from tests.web.timings import ENTER_TO_ROWS_MS

MANAGER = ("manager", "demo-manager")
TIMEOUT_MS = 15_000


@pytest.fixture
def page(browser: Any, live: LiveInstall) -> Iterator[Any]:
    """A fresh browser context (no cookies, empty storage), signed in."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(tab, live.url)
    yield tab
    context.close()
    assert errors == []


def sign_in(tab: Any, url: str, who: tuple[str, str] = MANAGER) -> None:
    tab.goto(f"{url}/ui")
    assert "/ui/login" in tab.url
    tab.get_by_label("Логин").fill(who[0])
    tab.get_by_label("Пароль").fill(who[1])
    tab.get_by_role("button", name="Войти").click()
    tab.wait_for_url(re.compile(r".*/ui(\?.*)?$"))


def search(tab: Any, text: str) -> float:
    """Type into the box and press Enter; the time to the first rows drawn."""
    before = tab.evaluate("window.partsTimings.length")
    tab.locator("#box").fill(text)
    tab.locator("#box").press("Enter")
    tab.wait_for_function(f"window.partsTimings.length > {before}")
    ms: float = tab.evaluate("window.partsTimings[window.partsTimings.length - 1]")
    ENTER_TO_ROWS_MS.append(ms)
    return ms


def visible_rows(tab: Any, group: str | None = None) -> list[dict[str, str]]:
    selector = "#answer tr.line:not([hidden])"
    if group:
        selector = f'#answer tbody[data-group="{group}"] tr.line:not([hidden])'
    rows: list[dict[str, str]] = tab.eval_on_selector_all(
        selector, "rows => rows.map(r => ({...r.dataset}))"
    )
    return rows


def online_answered(tab: Any) -> None:
    """Wait until every online supplier answered or was marked failed."""
    tab.wait_for_function(
        "[...document.querySelectorAll('.online li')]"
        ".every((li) => li.dataset.state !== 'waiting')"
    )


def choose_client(tab: Any, text: str, name: str) -> None:
    tab.get_by_label("Клиент: имя, телефон или госномер").fill(text)
    tab.locator(".client-option", has_text=name).click()
    tab.locator("#client-chosen", has_text=name).wait_for()


def orders_in(live: LiveInstall) -> int:
    database = Database.from_url(live.database_url)
    try:
        with database.sessions() as session:
            return int(session.scalar(select(func.count(CustomerOrder.id))) or 0)
    finally:
        database.close()


def whole_flow(tab: Any, live: LiveInstall) -> None:
    """Log in, search, clarify the brand, sort, filter, two lines, the order."""
    choose_client(tab, "916 123-45-67", "Иванов Сергей Петрович")

    first_ms = search(tab, "OC90")
    picks = tab.locator(".pick")
    assert picks.count() == 2
    assert [p.get_attribute("data-brand") for p in picks.all()] == ["MAHLE", "KNECHT"]
    assert tab.evaluate("document.activeElement.dataset.brand") == "MAHLE"
    assert tab.locator("#search-hint").inner_text().startswith("1–9 — выбрать бренд")
    tab.keyboard.press("1")  # the first brand, by its number
    tab.locator('#answer tbody[data-group="exact"] tr.line').first.wait_for()
    tab.wait_for_function("window.partsTimings.length >= 2")
    rows_ms = tab.evaluate("window.partsTimings[window.partsTimings.length - 1]")
    ENTER_TO_ROWS_MS.append(rows_ms)
    print(f"\nEnter → brand choice drawn: {first_ms:.0f} ms; "
          f"brand → first rows drawn: {rows_ms:.0f} ms")  # fmt: skip

    exact = visible_rows(tab, "exact")
    assert exact and {r["brand"] for r in exact} == {"MAHLE"}
    assert tab.locator("#search-hint").inner_text().startswith("Enter — найти")
    prices = [float(r["price"]) for r in exact]
    assert prices == sorted(prices)  # by price, the default

    tab.get_by_label("Сортировка").select_option("delivery")
    days = [float(r["days"] or 1e9) for r in visible_rows(tab, "exact")]
    assert days == sorted(days)

    every = len(visible_rows(tab))
    tab.get_by_label("Только в наличии").check()
    in_stock = visible_rows(tab)
    assert in_stock and all(int(r["qty"] or 0) > 0 for r in in_stock)
    assert len(in_stock) <= every

    tab.locator("#box").press("ArrowDown")  # into the results
    tab.keyboard.press("+")
    tab.keyboard.press("ArrowDown")
    tab.keyboard.press("+")
    assert tab.locator("#cart .cart-line").count() == 2
    chosen = [r["key"] for r in visible_rows(tab)[:2]]
    assert (
        tab.evaluate(
            "JSON.parse(localStorage.getItem('parts.cart.v1.manager')).lines.map(l => l.key)"
        )
        == chosen
    )

    before = orders_in(live)
    tab.get_by_role("button", name="Оформить заказ").click()
    tab.wait_for_url(re.compile(r".*/ui/orders/\d+$"))
    assert orders_in(live) == before + 1
    assert tab.locator("#order-client").inner_text() == "Иванов Сергей Петрович"
    assert tab.locator("#order-lines tbody tr").count() == 2
    assert tab.locator("#order-status").inner_text() == "Новый"
    tab.goto(f"{live.url}/ui/orders")
    assert tab.locator("table tbody tr", has_text="Иванов Сергей Петрович").count() >= 1


def test_the_whole_flow_on_sqlite(page: Any, live: LiveInstall) -> None:
    whole_flow(page, live)


def test_the_whole_flow_on_postgresql(browser: Any, live_postgres: LiveInstall) -> None:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    sign_in(tab, live_postgres.url)
    whole_flow(tab, live_postgres)
    context.close()


def test_an_unknown_article_says_nothing_was_found(page: Any) -> None:
    search(page, "ZZ99999999")

    assert visible_rows(page) == []
    assert page.locator("#answer .empty").is_visible()
    assert "ZZ99999999" in page.locator("#answer .note").first.inner_text()


def test_a_slow_online_supplier_is_marked_and_the_others_arrive(page: Any) -> None:
    ms = search(page, "BOSCH 0986452041")
    print(f"\nEnter → first rows drawn (0986452041, local lines): {ms:.0f} ms")

    slow = page.locator('.online li[data-supplier="demo-slow"]')
    fast = page.locator('.online li[data-supplier="demo-emex"]')
    page.wait_for_function(
        "document.querySelector('.online li[data-supplier=\"demo-slow\"]')"
        ".dataset.state !== 'waiting'"
    )
    page.wait_for_function(
        "document.querySelector('.online li[data-supplier=\"demo-emex\"]')"
        ".dataset.state === 'ok'"
    )
    assert slow.get_attribute("data-state") == "failed"
    assert "нет ответа" in slow.inner_text()
    assert "строк" in fast.inner_text()
    online = visible_rows(page)
    assert any(r["source"] == "online" for r in online)
    assert any(r["source"] == "pricelist" for r in online)


def test_an_expired_session_signs_in_again_and_keeps_the_cart(
    page: Any, live: LiveInstall
) -> None:
    search(page, "BOSCH 0986452041")
    online_answered(page)  # else a late online answer meets the expiry first
    page.locator("#box").press("ArrowDown")
    page.keyboard.press("+")
    assert page.locator("#cart .cart-line").count() == 1

    database = Database.from_url(live.database_url)
    with database.sessions() as session:
        session.execute(update(AuthToken).values(expires_at=utcnow()))
        session.commit()
    database.close()
    page.locator("#box").fill("OC90")
    page.locator("#box").press("Enter")

    page.wait_for_url(re.compile(r".*/ui/login\?expired=1.*"))
    assert "Сеанс истёк" in page.locator(".notice").inner_text()
    page.get_by_label("Логин").fill(MANAGER[0])
    page.get_by_label("Пароль").fill(MANAGER[1])
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(r".*/ui\?.*"))
    assert page.locator("#cart .cart-line").count() == 1


def one_cart_in_two_tabs(page: Any, live: LiveInstall) -> Any:
    """A line in the cart of a chosen client, and a second tab showing it."""
    choose_client(page, "петрова", "ИП Петрова Анна Викторовна")
    search(page, "BOSCH 0986452041")
    page.locator("#box").press("ArrowDown")
    page.keyboard.press("+")
    second = page.context.new_page()
    second.goto(f"{live.url}/ui")
    assert second.locator("#cart .cart-line").count() == 1
    return second


def test_a_second_tab_submitting_the_same_cart_makes_one_order(
    page: Any, live: LiveInstall
) -> None:
    second = one_cart_in_two_tabs(page, live)
    before = orders_in(live)

    held: list[Any] = []

    def both_at_once(route: Any) -> None:
        # hold the first submit until the second is sent: a true double submit
        held.append(route)
        if len(held) == 2:
            for waiting in held:
                waiting.continue_()

    page.context.route("**/api/orders", both_at_once)
    page.evaluate("document.getElementById('make-order').click()")
    second.evaluate("document.getElementById('make-order').click()")
    page.wait_for_url(re.compile(r".*/ui/orders/\d+$"))
    second.wait_for_url(re.compile(r".*/ui/orders/\d+$"))

    assert len(held) == 2
    assert page.url == second.url
    assert orders_in(live) == before + 1


def test_a_cart_ordered_in_another_tab_says_so_there(
    page: Any, live: LiveInstall
) -> None:
    second = one_cart_in_two_tabs(page, live)

    page.get_by_role("button", name="Оформить заказ").click()
    page.wait_for_url(re.compile(r".*/ui/orders/\d+$"))

    message = second.locator("#cart-message")
    message.get_by_role("link").wait_for()
    assert "оформлена в другой вкладке" in message.inner_text()
    assert (
        message.get_by_role("link").get_attribute("href") == page.url.split(live.url)[1]
    )
    assert second.locator("#cart .cart-line").count() == 0


def test_prices_follow_the_clients_group(page: Any) -> None:
    search(page, "BOSCH 0986452041")
    retail = {r["key"]: float(r["price"]) for r in visible_rows(page, "exact")}
    choose_client(page, "ООО", "ООО «АвтоСервис Плюс»")  # service group, −3 %
    page.wait_for_function("window.partsTimings.length >= 2")
    service = {r["key"]: float(r["price"]) for r in visible_rows(page, "exact")}

    common = retail.keys() & service.keys()
    assert common
    assert all(service[k] < retail[k] for k in common)
    vehicles = page.locator("#client-chosen .vehicle")
    assert vehicles.count() == 2
    vehicles.first.click()
    assert re.match(r"^[A-Z0-9]{17} $", page.locator("#box").input_value())


def test_english_labels_and_labelled_inputs(page: Any) -> None:
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r".*/ui$"))

    assert page.get_by_role("button", name="Search").is_visible()
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.type !== 'hidden' && !e.labels.length && !e.getAttribute('aria-label'))
        .map(e => e.id || e.name)"""
    )
    assert unlabelled == []
    assert page.evaluate("document.activeElement.id") == "box"


def test_the_row_in_focus_keeps_it_while_online_lines_arrive(page: Any) -> None:
    search(page, "BOSCH 0986452041")
    page.locator("#box").press("ArrowDown")  # before the slow supplier answers
    focused = page.evaluate("document.activeElement.dataset.key")
    page.wait_for_function(
        "document.querySelector('.online li[data-supplier=\"demo-slow\"]')"
        ".dataset.state !== 'waiting'"
    )

    assert page.evaluate("document.activeElement.dataset.key") == focused
    page.keyboard.press("+")
    assert page.locator("#cart .cart-line").count() == 1


CONTRAST = """(selectors) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (e) => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return selectors.flatMap((s) => [...document.querySelectorAll(s)].slice(0, 3).map((e) => {
    const a = lum(rgb(getComputedStyle(e).color).slice(0, 3)), b = lum(background(e));
    return [s, Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 10) / 10];
  }));
}"""


def test_text_has_enough_contrast_and_focus_is_visible(page: Any) -> None:
    search(page, "BOSCH 0986452041")
    page.locator("#box").press("ArrowDown")

    ratios = page.evaluate(
        CONTRAST,
        ["body", ".muted", ".hint", ".top a", "button", "th", "td", ".online li",
         ".status", "label"],
    )  # fmt: skip
    low = [(s, r) for s, r in ratios if r < 4.5]
    assert ratios and low == []
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert page.evaluate("document.activeElement.matches('tr.line')")
    assert outline == "solid"


def test_on_a_tablet_the_cart_comes_before_the_results_and_nothing_scrolls_sideways(
    browser: Any, live: LiveInstall
) -> None:
    context = browser.new_context(viewport={"width": 820, "height": 1180})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    sign_in(tab, live.url)
    search(tab, "BOSCH 0986452041")

    cart = tab.locator("#cart").bounding_box()
    results = tab.locator("#results").bounding_box()
    assert cart["y"] < results["y"]
    online_answered(tab)
    assert tab.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    # a line added, its total and a message said: no row below moves
    tab.locator("#answer tr.line button.add").first.click()
    tab.get_by_role("button", name="Оформить заказ").click()  # no client yet
    tab.locator("#cart-message", has_text="Выберите клиента").wait_for()
    assert tab.locator("#results").bounding_box()["y"] == results["y"]
    context.close()


def test_on_a_landscape_tablet_the_results_are_in_view_beside_the_cart(
    browser: Any, live: LiveInstall
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    sign_in(tab, live.url)
    choose_client(tab, "ООО", "ООО «АвтоСервис Плюс»")
    search(tab, "BOSCH 0986452041")
    tab.locator("#answer tr.line button.add").first.click()

    first = tab.locator("#answer tr.line").first.bounding_box()
    assert first["y"] + first["height"] <= 768
    cart = tab.locator("#cart").bounding_box()
    assert cart["x"] >= first["x"] + first["width"]
    assert tab.get_by_role("button", name="Сбросить клиента").is_visible()
    # both cars' VIN buttons in sight, within the client's column
    column = tab.locator("#client-box").bounding_box()
    cars = [c.bounding_box() for c in tab.locator("#client-chosen .vehicle").all()]
    assert len(cars) == 2
    assert all(c["x"] + c["width"] <= column["x"] + column["width"] for c in cars)
    # no column header cut short
    cut = tab.eval_on_selector_all(
        "#answer thead th", "els => els.filter(e => e.scrollWidth > e.clientWidth)"
        ".map(e => e.textContent)",
    )  # fmt: skip
    assert cut == []
    tab.get_by_role("link", name="English").click()  # English headers too
    tab.locator("#answer thead th").first.wait_for()
    cut = tab.eval_on_selector_all(
        "#answer thead th", "els => els.filter(e => e.scrollWidth > e.clientWidth)"
        ".map(e => e.textContent)",
    )  # fmt: skip
    assert cut == []
    online_answered(tab)
    badge = tab.locator("#answer .badge.online").first.bounding_box()
    cell = tab.locator("#answer td.c-supplier", has=tab.locator(".badge.online"))
    assert (
        badge["width"] < cell.first.bounding_box()["width"] * 0.75
    )  # a tag, not a bar
    context.close()


def test_a_long_text_searched_wraps_and_nothing_scrolls_sideways(page: Any) -> None:
    search(page, "фильтр" + "Ж" * 190)

    page.locator("#answer .note").first.wait_for()
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_signing_out_ends_the_session(page: Any, live: LiveInstall) -> None:
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(re.compile(r".*/ui/login\?out=1$"))
    assert "Вы вышли" in page.locator(".notice").inner_text()

    page.goto(f"{live.url}/ui")
    assert "/ui/login" in page.url


def test_a_brand_chosen_puts_the_keyboard_on_the_first_row(page: Any) -> None:
    search(page, "OC90")
    page.keyboard.press("ArrowDown")  # KNECHT
    page.keyboard.press("ArrowUp")  # MAHLE
    page.keyboard.press("Enter")
    page.wait_for_function("window.partsTimings.length >= 2")

    assert page.evaluate("document.activeElement.matches('tr.line')")
    page.keyboard.press("+")
    assert page.locator("#cart .cart-line").count() == 1


def test_enter_in_the_client_box_takes_the_client_just_typed(page: Any) -> None:
    picker = page.get_by_label("Клиент: имя, телефон или госномер")
    picker.fill("Иванов")
    page.locator(".client-option", has_text="Иванов").wait_for()
    picker.fill("Петрова")
    picker.press("Enter")  # before the list for the new text came

    page.locator("#client-chosen", has_text="ИП Петрова").wait_for()
    assert "Иванов" not in page.locator("#client-chosen").inner_text()


def test_the_export_holds_the_lines_on_screen_in_their_order(page: Any) -> None:
    import io

    import openpyxl

    choose_client(page, "8 912 345", "ИП Петрова Анна Викторовна")  # as dictated
    search(page, "BOSCH 0986452041")
    page.get_by_label("Сортировка").select_option("delivery")
    page.locator("#f-supplier").select_option("АвтоОпт Москва")
    shown = [(r["brand"], r["supplier"]) for r in visible_rows(page)]
    with page.expect_download() as download:
        page.get_by_role("button", name="Выгрузить в Excel").click()

    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.active
    header = next(i for i, row in enumerate(sheet.iter_rows(values_only=True), 1)
                  if row[0] == "Тип")  # fmt: skip
    body = [row for row in sheet.iter_rows(min_row=header + 1, values_only=True)]
    assert len(body) == len(shown) > 0
    assert [row[1] for row in body] == [brand for brand, _ in shown]
    assert sheet["A2"].value == "Клиент: ИП Петрова Анна Викторовна, группа: Опт"


def test_a_missing_order_is_a_page_not_json(page: Any, live: LiveInstall) -> None:
    answer = page.goto(f"{live.url}/ui/orders/999999")

    assert answer.status == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert page.get_by_role("link", name="К проценке").is_visible()


def test_a_refused_search_says_why_in_words_not_json(page: Any) -> None:
    search(page, "1" * 120)

    error = page.locator("#results .error")
    assert "артикул длиннее 100 символов" in error.inner_text()
    assert "{" not in page.locator("#results").inner_text()
    page.locator("#box").fill("")  # an empty box clears what was shown
    page.locator("#box").press("Enter")
    page.wait_for_function("document.getElementById('results').innerText === ''")


def test_a_client_that_is_no_more_is_dropped_and_the_search_goes_on(
    page: Any, live: LiveInstall
) -> None:
    page.evaluate(
        """() => {
          const key = Object.keys(localStorage).find((k) => k.startsWith('parts.cart'))
            || 'parts.cart.v1.manager';
          localStorage.setItem(key, JSON.stringify({lines: [], key: null, note: '',
            client: {id: 999999, name: 'Удалённый клиент', client_group: 'retail'}}));
        }"""
    )
    page.goto(f"{live.url}/ui?q=0986452041")
    page.locator("#answer tr.line").first.wait_for()

    assert "клиент сброшен" in page.locator("#cart-message").inner_text()
    assert "Удалённый клиент" not in page.locator("#client-chosen").inner_text()
    assert visible_rows(page)


def test_the_status_says_how_many_rows_of_all_a_filter_shows(page: Any) -> None:
    search(page, "BOSCH 0986452041")
    online_answered(page)
    total = len(visible_rows(page))
    page.locator("#f-supplier").select_option("АвтоОпт Москва")
    shown = len(visible_rows(page))

    assert 0 < shown < total
    status = page.locator("#status").inner_text()
    assert re.match(rf"^{shown} из {total} строк", status), status


def test_switching_the_language_keeps_the_search(page: Any) -> None:
    search(page, "BOSCH 0986452041")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r".*/ui\?q=.*"))
    page.locator("#answer tr.line").first.wait_for()

    assert page.locator("#box").input_value() == "BOSCH 0986452041"
    assert page.get_by_role("button", name="Search").is_visible()


def test_more_than_an_approximate_stock_is_a_warning_not_a_refusal(
    page: Any,
) -> None:
    choose_client(page, "петрова", "ИП Петрова Анна Викторовна")
    search(page, "BOSCH 0986452041")
    approx = page.locator('#answer tr.line[data-source="online"]').first
    approx.wait_for()
    line = approx.get_attribute("data-line") or "{}"
    assert '"qty_approx":true' in line
    approx.locator("button.add").click()
    qty = page.locator("#cart .cart-line input").first
    qty.fill("1000")
    qty.dispatch_event("change")

    assert "точное количество неизвестно" in page.locator("#cart .warning").inner_text()
    assert page.locator("#make-order").is_enabled()
    qty = page.locator("#cart .cart-line input").first
    qty.fill("200000")
    qty.dispatch_event("change")
    assert "не больше 100\u00a0000" in page.locator("#cart .problem").inner_text()
    assert page.locator("#make-order").is_disabled()


def test_a_clients_car_narrows_its_vin_search_to_its_model(page: Any) -> None:
    choose_client(page, "916 123-45-67", "Иванов Сергей Петрович")
    page.locator("#client-chosen .vehicle", has_text="Vesta").click()
    page.locator("#box").press("End")
    page.keyboard.type("колодки")
    before = page.evaluate("window.partsTimings.length")
    page.locator("#box").press("Enter")
    page.wait_for_function(f"window.partsTimings.length > {before}")

    notes = page.locator("#answer .note").all_inner_texts()
    assert any("модель «Vesta»" in n for n in notes), notes
    assert visible_rows(page)


def test_a_walk_in_client_is_added_from_the_page_and_chosen(
    page: Any, live: LiveInstall
) -> None:
    page.get_by_label("Клиент: имя, телефон или госномер").fill("Сидоров Пётр")
    page.get_by_role("button", name="Новый клиент").click()
    form = page.locator("#client-form")
    assert form.get_by_label("Имя или название").input_value() == "Сидоров Пётр"
    form.get_by_label("Телефон").fill("8 (903) 765-43-21")
    form.get_by_label("Группа").select_option(label="СТО-партнёры")
    form.get_by_role("button", name="Сохранить и выбрать").click()

    chosen = page.locator("#client-chosen")
    chosen.get_by_text("Сидоров Пётр").wait_for()
    assert "СТО-партнёры" in chosen.inner_text()
    assert form.is_hidden()
    picker = page.get_by_label("Клиент: имя, телефон или госномер")
    picker.fill("903 765")  # found again by the start of the phone
    page.locator(".client-option", has_text="Сидоров Пётр").wait_for()


def test_a_phone_that_is_no_number_is_said_in_words(page: Any) -> None:
    page.get_by_role("button", name="Новый клиент").click()
    form = page.locator("#client-form")
    form.get_by_label("Имя или название").fill("Ошибкин")
    form.get_by_label("Телефон").fill("12")
    form.get_by_role("button", name="Сохранить и выбрать").click()

    message = page.locator("#client-form-message")
    message.get_by_text("Телефон не распознан").wait_for()
    assert form.is_visible()


def test_a_brand_choice_has_nothing_to_export(page: Any) -> None:
    search(page, "BOSCH 0986452041")
    assert page.get_by_role("button", name="Выгрузить в Excel").is_enabled()
    search(page, "OC90")

    assert page.locator(".pick").count() == 2
    assert page.get_by_role("button", name="Выгрузить в Excel").is_disabled()


def test_choosing_a_client_moves_nothing_below_and_a_long_cart_keeps_the_button(
    page: Any,
) -> None:
    search(page, "фильтр масляный")
    top = page.locator("#results").bounding_box()["y"]
    choose_client(page, "ООО", "ООО «АвтоСервис Плюс»")  # a long name, two cars
    assert page.locator("#results").bounding_box()["y"] == top
    cut = page.eval_on_selector_all(  # the name, group and discount read whole
        "#client-chosen .who b, #client-chosen .terms span",
        "els => els.filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent)",
    )
    assert cut == []

    for row in page.locator("#answer tr.line").all()[:25]:
        row.locator("button.add").click()
    assert page.locator("#cart .cart-line").count() == 25
    page.evaluate("window.scrollTo(0, 0)")
    button = page.get_by_role("button", name="Оформить заказ").bounding_box()
    assert button["y"] + button["height"] <= 900  # the viewport's height


def test_a_client_chosen_after_the_lines_prices_the_cart_for_their_group(
    page: Any, live: LiveInstall
) -> None:
    search(page, "BOSCH 0986452041")
    page.locator('#answer tbody[data-group="exact"] tr.line button.add').first.click()
    cart = (
        "JSON.parse(localStorage.getItem('parts.cart.v1.manager')).lines[0].line.price"
    )
    retail = float(page.evaluate(cart))

    choose_client(page, "ООО", "ООО «АвтоСервис Плюс»")  # service group, −3 %
    page.locator("#cart-message", has_text="Цены корзины пересчитаны").wait_for()
    assert "info" in page.locator("#cart-message").get_attribute("class")  # not red
    assert float(page.evaluate(cart)) < retail

    before = orders_in(live)
    page.get_by_role("button", name="Оформить заказ").click()  # no refusal first
    page.wait_for_url(re.compile(r".*/ui/orders/\d+$"))
    assert orders_in(live) == before + 1


def test_a_cart_without_a_client_is_brought_up_to_date_when_the_page_opens(
    page: Any,
) -> None:
    search(page, "BOSCH 0986452041")
    page.locator('#answer tbody[data-group="exact"] tr.line button.add').first.click()
    key = "parts.cart.v1.manager"
    shown = page.evaluate(
        f"JSON.parse(localStorage.getItem('{key}')).lines[0].line.price"
    )
    page.evaluate(  # a price that has changed since the line was put in the cart
        f"""() => {{ const s = JSON.parse(localStorage.getItem('{key}'));
                    s.lines[0].line.price = "1.00";
                    localStorage.setItem('{key}', JSON.stringify(s)); }}"""
    )

    page.reload()

    page.locator("#cart-message", has_text="Цены корзины обновлены").wait_for()
    now = page.evaluate(
        f"JSON.parse(localStorage.getItem('{key}')).lines[0].line.price"
    )
    assert now == shown
    assert "1,00" not in page.locator("#cart").inner_text()


def test_an_order_refused_for_stock_marks_the_line_and_holds_the_button_back(
    page: Any, live: LiveInstall
) -> None:
    choose_client(page, "петрова", "ИП Петрова Анна Викторовна")
    search(page, "BOSCH 0986452041")
    page.locator(
        '#answer tbody[data-group="exact"] tr.line[data-source="pricelist"] button.add'
    ).first.click()
    key = "parts.cart.v1.manager"
    stock = page.evaluate(
        f"JSON.parse(localStorage.getItem('{key}')).lines[0].line.qty"
    )
    other = page.context.new_page()  # the page itself checks its cart when it opens
    other.goto(f"{live.url}/ui")
    other.wait_for_load_state("networkidle")
    other.evaluate(  # the stock shown is more than the supplier has now
        f"""() => {{ const s = JSON.parse(localStorage.getItem('{key}'));
                    s.lines[0].line.qty = {stock} + 100; s.lines[0].qty = {stock} + 1;
                    localStorage.setItem('{key}', JSON.stringify(s)); }}"""
    )
    other.close()
    page.locator("#make-order:enabled").wait_for()  # the page believes that stock
    assert page.locator("#cart .cart-line .problem").count() == 0
    before = orders_in(live)

    page.get_by_role("button", name="Оформить заказ").click()

    problem = page.locator("#cart .cart-line .problem")
    problem.wait_for()
    assert problem.inner_text() == f"Наличие у поставщика: {stock}"
    assert page.locator("#make-order").is_disabled()
    assert orders_in(live) == before


def test_the_client_list_closes_on_esc_on_leaving_and_for_a_new_client(
    page: Any,
) -> None:
    picker = page.get_by_label("Клиент: имя, телефон или госномер")
    options = page.locator("#client-list .client-option")
    picker.fill("916 123")
    options.first.wait_for()
    picker.press("Escape")
    assert options.count() == 0
    assert picker.input_value() == "916 123"  # the text typed stays

    picker.fill("916 12")
    options.first.wait_for()
    page.locator("#box").focus()  # the manager went back to the search
    assert options.count() == 0

    picker.fill("916 1")
    options.first.wait_for()
    page.get_by_role("button", name="Новый клиент").click()
    assert options.count() == 0
    assert page.locator("#client-form").get_by_label("Телефон").input_value() == "916 1"


def test_a_mistyped_brand_or_one_without_the_article_offers_the_brands_that_have_it(
    page: Any,
) -> None:
    search(page, "0986452041 BOSH")  # not a brand: once a dead end of a name search

    assert {r["brand"] for r in visible_rows(page, "exact")} == {"BOSCH"}
    assert page.locator("#answer .note").first.inner_text() == (
        "Нет деталей с названием «0986452041 BOSH»: показан артикул «0986452041» "
        "без бренда"
    )
    assert page.locator("#box").input_value() == "0986452041"

    search(page, "OC90 FEBI")  # a brand we know, without this article
    picks = page.locator(".pick")
    assert [p.get_attribute("data-brand") for p in picks.all()] == ["MAHLE", "KNECHT"]
    assert "У «FEBI» нет предложений по «OC90»: показан артикул без бренда" in (
        page.locator("#results").inner_text()
    )
    page.keyboard.press("1")
    page.locator('#answer tbody[data-group="exact"] tr.line').first.wait_for()
    assert {r["brand"] for r in visible_rows(page, "exact")} == {"MAHLE"}


def test_an_order_refused_for_a_price_and_a_gone_offer_marks_the_gone_line(
    page: Any, live: LiveInstall
) -> None:
    choose_client(page, "петрова", "ИП Петрова Анна Викторовна")
    search(page, "BOSCH 0986452041")
    adds = page.locator(
        '#answer tbody[data-group="exact"] tr.line[data-source="pricelist"] button.add'
    )
    adds.nth(0).click()
    adds.nth(1).click()
    key = "parts.cart.v1.manager"
    other = page.context.new_page()
    other.goto(f"{live.url}/ui")
    other.wait_for_load_state("networkidle")
    other.evaluate(  # one price changed since, one offer gone from its list
        f"""() => {{ const s = JSON.parse(localStorage.getItem('{key}'));
                    s.lines[0].line.price = "1.00"; s.lines[1].line.row = 999999;
                    localStorage.setItem('{key}', JSON.stringify(s)); }}"""
    )
    other.close()
    page.locator("#make-order:enabled").wait_for()

    page.get_by_role("button", name="Оформить заказ").click()

    gone = page.locator("#cart .cart-line").nth(1).locator(".problem")
    gone.wait_for()
    assert gone.inner_text() == "Предложение больше не действует: уберите строку"
    assert page.locator("#make-order").is_disabled()
    assert page.locator("#cart-message").inner_text().startswith("Цены изменились")


def test_a_search_by_name_says_so_over_its_rows(page: Any) -> None:
    search(page, "фильтр масляный")
    head = page.locator('#answer tbody[data-group="exact"] .group-head')
    assert head.inner_text().startswith("Найдено по названию")
    search(page, "BOSCH 0986452041")
    assert head.inner_text().startswith("Запрошенный артикул")


def test_a_phone_another_client_has_is_said_before_a_second_client_is_made(
    page: Any, live: LiveInstall
) -> None:
    page.get_by_role("button", name="Новый клиент").click()
    form = page.locator("#client-form")
    form.get_by_label("Имя или название").fill("   ")
    form.get_by_role("button", name="Сохранить и выбрать").click()
    message = page.locator("#client-form-message")
    message.get_by_text("Укажите имя или название клиента").wait_for()

    form.get_by_label("Имя или название").fill("Иванова Мария")
    form.get_by_label("Телефон").fill("8 (916) 123-45-67")  # Иванов Сергей's
    form.get_by_role("button", name="Сохранить и выбрать").click()
    message.get_by_text("Этот телефон уже есть у клиента").wait_for()
    assert form.is_visible()

    message.get_by_role("button", name="Иванов Сергей Петрович").click()
    page.locator("#client-chosen", has_text="Иванов Сергей Петрович").wait_for()
    assert form.is_hidden()

    page.get_by_role("button", name="Новый клиент").click()
    form.get_by_label("Имя или название").fill("Иванова Мария")
    form.get_by_label("Телефон").fill("8 (916) 123-45-67")
    form.get_by_role("button", name="Сохранить и выбрать").click()
    message.get_by_text("Этот телефон уже есть у клиента").wait_for()
    form.get_by_role("button", name="Сохранить и выбрать").click()  # a family phone
    page.locator("#client-chosen", has_text="Иванова Мария").wait_for()
