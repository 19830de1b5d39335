"""Bugs found by a fresh user's review, each pinned by a test named after it."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from parts.cli import app
from parts.settings import Settings
from pipelines.pricelists.errors import ProfileError
from pipelines.pricelists.load import ingest
from search import lake

HEAD = "Бренд;Артикул;Наименование;Цена;Срок\n"


def _csv(path: Path, body: str) -> Path:
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def _offers(settings: Settings, supplier: str) -> pl.DataFrame:
    return lake.scan_offers(settings.lake_dir, supplier).sort("row").collect()


def test_currency_written_in_the_price_cell_is_kept(
    settings: Settings, tmp_path: Path
) -> None:
    body = (
        "BOSCH;1;a;12,50 EUR;\nBOSCH;2;b;9,90 €;\nBOSCH;3;c;100 грн;\n"
        "BOSCH;4;d;$15.00;\nBOSCH;5;e;1 299,50 руб.;\nBOSCH;6;f;500;\n"
    )
    report = ingest(_csv(tmp_path / "p.csv", body), supplier_id="s", settings=settings)
    assert report.status == "published"
    assert _offers(settings, "s").select("price", "currency").rows() == [
        (Decimal("12.50"), "EUR"), (Decimal("9.90"), "EUR"), (Decimal("100.00"), "UAH"),
        (Decimal("15.00"), "USD"), (Decimal("1299.50"), "RUB"), (Decimal("500.00"), "RUB"),
    ]  # fmt: skip


def test_a_sixteen_digit_price_rejects_its_row_not_the_file(
    settings: Settings, tmp_path: Path
) -> None:
    body = "".join(f"BOSCH;{i};x;{100 + i};\n" for i in range(20))
    body += "BOSCH;99;x;1000000000000000;\n"
    report = ingest(_csv(tmp_path / "p.csv", body), supplier_id="s", settings=settings)
    assert (report.status, report.rejects) == ("published", {"bad_price": 1})
    assert report.reject_examples["bad_price"][0]["row"] == 22


def test_delivery_range_written_backwards_is_ordered(
    settings: Settings, tmp_path: Path
) -> None:
    path = _csv(tmp_path / "p.csv", "BOSCH;1;x;10;10-3\nBOSCH;2;x;10;3-10 дн.\n")
    ingest(path, supplier_id="s", settings=settings)
    days = _offers(settings, "s").select("delivery_days_min", "delivery_days_max")
    assert days.rows() == [(3, 10), (3, 10)]


def test_one_broken_profile_does_not_stop_other_suppliers(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "bad.toml").write_text('id = "bad"\n[reader]\ndecimal = ";"\n')
    settings = Settings(data_dir=tmp_path / "var", profiles_dir=profiles)
    good = ingest(_csv(tmp_path / "p.csv", "BOSCH;1;x;10;\n"), supplier_id="good",
                  settings=settings)  # fmt: skip
    assert good.status == "published"
    with pytest.raises(ProfileError, match=r"bad\.toml"):
        ingest(tmp_path / "p.csv", supplier_id="bad", settings=settings)


def test_unknown_encoding_in_a_profile_is_a_profile_error(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "s.toml").write_text('id = "s"\n[reader]\nencoding = "klingon"\n')
    settings = Settings(data_dir=tmp_path / "var", profiles_dir=profiles)
    with pytest.raises(ProfileError, match="unknown encoding `klingon`"):
        ingest(_csv(tmp_path / "p.csv", "BOSCH;1;x;10;\n"), supplier_id="s",
               settings=settings)  # fmt: skip


def test_row_limit_is_exact(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", profiles_dir=tmp_path, max_rows=10)
    ten = ingest(_csv(tmp_path / "a.csv", "BOSCH;1;x;10;\n" * 10), supplier_id="s",
                 settings=settings)  # fmt: skip
    eleven = ingest(_csv(tmp_path / "b.csv", "BOSCH;1;x;10;\n" * 11), supplier_id="s",
                    settings=settings)  # fmt: skip
    assert (ten.status, eleven.status) == ("published", "quarantined")
    assert "11 data rows, over the limit of 10" in (eleven.error or "")


def test_zip_members_are_counted_and_named_apart(
    settings: Settings, tmp_path: Path
) -> None:
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.csv", HEAD + "BOSCH;1;x;10;\nBOSCH;2;x;11;\n")
        zf.writestr("b.csv", HEAD + "MANN;3;x;12;\n")
    report = ingest(archive, supplier_id="s", settings=settings)
    counts = [
        (s.name, s.rows_read, s.rows_accepted, s.rows_rejected) for s in report.sheets
    ]
    assert counts == [("a.csv", 2, 2, 0), ("b.csv", 1, 1, 0)]
    assert _offers(settings, "s").select("sheet", "row").sort("sheet", "row").rows() == [
        ("a.csv", 2), ("a.csv", 3), ("b.csv", 2),
    ]  # fmt: skip


def test_reject_examples_clip_huge_cells(settings: Settings, tmp_path: Path) -> None:
    body = (
        "".join(f"BOSCH;{i};x;10;\n" for i in range(9)) + f"BOSCH;9;x;{'9' * 5000};\n"
    )
    report = ingest(_csv(tmp_path / "p.csv", body), supplier_id="s", settings=settings)
    (example,) = (
        report.reject_examples["cell_too_long"] or report.reject_examples["bad_price"]
    )
    assert len(example["price_raw"]) <= 201


@pytest.mark.parametrize("reserved", ["crosses", "catalogue"])
def test_reserved_supplier_ids_are_refused(
    settings: Settings, tmp_path: Path, reserved: str
) -> None:
    with pytest.raises(ProfileError, match="reserved"):
        ingest(_csv(tmp_path / "p.csv", "BOSCH;1;x;10;\n"), supplier_id=reserved,
               settings=settings)  # fmt: skip


def test_empty_file_says_it_is_empty(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    report = ingest(path, supplier_id="s", settings=settings)
    assert report.status == "quarantined"
    assert "the file is empty" in (report.error or "")


def test_bad_setting_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from parts.settings import get_settings

    monkeypatch.setenv("PARTS_MAX_ROWS", "abc")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["suppliers"])
    get_settings.cache_clear()
    assert result.exit_code == 2
    assert "PARTS_MAX_ROWS" in result.output


def test_demo_leaves_the_inbox_empty(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    left = (
        [p for p in settings.inbox_dir.rglob("*") if p.is_file()]
        if settings.inbox_dir.exists()
        else []
    )
    assert left == []
    assert len(lake.suppliers(settings.lake_dir)) == 5


def test_brand_suggestions_prefer_whole_word_likeness() -> None:
    from crosses.brands import default_table

    assert default_table().suggest("BOSH")[0] == "BOSCH"


def test_catalogue_load_refuses_other_replies_and_office_files(tmp_path: Path) -> None:
    from pipelines.catalogue.load import load_catalogue
    from tests.conftest import shared_file

    settings = Settings(data_dir=tmp_path / "var", profiles_dir=tmp_path)
    manufacturers = load_catalogue(
        shared_file("tecdoc", "motorlink_tecdoc_getManufacturers.xml"),
        settings=settings,
    )
    assert manufacturers.status == "rejected"
    assert "not `getArticlesResponse`" in (manufacturers.error or "")
    office = load_catalogue(
        shared_file("tecdoc", "motorlink_webisco_mann_tecdoc_export.xlsx"),
        settings=settings,
    )
    assert office.status == "rejected"
    assert "Office document" in (office.error or "")


def test_first_data_row_without_a_number_is_data_not_header(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(
        "Бренд;Артикул;Наименование;Цена;Остаток\n"
        "HRB;HR-0001;Деталь;по запросу;\nHRB;HR-0002;Деталь;100;5\n"
        "HRB;HR-0003;Деталь;200;5\nHRB;HR-0004;Деталь;300;1\n",
        encoding="utf-8",
    )
    report = ingest(path, supplier_id="s", settings=settings)
    assert (report.rows_read, report.rejects) == (4, {"bad_price": 1})
    assert report.columns["price"] == "D `Цена`"


def test_quarantine_report_keeps_the_file_size(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a;b\n1;2\n" * 4)
    report = ingest(path, supplier_id="s", settings=settings)
    assert (report.status, report.size_bytes) == ("quarantined", 32)


def test_parts_price_takes_any_brand_spelling_and_refuses_unknown_groups(
    settings: Settings,
) -> None:
    args = ["price", "--supplier", "euroline-eur", "--price", "10", "--currency",
            "EUR", "--json"]  # fmt: skip
    rules = {
        brand: json.loads(
            CliRunner()
            .invoke(app, [*args, "--brand", brand, "--client-group", "retail"])
            .stdout
        )["rule_id"]
        for brand in ("BOSCH", "bosch", "БОШ")
    }
    assert len(set(rules.values())) == 1
    unknown = CliRunner().invoke(
        app, [*args, "--brand", "BOSCH", "--client-group", "x"]
    )
    assert unknown.exit_code == 2


def test_a_discount_over_100_percent_is_refused() -> None:
    from pydantic import ValidationError

    from pricing.rules import Discount

    with pytest.raises(ValidationError):
        Discount(percent=Decimal(150))
