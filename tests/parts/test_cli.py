"""The `parts` command line keeps the interfaces other tools rely on."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from parts.cli import app
from parts.settings import Settings

runner = CliRunner()
PRICE = (
    "Производитель;Номер детали;Наименование;Цена закупки;Наличие;Срок\n"
    "Febi;0.986.452.041;Фильтр масляный;1.299,99;БОЛЕЕ 50;3-5 дн.\n"
    "LEMFOERDER;А 000 420 12 20;Тяга;265,64;под заказ;2 недели\n"
)


def _last_json(output: str) -> object:
    return json.loads(output.strip().splitlines()[-1])


def test_ingest_json_contract_and_exit_codes(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "price.csv"
    path.write_bytes(PRICE.encode("cp1251"))
    first = runner.invoke(app, ["ingest", str(path), "--supplier", "acme", "--json"])
    assert first.exit_code == 0, first.output
    data = _last_json(first.stdout)
    assert isinstance(data, dict)
    assert {k: data[k] for k in ("status", "supplier_id", "rows_read", "rows_accepted",
                                  "rows_rejected", "rejects", "encoding")} == {
        "status": "published", "supplier_id": "acme", "rows_read": 2,
        "rows_accepted": 2, "rows_rejected": 0, "rejects": {}, "encoding": "cp1251",
    }  # fmt: skip
    assert data["columns"]["price"] == "D `Цена закупки`"
    assert {"sheets", "unknown_brands", "seconds"} <= set(data)
    again = runner.invoke(app, ["ingest", str(path), "--supplier", "acme", "--json"])
    assert (again.exit_code, _last_json(again.stdout)["status"]) == (0, "unchanged")  # type: ignore[index]


def test_ingest_quarantined_exits_1_with_error(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a;b\n1;2\n")
    result = runner.invoke(app, ["ingest", str(path), "--supplier", "acme", "--json"])
    data = _last_json(result.stdout)
    assert result.exit_code == 1
    assert data["status"] == "quarantined" and data["error"]  # type: ignore[index]


def test_ingest_usage_errors_exit_2(settings: Settings, tmp_path: Path) -> None:
    missing = runner.invoke(
        app, ["ingest", str(tmp_path / "nope.csv"), "--supplier", "a"]
    )
    assert missing.exit_code == 2
    path = tmp_path / "p.csv"
    path.write_text(PRICE, encoding="utf-8")
    bad_id = runner.invoke(app, ["ingest", str(path), "--supplier", "../etc"])
    assert bad_id.exit_code == 2
    no_supplier = runner.invoke(app, ["ingest", str(path)])
    assert no_supplier.exit_code == 2


def test_offers_json_follows_the_offers_contract(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "price.csv"
    path.write_bytes(PRICE.encode("cp1251"))
    runner.invoke(app, ["ingest", str(path), "--supplier", "acme"])
    result = runner.invoke(app, ["offers", "0986-452-041", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 1
    row = rows[0]
    load_id = row.pop("load_id")
    assert load_id
    assert row == {
        "supplier_id": "acme", "row": 2, "sheet": None, "brand": "FEBI BILSTEIN",
        "brand_raw": "Febi",
        "article": "0986452041", "article_raw": "0.986.452.041", "article_note": None,
        "name": "Фильтр масляный", "price": "1299.99", "currency": "RUB", "qty": 50,
        "qty_raw": "БОЛЕЕ 50", "qty_approx": True, "multiplicity": 1,
        "delivery_days_min": 3, "delivery_days_max": 5, "warehouse": None,
        "vat_included": None,
    }  # fmt: skip
    by_brand = runner.invoke(
        app, ["offers", "A0004201220", "--brand", "lemforder", "--json"]
    )
    got = json.loads(by_brand.stdout)
    assert [
        (r["brand"], r["price"], r["qty"], r["delivery_days_min"]) for r in got
    ] == [("LEMFORDER", "265.64", None, 14)]


def test_suppliers_lists_last_load(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "price.csv"
    path.write_bytes(PRICE.encode("cp1251"))
    runner.invoke(app, ["ingest", str(path), "--supplier", "acme"])
    result = runner.invoke(app, ["suppliers", "--json"])
    rows = {r["supplier_id"]: r for r in json.loads(result.stdout)}
    assert rows["acme"]["last_status"] == "published"
    assert rows["acme"]["live_rows"] == 2
