"""The workstation's plain parts: the search box reader, numbers and price
explanations as the page shows them, and the labels of both languages."""

from __future__ import annotations

from typing import Any

import pytest

from crosses.brands import default_table
from service.web import i18n, views
from service.web.query import BoxQuery, read_box, without_brand


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0986452041", BoxQuery(article="0986452041")),
        ("0 986 452 041", BoxQuery(article="0 986 452 041")),
        ("OC 90", BoxQuery(article="OC 90")),
        ("Д387Е", BoxQuery(article="Д387Е")),
        ("MANN W712/75", BoxQuery(article="W712/75", brand="MANN")),
        ("0986452041 BOSCH", BoxQuery(article="0986452041", brand="BOSCH")),
        ("0 986 452 041 bosch", BoxQuery(article="0 986 452 041", brand="bosch")),
        ("W712/75 MANN", BoxQuery(article="W712/75", brand="MANN")),
        ("MANN 555", BoxQuery(article="555", brand="MANN")),
        ("фильтр масляный", BoxQuery(text="фильтр масляный")),
        ("фильтр 1.6", BoxQuery(text="фильтр 1.6")),
        ("MANN фильтр", BoxQuery(text="MANN фильтр")),
        (
            "XTAGFL110KY100017 колодки",
            BoxQuery(vin="XTAGFL110KY100017", text="колодки"),
        ),
        ("xtagfl110ky100017", BoxQuery(vin="XTAGFL110KY100017")),
        (
            "ХТАGFL110КY100017 колодки",
            BoxQuery(vin="XTAGFL110KY100017", text="колодки"),
        ),
        ("   ", BoxQuery()),
    ],
)
def test_the_box_is_read_as_an_article_words_or_a_vin(
    raw: str, expected: BoxQuery
) -> None:
    assert read_box(raw, default_table()) == expected


def test_seventeen_characters_that_are_no_valid_vin_stay_an_article() -> None:
    # a VIN never holds I, O or Q: this is somebody's long article
    assert read_box("1BCDEFGHIJKLMNOPQ", default_table()).kind == "article"


@pytest.mark.parametrize(
    ("raw", "brand", "searched"),
    [
        ("0986452041 BOSH", None, "0986452041"),  # a brand mistyped
        ("OC90 FEBI", None, "OC90"),  # a brand without this article
        ("OC90", "FEBI", "OC90"),  # the brand chosen, not the box's
        ("фильтр масляный", None, None),  # words of a name: nothing to leave out
        ("OC90", None, None),  # no brand named
        ("фильтр 0986452041 BOSH", None, None),  # words and an article: a name
    ],
)
def test_an_article_whose_brand_found_nothing_is_searched_alone(
    raw: str, brand: str | None, searched: str | None
) -> None:
    parsed = read_box(raw, default_table())
    retry = without_brand(parsed, brand or parsed.brand, default_table())
    assert (retry[0].article if retry else None) == searched
    if retry:
        assert (retry[0].brand, retry[0].text) == (None, None)
        assert i18n.note(retry[1], "ru") != retry[1]  # said in Russian


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        ("1234.5", "ru", "1\u202f234,50"),
        ("1234.5", "en", "1,234.50"),
        ("0.00", "ru", "0,00"),
        (None, "ru", ""),
    ],
)
def test_money_is_written_as_each_language_writes_it(
    value: str | None, language: str, text: str
) -> None:
    assert views.money(value, language) == text


LINE: dict[str, Any] = {
    "brand": "MAHLE", "article": "OC90", "article_raw": "OC 90",
    "name": "Фильтр", "supplier_id": "sever-1c", "supplier_name": "Север",
    "source": "pricelist", "warehouse": None, "load_id": "L1", "row": 7,
    "multiplicity": 1, "qty": 10, "qty_approx": True, "delivery_days_min": 2,
    "delivery_days_max": 4, "delivery_probability": 88.0, "price": "850.00",
    "purchase_price": "10.00", "currency": "EUR", "rule": "euro",
    "price_reason": None, "match": "verified_analog",
    "via": [{"from": {"brand": "BOSCH", "article": "0986452041"},
             "to": {"brand": "MAHLE", "article": "OC90"}, "kind": "analog",
             "source": "acme", "verified": True}],
    "explanation": {
        "price": "10.00", "currency": "EUR", "rate": "100.000000",
        "rate_date": "2026-12-01", "vat_added": True, "purchase_rub": "1200.00",
        "percent": "45.0000", "fixed": "0.00", "min_margin": "120.00",
        "rounding_step": "10.00", "rounding_mode": "up", "markup_rub": "540.00",
        "retail_rub": "1740.00", "client_group": "service",
        "discount_percent": "7.0000", "discount_fixed": "0.00",
        "floor_rub": "1320.00", "reason": None,
    },
}  # fmt: skip


