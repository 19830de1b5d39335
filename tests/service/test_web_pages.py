"""The workstation's pages and fragments over a small install: what the
server renders and sends, in the page's language."""

from __future__ import annotations

import html as html_text
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest

from parts.settings import get_settings
from service.db.audit import Actor
from service.db.session import transaction
from service.users.logic import save_department
from service.web import views
from tests.service.signin import page_session
from tests.service.test_orders import (
    Shop,
    offer_of,
    opened,
    quote_lines,
    reload_alpha,
)
from tests.service.test_quotes_api import DATA, Install, make_install


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    yield make_install(tmp_path, monkeypatch)  # SQLite: pages read as the API does
    get_settings.cache_clear()


@pytest.fixture
def page(install: Install) -> Iterator[tuple[Shop, str]]:
    """The shop with its manager signed in as the page is: a session cookie;
    and the session's CSRF token."""
    with opened(install) as shop:
        issued = page_session(shop.client, "anna")
        assert issued.csrf is not None
        yield shop, issued.csrf


def export(shop: Shop, csrf: str, box: str, keys: list[str], **form: str) -> Any:
    """The page's `/ui/export.xlsx` form, posted."""
    return shop.client.post(
        "/ui/export.xlsx",
        data={"csrf": csrf, "box": box, "keys": orjson.dumps(keys).decode(), **form},
    )


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_keeps_the_lines_on_screen_after_a_new_load_and_counts_the_gone(
    page: tuple[Shop, str], install: Install, tmp_path: Path
) -> None:
    shop, csrf = page
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    alpha, beta = offer_of(offers, "alpha"), offer_of(offers, "beta")
    on_screen = [views.line_key(alpha), views.line_key(beta), "gone|x|BOSCH|1"]
    text = (DATA / "alpha.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    reload_alpha(install, tmp_path, f"{header}\nNGK;BKR6E;Свеча;150,00;40;1\n{rest}")

    answer = export(shop, csrf, "BOSCH 0986452041", on_screen)

    assert answer.status_code == 200, answer.text
    rows = sheet_rows(answer.content)
    header_at = next(i for i, row in enumerate(rows) if row[0] == "Тип")
    assert rows[header_at - 2][0] == (
        "Строк с экрана, которых больше нет в предложении: 1 (поставщик обновил "
        "прайс-лист или снял предложение)"
    )
    assert [(r[1], r[9]) for r in rows[header_at + 1 :]] == [
        ("BOSCH", float(alpha["price"])),
        ("BOSCH", float(beta["price"])),
    ]


def test_the_export_of_every_line_shown_says_nothing_is_missing(
    page: tuple[Shop, str],
) -> None:
    shop, csrf = page
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)

    answer = export(shop, csrf, "BOSCH 0986452041", views.line_keys(offers))

    rows = sheet_rows(answer.content)
    assert not any("больше нет" in str(row[0]) for row in rows)
    assert len(rows) == rows.index(next(r for r in rows if r[0] == "Тип")) + 1 + len(
        offers
    )


def row_keys(shop: Shop, box: str) -> list[str]:
    """The keys of the results rows the page gets for `box`."""
    answer = shop.client.get(
        "/ui/results", params={"box": box}, headers={"X-Requested-With": "fetch"}
    )
    assert answer.status_code == 200, answer.text
    return re.findall(r'<tr class="line"[^>]*data-key="([^"]+)"', answer.text)


