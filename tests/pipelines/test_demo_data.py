"""The generated demo data set: deterministic, and every file publishes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crosses.articles import normalize_article
from parts.settings import Settings
from pipelines.demo_data import HEADLINE, SUPPLIERS, generate_demo
from pipelines.pricelists.load import ingest
from pipelines.pricelists.report import LoadReport
from search import lake

REPO = Path(__file__).resolve().parents[2]


def _bytes(files: list[tuple[str, Path]]) -> dict[str, bytes]:
    return {supplier_id: path.read_bytes() for supplier_id, path in files}


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = generate_demo(tmp_path / "a")
    second = generate_demo(tmp_path / "b")
    other = generate_demo(tmp_path / "c", seed=8)
    assert [s for s, _ in first] == [s.id for s in SUPPLIERS]
    assert [p.relative_to(tmp_path / "a") for _, p in first] == [
        p.relative_to(tmp_path / "b") for _, p in second
    ]
    assert _bytes(first) == _bytes(second)  # down to ZIP and XLSX timestamps
    assert _bytes(first) != _bytes(other)


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Settings, dict[str, LoadReport]]:
    data_dir = tmp_path_factory.mktemp("demo")
    settings = Settings(data_dir=data_dir, profiles_dir=REPO / "suppliers")
    files = generate_demo(settings.inbox_dir)
    reports = {
        supplier_id: ingest(path, supplier_id=supplier_id, settings=settings)
        for supplier_id, path in files
    }
    return settings, reports


def test_every_demo_file_publishes(
    demo: tuple[Settings, dict[str, LoadReport]],
) -> None:
    settings, reports = demo
    assert len(reports) == len(SUPPLIERS) == 5
    for supplier in SUPPLIERS:
        report = reports[supplier.id]
        assert report.status == "published", (supplier.id, report.error)
        # only the rows made bad on purpose are rejected
        assert report.rejects == supplier.expected_rejects, supplier.id
        assert 1000 <= report.rows_read <= 5000, supplier.id
        assert report.unknown_brands == {}, supplier.id
    assert lake.suppliers(settings.lake_dir) == sorted(s.id for s in SUPPLIERS)
    offers = lake.scan_offers(settings.lake_dir).collect()
    assert offers["supplier_id"].n_unique() == 5
    assert set(offers.filter(pl.col("supplier_id") == "euroline-eur")["currency"]) == {
        "EUR"
    }


def test_most_demo_files_are_read_by_detection(
    demo: tuple[Settings, dict[str, LoadReport]],
) -> None:
    _settings, reports = demo
    detected = [
        supplier_id
        for supplier_id, report in reports.items()
        if not any("profile" in why for why in report.column_reasons.values())
    ]
    assert len(detected) >= 3
    assert "profile" in reports["euroline-eur"].column_reasons["article"]
    forward = reports["forward-trade"]
    assert forward.columns["price"] == "D `Цена Опт`"  # merged over Опт | Розница
    assert [s.name for s in forward.sheets if not s.skipped] == ["Запчасти", "Масла"]


def test_one_identity_has_offers_from_several_suppliers(
    demo: tuple[Settings, dict[str, LoadReport]],
) -> None:
    settings, _reports = demo
    offers = lake.scan_offers(settings.lake_dir).collect()
    bosch = offers.filter(pl.col("brand") == "BOSCH", pl.col("article") == "0986452041")
    assert bosch["supplier_id"].n_unique() >= 2
    assert bosch["price"].n_unique() >= 2
    assert len(set(bosch["article_raw"])) >= 2  # spelled differently per supplier
    per_identity = offers.group_by("brand", "article").agg(
        pl.col("supplier_id").n_unique().alias("suppliers")
    )
    headline = per_identity.join(
        pl.DataFrame(
            {
                "brand": [b for b, *_ in HEADLINE],
                "article": [normalize_article(a)[0] for _, a, *_ in HEADLINE],
            }
        ),
        on=["brand", "article"],
    )
    assert headline.height == len(HEADLINE)
    assert headline["suppliers"].min() >= 4
    shared = per_identity.filter(pl.col("suppliers") >= 2).height
    assert shared >= per_identity.height // 2
