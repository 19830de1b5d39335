"""`parts bench ingest` at toy sizes: the figures exist and are positive.

Speed is never asserted here; `docs/benchmarks.md` holds measured figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import python_calamine as calamine
from typer.testing import CliRunner

from parts.cli import app
from pipelines.bench import (
    HEADER,
    SHEET,
    bench_ingest,
    synthetic_offers,
    write_csv_pair,
    write_xlsx,
)

KEYS = (
    "rows_per_s", "baseline_rows_per_s", "ratio", "peak_rss_mb", "file_mb",
    "xlsx_ratio", "xlsx_rows_per_s", "xlsx_baseline_rows_per_s", "seconds",
    "baseline_seconds", "xlsx_seconds", "xlsx_baseline_seconds",
)  # fmt: skip


def test_synthetic_offers_are_deterministic_and_realistic() -> None:
    frame = synthetic_offers(3000, seed=5)
    assert frame.equals(synthetic_offers(3000, seed=5))
    assert frame.columns == HEADER
    assert frame.null_count().sum_horizontal().item() == 0
    prices = frame["Цена"]
    assert prices.str.contains(r"^\d{1,3}(?:\u00a0\d{3})?,\d{2}$").all()
    assert prices.str.contains("\u00a0").any()  # NBSP thousands
    articles = frame["Артикул"]
    assert articles.str.contains(" ").any() and articles.str.contains(r"\.").any()
    assert articles.str.contains("[А-Я]").any()  # Cyrillic look-alikes
    assert frame["Наличие"].is_in([">10", "есть", "под заказ"]).any()


def test_written_files_hold_the_same_rows(tmp_path: Path) -> None:
    frame = synthetic_offers(500)
    cp1251, utf8 = write_csv_pair(frame, tmp_path)
    text = cp1251.read_bytes().decode("cp1251")
    assert text == utf8.read_bytes().decode("utf-8")
    assert text.startswith(";".join(HEADER) + "\r\n")
    back = pl.read_csv(utf8, separator=";", infer_schema=False)
    assert back.equals(frame)

    xlsx = tmp_path / "bench.xlsx"
    write_xlsx(frame, xlsx)
    rows = calamine.CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name(SHEET)
    data = rows.to_python()
    assert data[0] == HEADER
    assert len(data) == 501
    assert tuple(data[1][:3]) == frame.row(0)[:3]
    price = float(frame["Цена"][0].replace("\u00a0", "").replace(",", "."))
    assert data[1][3] == price


def test_bench_figures_at_toy_size(tmp_path: Path) -> None:
    result = bench_ingest(rows=2000, xlsx_rows=500, data_dir=tmp_path)
    for key in KEYS:
        assert result[key] > 0, key
    assert result["rows"] == result["rows_accepted"] == 2000
    assert result["xlsx_rows"] == 500
    assert result["machine"]["nproc"] >= 1
    assert set(result["meets"]) == {"ratio", "peak_rss_over_file", "xlsx_ratio"}
    assert not any((tmp_path / "tmp").iterdir())  # the temp files are gone


def test_cli_prints_json_last(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PARTS_DATA_DIR", str(tmp_path))
    from parts.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app, ["bench", "ingest", "--rows", "1000", "--xlsx-rows", "0", "--json"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert last["rows"] == 1000 and last["rows_per_s"] > 0
    assert last["xlsx_ratio"] is None
    assert "CSV rows/s" in result.output
