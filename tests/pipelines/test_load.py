"""A load end to end: publish, unchanged, quarantine, limits."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl

from parts.settings import Settings
from pipelines.pricelists.load import ingest, supplier_overview
from search import lake

GOOD = "Бренд;Артикул;Наименование;Цена;Остаток\nBOSCH;0 986 452 041;Фильтр;1 299,50;>10\nMB;A 000 420 12 20;Колодки;2 040,74;есть\n"


def _write(path: Path, text: str, encoding: str = "cp1251") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_publish_then_same_bytes_are_unchanged(
    settings: Settings, tmp_path: Path
) -> None:
    path = _write(tmp_path / "price.csv", GOOD)
    first = ingest(path, supplier_id="acme", settings=settings)
    second = ingest(path, supplier_id="acme", settings=settings)
    assert (first.status, second.status) == ("published", "unchanged")
    assert second.load_id == first.load_id
    offers = lake.scan_offers(settings.lake_dir, "acme").sort("row").collect()
    assert offers.select("brand", "article", "price", "qty", "qty_approx").rows() == [
        ("BOSCH", "0986452041", Decimal("1299.50"), 10, True),
        ("MERCEDES-BENZ", "A0004201220", Decimal("2040.74"), 1, True),
    ]


def test_bad_file_is_quarantined_and_previous_offers_stay(
    settings: Settings, tmp_path: Path
) -> None:
    ingest(_write(tmp_path / "v1.csv", GOOD), supplier_id="acme", settings=settings)
    broken = _write(tmp_path / "v2.csv", "Бренд;Артикул;Наименование\nBOSCH;1;x\n")
    report = ingest(broken, supplier_id="acme", settings=settings)
    assert report.status == "quarantined"
    assert "article and price" in (report.error or "")
    assert (settings.quarantine_dir / "acme" / f"{report.load_id}-v2.csv").exists()
    offers = lake.scan_offers(settings.lake_dir, "acme").collect()
    assert offers.height == 2
    overview = {r["supplier_id"]: r for r in supplier_overview(settings)}
    assert overview["acme"]["last_status"] == "quarantined"
    assert overview["acme"]["live_rows"] == 2


def test_too_many_rejects_quarantines_with_the_counts(
    settings: Settings, tmp_path: Path
) -> None:
    rows = "".join(f"BOSCH;A{i};x;;1\n" for i in range(8))
    path = _write(
        tmp_path / "p.csv",
        "Бренд;Артикул;Наименование;Цена;Остаток\n" + rows + "BOSCH;B1;x;10;1\n",
    )
    report = ingest(path, supplier_id="acme", settings=settings)
    assert report.status == "quarantined"
    assert report.rejects == {"no_price": 8}
    assert "8 of 9 rows rejected" in (report.error or "")


def test_zip_bomb_is_refused_by_the_decompressed_limit(
    tmp_path: Path, monkeypatch: object
) -> None:
    settings = Settings(
        data_dir=tmp_path / "var", profiles_dir=tmp_path / "none", max_decompressed_mb=1
    )
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("price.csv", "Бренд;Артикул;Цена\n" + "BOSCH;1;1\n" * 400_000)
    report = ingest(bomb, supplier_id="acme", settings=settings)
    assert report.status == "quarantined"
    assert "unpacks to more than" in (report.error or "")


def test_file_size_limit(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "var", profiles_dir=tmp_path / "none", max_file_mb=1
    )
    path = _write(
        tmp_path / "big.csv", "Бренд;Артикул;Цена\n" + "BOSCH;1;1\n" * 200_000
    )
    report = ingest(path, supplier_id="acme", settings=settings)
    assert report.status == "quarantined"
    assert "over the limit" in (report.error or "")


def test_row_limit(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "var", profiles_dir=tmp_path / "none", max_rows=10
    )
    path = _write(tmp_path / "p.csv", "Бренд;Артикул;Цена\n" + "BOSCH;1;1\n" * 500)
    report = ingest(path, supplier_id="acme", settings=settings)
    assert report.status == "quarantined"
    assert "more than 10 rows" in (report.error or "")


def test_cell_length_limit_rejects_the_row(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "var", profiles_dir=tmp_path / "none", max_cell_chars=50
    )
    body = "BOSCH;1;ok;10\n" * 9 + f"BOSCH;2;{'x' * 60};10\n"
    report = ingest(
        _write(tmp_path / "p.csv", "Бренд;Артикул;Наименование;Цена\n" + body),
        supplier_id="acme",
        settings=settings,
    )
    assert report.status == "published"
    assert report.rejects == {"cell_too_long": 1}
    assert pl.DataFrame(report.reject_examples["cell_too_long"])["row"].to_list() == [
        11
    ]
