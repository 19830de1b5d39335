"""The offers lake publishes atomically and keeps price history."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from search import lake


def _offers(price: str, n: int = 3) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "row": list(range(2, 2 + n)),
            "brand": ["BOSCH"] * n,
            "article": [f"098645204{i}" for i in range(n)],
            "article_raw": [f"0 986 452 04{i}" for i in range(n)],
            "name": ["Фильтр масляный"] * n,
            "price": [Decimal(price)] * n,
            "currency": ["RUB"] * n,
            "qty": [5] * n,
            "multiplicity": [1] * n,
        }
    ).with_columns(pl.col("price").cast(pl.Decimal(18, 2)))


def _publish(root: Path, price: str, load_id: str, keep: int = 5) -> lake.Pointer:
    return lake.publish(
        root, supplier_id="s1", load_id=load_id, offers=_offers(price),
        fingerprint=f"fp-{load_id}", file="a.csv", keep=keep,
    )  # fmt: skip


def test_publish_makes_the_new_load_live_with_the_contract_schema(
    tmp_path: Path,
) -> None:
    _publish(tmp_path, "10.50", "L1")
    frame = lake.scan_offers(tmp_path, "s1").collect()
    assert frame.schema == pl.Schema(lake.OFFERS_SCHEMA)
    assert frame["price"].to_list() == [Decimal("10.50")] * 3
    assert set(frame["load_id"]) == {"L1"}
    assert lake.current(tmp_path, "s1").rows == 3  # type: ignore[union-attr]


def test_failed_pointer_swap_keeps_previous_offers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _publish(tmp_path, "10.50", "L1")
    real_replace = os.replace

    def crash_on_pointer(src: str | Path, dst: str | Path) -> None:
        if str(dst).endswith("CURRENT"):
            raise OSError("disk gone")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_pointer)
    with pytest.raises(OSError):
        _publish(tmp_path, "99.00", "L2")
    monkeypatch.undo()
    frame = lake.scan_offers(tmp_path, "s1").collect()
    assert frame["price"].to_list() == [Decimal("10.50")] * 3


def test_failed_parquet_write_keeps_previous_offers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _publish(tmp_path, "10.50", "L1")

    def broken_write(self: pl.DataFrame, *args: object, **kwargs: object) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", broken_write)
    with pytest.raises(OSError):
        _publish(tmp_path, "99.00", "L2")
    monkeypatch.undo()
    assert lake.current(tmp_path, "s1").load_id == "L1"  # type: ignore[union-attr]
    assert lake.scan_offers(tmp_path, "s1").collect()["price"][0] == Decimal("10.50")


def test_history_keeps_the_configured_number_of_loads(tmp_path: Path) -> None:
    for i in range(5):
        _publish(tmp_path, f"{10 + i}.00", f"L{i}", keep=3)
    assert lake.load_history(tmp_path, "s1") == ["L2", "L3", "L4"]
    assert lake.current(tmp_path, "s1").load_id == "L4"  # type: ignore[union-attr]


def test_suppliers_share_nothing_across_data_dirs(tmp_path: Path) -> None:
    _publish(tmp_path / "a", "10.00", "L1")
    assert lake.suppliers(tmp_path / "a") == ["s1"]
    assert lake.suppliers(tmp_path / "b") == []
    assert lake.scan_offers(tmp_path / "b").collect().height == 0