def test_a_results_row_keeps_its_key_across_a_new_load_of_the_price_list(
    page: tuple[Shop, str], install: Install, tmp_path: Path
) -> None:
    shop, _ = page
    before = row_keys(shop, "BOSCH 0986452041")
    text = (DATA / "alpha.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    reload_alpha(install, tmp_path, f"{header}\nNGK;BKR6E;Свеча;150,00;40;1\n{rest}")

    after = row_keys(shop, "BOSCH 0986452041")

    assert (
        sorted(before)
        == sorted(after)
        == [
            "alpha|Москва|BOSCH|0986452041",
            "alpha|Москва|MANN-FILTER|W71275",  # an analog
            "beta|Екатеринбург|BOSCH|0986452041",
        ]
    )


@pytest.mark.parametrize("keys", ["x", "5", "null", '{"a": 1}', "[1, 2]"])
def test_an_export_of_rows_that_are_no_list_of_keys_is_refused_in_words(
    page: tuple[Shop, str], keys: str
) -> None:
    shop, csrf = page
    answer = shop.client.post(
        "/ui/export.xlsx",
        data={"csrf": csrf, "box": "BOSCH 0986452041", "keys": keys},
        headers={"X-Requested-With": "fetch"},
    )

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")


def test_the_results_export_is_named_after_the_search_in_its_own_letters(
    page: tuple[Shop, str],
) -> None:
    shop, csrf = page

    answer = export(shop, csrf, "фильтр масляный", [])
    api = shop.client.get("/api/quotes/export.xlsx", params={"q": "фильтр масляный"})

    assert answer.status_code == 200, answer.text
    header = (
        'attachment; filename="quote-_______________.xlsx"; '
        "filename*=UTF-8''quote-%D1%84%D0%B8%D0%BB%D1%8C%D1%82%D1%80%20"
        "%D0%BC%D0%B0%D1%81%D0%BB%D1%8F%D0%BD%D1%8B%D0%B9.xlsx"
    )
    assert answer.headers["content-disposition"] == header
    assert api.headers["content-disposition"] == header


def shown(html: str) -> str:
    """The text a person reads in a page's `main` (or a fragment), tags dropped."""
    body = re.search(r"<main[^>]*>(.*)</main>", html, re.S)
    text = re.sub(
        r"<script.*?</script>|<[^>]+>", " ", body[1] if body else html, flags=re.S
    )
    return " ".join(html_text.unescape(text).split())


@pytest.mark.parametrize(
    ("url", "status", "ru", "en"),
    [
        ("/ui/orders/99999", 404,
         "Не найдено (404) Заказ № 99999 не найден К проценке",
         "Not found (404) Order 99999 was not found Back to search"),
        ("/ui/orders/abc", 422,
         "Ошибка (422) Номер заказа — это число: проверьте адрес страницы К проценке",
         "Error (422) An order number is a number: check the page's address "
         "Back to search"),
        ("/ui/orders/99999999999999999999", 422,
         "Ошибка (422) Номер заказа — это число: проверьте адрес страницы К проценке",
         "Error (422) An order number is a number: check the page's address "
         "Back to search"),
        ("/ui/no-such-page", 404,
         "Не найдено (404) Такой страницы нет К проценке",
         "Not found (404) There is no such page Back to search"),
    ],
)  # fmt: skip
def test_an_error_page_speaks_the_pages_language_never_the_apis(
    page: tuple[Shop, str], url: str, status: int, ru: str, en: str
) -> None:
    shop, _ = page

    russian = shop.client.get(url)
    shop.client.cookies.set("parts_lang", "en")
    english = shop.client.get(url)

    assert (russian.status_code, shown(russian.text)) == (status, ru)
    assert (english.status_code, shown(english.text)) == (status, en)
    for said in (russian, english):  # the header, to go on from any of them
        assert '<a href="/ui/orders">' in said.text
        assert 'name="csrf" value=""' not in said.text
    api = shop.client.get(url.replace("/ui/", "/api/"), headers={"Accept": "*/*"})
    assert api.headers["content-type"] in (
        "application/json",
        "application/problem+json",
    )


def test_order_pages_name_the_manager_and_the_header_the_department(
    page: tuple[Shop, str],
) -> None:
    shop, _ = page
    offers = quote_lines(shop, "0986452041", "BOSCH", client_id=shop.retail_id)
    line = {k: offer_of(offers, "alpha")[k] for k in
            ("brand", "article", "supplier_id", "source", "warehouse", "load_id", "row")}  # fmt: skip
    with shop.database.sessions() as session, transaction(session):
        save_department(session, code="msk", name="Москва, Варшавское ш.",
                        actor=Actor("test", "seed"))  # fmt: skip
    placed = shop.client.post(
        "/api/orders",
        json={"client_id": shop.retail_id, "lines": [{**line, "qty": 1}]},
        headers={"Idempotency-Key": "k1", "X-CSRF-Token": page[1]},
    )
    assert placed.status_code == 201, placed.text

    one = shop.client.get(f"/ui/orders/{placed.json()['id']}").text
    every = shop.client.get("/ui/orders").text

    who = re.search(r'<span class="who">([^<]*)</span>', one)
    assert who is not None and who[1] == "Анна Смирнова · Москва, Варшавское ш."
    assert "Менеджер: Анна Смирнова" in shown(one)
    assert "anna" not in shown(one) and "anna" not in shown(every)
    assert "Анна Смирнова" in shown(every)