def test_a_row_shows_stock_days_probability_and_the_whole_explanation() -> None:
    row = views.row_view(LINE, "ru", "нет данных")

    assert (row["stock_text"], row["days_text"], row["probability_text"]) == (
        ">10", "2–4", "88 %",
    )  # fmt: skip
    assert (row["price_text"], row["sort_price"], row["sort_days"]) == (
        "850,00", "850.00", 4,
    )  # fmt: skip
    assert row["explain_items"] == [
        ("x_purchase", "10,00 EUR × 100 (01.12.2026)"),
        ("x_vat", "+"),
        ("x_purchase_rub", "1\u202f200,00"),
        ("x_rule", "euro"),
        ("x_markup", "45 % не меньше 120,00 = 540,00"),
        ("x_rounding", "10,00 вверх"),
        ("x_retail", "1\u202f740,00"),
        ("x_group", "service"),
        ("x_discount", "7 %"),
        ("x_floor", "1\u202f320,00"),
        ("x_price", "850,00"),
    ]


def test_an_analog_in_the_cart_names_the_part_it_was_found_for() -> None:
    kept = views.cart_line(LINE)
    exact = views.cart_line({**LINE, "match": "exact", "via": []})

    assert (kept["asked_brand"], kept["asked_article"]) == ("BOSCH", "0986452041")
    assert "asked_article" not in exact
    assert set(exact) == set(views.CART_KEYS)


def test_unknown_stock_and_days_are_said_so() -> None:
    line = {**LINE, "qty": None, "delivery_days_min": None, "delivery_days_max": None}

    row = views.row_view(line, "en", "unknown")

    assert (row["stock_text"], row["days_text"], row["sort_days"]) == (
        "unknown", "", None,
    )  # fmt: skip


def test_lines_are_grouped_in_the_three_groups_in_their_order() -> None:
    lines = [{**LINE, "match": m, "row": i}
             for i, m in enumerate(["exact", "analog", "exact", "verified_analog"])]  # fmt: skip

    groups = views.grouped(lines, "ru", "?")

    assert list(groups) == ["exact", "verified_analog", "analog"]
    assert [[r["row"] for r in rows] for rows in groups.values()] == [[0, 2], [3], [1]]


def test_both_languages_have_every_label() -> None:
    assert set(i18n.LABELS["ru"]) == set(i18n.LABELS["en"])
    assert i18n.labels("de") is i18n.LABELS["ru"]


@pytest.mark.parametrize(
    ("engine", "page"),
    [
        ("cannot connect: All connection attempts failed", "нет соединения"),
        ("not asked for 25 s more: HTTP 503",
         "не спрашиваем ещё 25 с: ошибка сервера поставщика (HTTP 503)"),
        ("`article` is longer than 100 characters", "артикул длиннее 100 символов"),
        ("model `Веста` matches no catalogue vehicle of the VIN's make and year: "
         "the parts of all of them are listed",
         "Модели «Веста» нет в каталоге среди машин этой марки и года: "
         "показаны детали всех"),
        ("price lists hidden from this department or price group hold offers for "
         "this search",
         "Предложения есть в прайс-листах, скрытых для вашего подразделения"),
        ("something new", "something new"),
    ],
)  # fmt: skip
def test_engine_words_reach_the_page_in_russian(engine: str, page: str) -> None:
    assert i18n.note(engine, "ru") == page
    assert i18n.note(engine, "en") == engine


def test_rows_of_one_offer_in_a_load_are_keyed_by_their_row_order() -> None:
    lines = [
        {**LINE, "row": 9, "price": "800.00"},
        {**LINE, "row": 4, "price": "900.00"},
        {**LINE, "supplier_id": "online", "load_id": None, "row": None},
        {**LINE, "row": 12},
    ]

    keys = views.line_keys(lines)

    assert keys == [
        "sever-1c||MAHLE|OC90|2",
        "sever-1c||MAHLE|OC90",
        "online||MAHLE|OC90",
        "sever-1c||MAHLE|OC90|3",
    ]
    assert [views.row_view(x, "ru", "?", key=k)["key"] for x, k in zip(
        lines, keys, strict=True
    )] == keys  # fmt: skip


def test_the_lines_on_screen_are_kept_in_their_order_and_the_gone_counted() -> None:
    lines = [{**LINE, "row": 4}, {**LINE, "row": 9}, {**LINE, "brand": "KNECHT"}]
    shown = ["sever-1c||KNECHT|OC90", "sever-1c||MAHLE|OC90|3",
             "sever-1c||MAHLE|OC90"]  # fmt: skip

    kept, missing = views.on_screen(lines, shown)

    assert (kept, missing) == ([lines[2], lines[0]], 1)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_purchase_in_roubles_is_written_with_the_rouble_sign(language: str) -> None:
    line = {**LINE, "purchase_price": "412.30", "currency": "RUB",
            "explanation": {**LINE["explanation"], "rate": "1.000000"}}  # fmt: skip

    first = views.explanation_items(line, language)[0]

    assert first == ("x_purchase", f"{views.money('412.30', language)} ₽")


def test_a_rouble_purchase_without_vat_is_not_said_twice() -> None:
    x = {**LINE["explanation"], "rate": "1.000000", "vat_added": False,
         "purchase_rub": "412.30"}  # fmt: skip
    line = {**LINE, "purchase_price": "412.30", "currency": "RUB", "explanation": x}
    with_vat = {
        **line,
        "explanation": {**x, "vat_added": True, "purchase_rub": "494.76"},
    }

    labels = [label for label, _ in views.explanation_items(line, "ru")]
    said = dict(views.explanation_items(with_vat, "ru"))

    assert "x_purchase_rub" not in labels
    assert said["x_purchase_rub"] == "494,76"
