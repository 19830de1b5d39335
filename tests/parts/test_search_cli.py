"""`parts search` answers what `GET /api/quotes` answers; `parts index show|build`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from parts.cli import app
from parts.settings import get_settings
from tests.service.test_quotes_api import Install, make_install

runner = CliRunner()


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    yield make_install(tmp_path, monkeypatch)
    get_settings.cache_clear()


def _cli_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["search", *args, "--json"])
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def _without_timings(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "timings_ms"}


@pytest.mark.parametrize(
    ("args", "params"),
    [
        (["0 986 452 041", "--brand", "bosch", "--client-group", "retail"],
         {"article": "0 986 452 041", "brand": "bosch", "client_group": "retail"}),
        (["0986452041", "--brand", "BOSCH", "--sort", "delivery", "--in-stock"],
         {"article": "0986452041", "brand": "BOSCH", "sort": "delivery",
          "in_stock": True}),
        (["12345"], {"article": "12345"}),
        (["12345", "--all-brands", "--no-analogs"],
         {"article": "12345", "all_brands": True, "analogs": False}),
        (["--q", "масляный фильтр", "--department", "spb"],
         {"q": "масляный фильтр", "department": "spb"}),
    ],
)  # fmt: skip
def test_search_json_is_the_apis_answer(
    install: Install, args: list[str], params: dict[str, Any]
) -> None:
    with install.client(department=None) as client:  # sees all, as the console
        api = client.get("/api/quotes", params=params)
    assert api.status_code == 200, api.text
    cli = _cli_json(*args)
    assert cli["lines"] or cli["brands"]
    assert _without_timings(cli) == _without_timings(api.json())
    assert set(cli["timings_ms"]) == set(api.json()["timings_ms"])


def test_search_writes_the_workbook(install: Install, tmp_path: Path) -> None:
    path = tmp_path / "quote.xlsx"
    result = runner.invoke(
        app,
        ["search", "0986452041", "--brand", "BOSCH", "--client-group", "retail",
         "--xlsx", str(path), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"workbook written to {path}" in result.stderr.replace("\n", "")
    lines = json.loads(result.stdout)["lines"]
    sheet = openpyxl.load_workbook(path).active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row[0] == "Тип")
    body = [dict(zip(rows[header], row, strict=True)) for row in rows[header + 1 :]]
    assert [(r["Бренд"], r["Артикул"], r["Цена, ₽"]) for r in body] == [
        (line["brand"], line["article_raw"], float(line["price"])) for line in lines
    ]


def test_search_prints_a_table_without_json(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("parts.commands.search.console", Console(width=250))
    result = runner.invoke(app, ["search", "0986452041", "--brand", "BOSCH"])
    assert result.exit_code == 0, result.output
    assert "405.45 RUB" in result.stdout and "alpha" in result.stdout
    choose = runner.invoke(app, ["search", "12345"])
    assert choose.exit_code == 0, choose.output
    assert "FEBI BILSTEIN" in choose.stdout and "SWAG" in choose.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give an `article`"),
        (["--brand", "BOSCH"], "give an `article`"),
        (["/../"], "holds no article characters"),
        (["0986452041", "--brand", "BOSCH", "--client-group", "vip"], "vip"),
        (["0986452041", "--brand", "BOSCH", "--sort", "cheapest"], "cheapest"),
        (["--vin", "XTA21099071234567"], "generic article"),
    ],
)
def test_a_bad_search_exits_2_with_a_message(
    install: Install, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["search", *args, "--json"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    error = " ".join(result.stderr.split())
    assert "error: " in error and message in error.split("error: ", 1)[1]


def test_index_show_and_build(install: Install) -> None:
    shown = runner.invoke(app, ["index", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    stats = json.loads(shown.stdout)
    assert (stats["suppliers"], stats["offers"], stats["pending"]) == (3, 8, [])
    assert stats["parts"] and stats["generation"]

    built = runner.invoke(app, ["index", "build", "--json"])
    assert built.exit_code == 0, built.output
    report = json.loads(built.stdout)
    assert (report["action"], report["offers_indexed"]) == ("full", 8)
    assert sorted(report["suppliers_changed"]) == ["alpha", "beta", "gamma"]
    assert report["manifest_seq"] > stats["seq"]

    again = json.loads(runner.invoke(app, ["index", "show", "--json"]).stdout)
    assert (again["generation"], again["seq"]) == (
        report["generation"],
        report["manifest_seq"],
    )
    assert (again["offers"], again["pending"], len(again["parts"])) == (8, [], 1)
    assert _cli_json("0986452041", "--brand", "BOSCH", "--no-analogs")["lines"]


def test_index_show_without_an_index_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTS_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["index", "show", "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "parts index build" in result.stderr


def test_search_after_a_new_load_shows_the_new_price(
    install: Install, tmp_path: Path
) -> None:
    changed = tmp_path / "beta.csv"
    changed.write_text(
        "Бренд;Артикул;Наименование;Цена;Наличие;Кратность\n"
        "BOSCH;0986452041;Фильтр масляный;377,00;3;1\n",
        encoding="utf-8",
    )
    ingested = runner.invoke(app, ["ingest", str(changed), "--supplier", "beta"])
    assert ingested.exit_code == 0, ingested.output
    lines = _cli_json("0986452041", "--brand", "BOSCH", "--no-analogs")["lines"]
    # the console searches every department's lists: gamma (spb only) too
    assert sorted((x["supplier_id"], x["purchase_price"]) for x in lines) == [
        ("alpha", "405.45"),
        ("beta", "377.00"),
        ("gamma", "380.00"),
    ]
    swag = _cli_json("12345", "--no-analogs")
    assert (swag["brands"], [x["brand"] for x in swag["lines"]]) == (
        None,
        ["FEBI BILSTEIN"],
    )


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_a_limit_below_one_exits_2(install: Install, limit: str) -> None:
    # the API refuses it with 422; the CLI once read 0 as the default and
    # answered -1 with no lines
    result = runner.invoke(
        app, ["search", "0986452041", "--brand", "BOSCH", "--limit", limit, "--json"]
    )
    assert (result.exit_code, result.stdout) == (2, "")
    assert "limit" in result.stderr.lower()


def test_an_unknown_sort_exits_2_when_the_article_has_several_brands(
    install: Install,
) -> None:
    # the sort was once checked only when ranking lines, after the brand choice
    result = runner.invoke(app, ["search", "12345", "--sort", "cheapest", "--json"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "unknown sort `cheapest`" in result.stderr
