"""Real supplier files (read in place from shared/data) give the documented offers."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from crosses.brands import default_table
from parts.settings import Settings
from pipelines.pricelists.ingest import IngestResult, parse_price_file
from pipelines.pricelists.load import limits_from
from pipelines.pricelists.profiles import load_profile
from tests.conftest import PROFILES, SHARED_DATA, shared_file

PROFILE_OF = {
    "perova": "perova.toml",
    "dz-chinaparts-v1": "dz-chinaparts.toml",
    "dz-chinaparts-v2": "dz-chinaparts.toml",
    "oiltime": "oiltime.toml",
    "kolobox-komplektacii": "kolobox.toml",
    "astservis-2024": "astservis.toml",
}
REASON_CODES = {
    "article cell holds a line break (two codes in one cell)": "article_multiline",
    "no article": "no_article",
    "price <= 0": "price_not_positive",
    "no price": "no_price",
}


def _expected() -> dict[str, Any]:
    path = SHARED_DATA / "pricelists" / "expected.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


EXPECTED = _expected()
FILES = sorted(EXPECTED) or ["(shared data absent)"]
_cache: dict[str, IngestResult] = {}


def _parse(file_name: str, tmp_path: Path) -> IngestResult:
    if file_name not in _cache:
        spec = EXPECTED[file_name]
        path = shared_file("pricelists", file_name)
        profile_file = PROFILE_OF.get(spec["supplier"])
        profile = load_profile(PROFILES / profile_file) if profile_file else None
        _cache[file_name] = parse_price_file(
            path,
            supplier_id=spec["supplier"],
            profile=profile,
            limits=limits_from(Settings()),
            tmp_dir=tmp_path,
            max_reject_share=0.25,
        )
    return _cache[file_name]


@pytest.mark.parametrize("file_name", FILES)
def test_real_file_counts(file_name: str, tmp_path: Path) -> None:
    if file_name not in EXPECTED:
        pytest.skip("shared sample data not found")
    spec = EXPECTED[file_name]
    result = _parse(file_name, tmp_path)
    expected_rejects = {
        REASON_CODES[reason]: body["count"] for reason, body in spec["rejects"].items()
    }
    got = result.report
    assert (got.rows_read, got.rows_accepted, got.rows_rejected) == (
        spec["rows_total"],
        spec["rows_valid"],
        spec["rows_total"] - spec["rows_valid"],
    )
    assert got.rejects == expected_rejects
    assert got.identities == spec["identities"]


@pytest.mark.parametrize("file_name", FILES)
def test_real_file_offers(file_name: str, tmp_path: Path) -> None:
    if file_name not in EXPECTED:
        pytest.skip("shared sample data not found")
    result = _parse(file_name, tmp_path)
    brands = default_table()
    for want in EXPECTED[file_name]["offers"]:
        found = result.offers.filter(
            (pl.col("row") == want["row"])
            & pl.col("sheet").eq_missing(pl.lit(want["sheet"], pl.String))
        )
        assert found.height == 1, f"row {want['row']} not found once"
        got = found.row(0, named=True)
        assert {
            "brand": got["brand"],
            "article": got["article"],
            "article_note": got["article_note"],
            "price": f"{got['price']:.2f}",
            "currency": got["currency"],
            "qty": got["qty"],
            "multiplicity": got["multiplicity"],
            "delivery_days_min": got["delivery_days_min"],
            "delivery_days_max": got["delivery_days_max"],
            "article_raw": got["article_raw"],
        } == {
            "brand": brands.canonical(want["brand"]),
            "article": want["article"],
            "article_note": want["article_note"],
            "price": want["price"],
            "currency": want["currency"],
            "qty": want["qty"],
            "multiplicity": want["multiplicity"],
            "delivery_days_min": want["delivery_days_min"],
            "delivery_days_max": want["delivery_days_max"],
            "article_raw": _display(want["article_raw"]),
        }, f"{file_name} row {want['row']}"
        assert Decimal(want["price"]) == got["price"]


def _display(raw: Any) -> str:
    """The expected raw article as text (numbers as Excel shows them)."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


@pytest.mark.parametrize("file_name", FILES)
def test_real_file_rejects_name_their_rows(file_name: str, tmp_path: Path) -> None:
    if file_name not in EXPECTED:
        pytest.skip("shared sample data not found")
    result = _parse(file_name, tmp_path)
    for reason, body in EXPECTED[file_name]["rejects"].items():
        code = REASON_CODES[reason]
        rows = set(result.rejects.filter(pl.col("reason") == code)["row"].to_list())
        for example in body["examples"]:
            assert example["row"] in rows, (
                f"{file_name}: row {example['row']} not {code}"
            )
