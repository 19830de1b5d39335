"""The crosses lake: per-source publish behind a pointer, and the marks table."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crosses import store

EDGE = {"brand_a": ["BOSCH"], "article_a": ["0986452041"], "brand_b": ["MANN-FILTER"],
        "article_b": ["W71275"], "kind": ["analog"], "row": [2]}  # fmt: skip


def test_publish_keeps_the_schema_and_swaps_the_pointer(tmp_path: Path) -> None:
    first = store.publish(
        tmp_path, source="x", load_id="l1", edges=pl.DataFrame(EDGE),
        fingerprint="f1", file="x.csv", keep=1,
    )  # fmt: skip
    edges = store.scan_edges(tmp_path, "x").collect()
    assert edges.schema == pl.Schema(store.EDGE_SCHEMA)
    assert edges.select("source", "load_id", "verified", "blocked").row(0) == (
        "x", "l1", False, False,
    )  # fmt: skip
    assert store.current(tmp_path, "x") == first
    store.publish(
        tmp_path, source="x", load_id="l2", edges=pl.DataFrame(EDGE).vstack(pl.DataFrame(EDGE)),
        fingerprint="f2", file="x.csv", keep=1,
    )  # fmt: skip
    assert store.scan_edges(tmp_path).collect().height == 2
    assert [
        p.stem for p in (tmp_path / "crosses" / "x" / "loads").glob("*.parquet")
    ] == ["l2"]


def test_sources_are_independent(tmp_path: Path) -> None:
    for source in ("a", "b"):
        store.publish(tmp_path, source=source, load_id=store.new_load_id(),
                      edges=pl.DataFrame(EDGE), fingerprint=source, file="f", keep=2)  # fmt: skip
    store.add_mark(
        tmp_path, store.Mark("BOSCH", "1", "MAHLE", "2", "verify", by="ivan")
    )
    assert store.sources(tmp_path) == ["a", "b"]
    assert set(store.live_files(tmp_path)) == {"a", "b"}


@pytest.mark.parametrize("name", ["Bad", "a b", "", "_marks", "manual", "x" * 70])
def test_bad_source_names_are_refused(name: str) -> None:
    with pytest.raises(store.CrossStoreError):
        store.check_source(name)


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(store.CrossStoreError, match="kind `twin`"):
        store.publish(tmp_path, source="x", load_id="l", fingerprint="f", file="f", keep=1,
                      edges=pl.DataFrame({**EDGE, "kind": ["twin"]}))  # fmt: skip


def test_the_latest_mark_of_a_pair_counts_in_either_order(tmp_path: Path) -> None:
    store.add_mark(tmp_path, store.Mark("A", "1", "B", "2", "verify", by="ivan"))
    store.add_mark(tmp_path, store.Mark("B", "2", "A", "1", "block", by="olga"))
    store.add_mark(tmp_path, store.Mark("A", "1", "C", "3", "block", by="olga"))
    marks = store.read_marks(tmp_path)
    assert marks.height == 3 and all(marks["at"])
    latest = store.latest_marks(marks)
    assert latest.select("brand_a", "action", "by").rows() == [
        ("B", "block", "olga"), ("A", "block", "olga"),
    ]  # fmt: skip


def test_a_mark_needs_two_different_parts(tmp_path: Path) -> None:
    with pytest.raises(store.CrossStoreError, match="itself"):
        store.add_mark(tmp_path, store.Mark("A", "1", "A", "1", "block", by="x"))
