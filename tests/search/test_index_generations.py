"""Index generations: deltas per supplier load, full rebuilds, compaction,
pruning after the grace period, snapshots and read-your-writes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from search import index_store
from search.index_read import BrandChoice, OffersIndex, allowed_suppliers
from search.index_store import SupplierMeta
from tests.search.factories import Store, found, make_store

KEYS = [("BOSCH", "111"), ("FEBI BILSTEIN", "222"), ("TRW", "333")]


def _start(tmp_path: Path) -> Store:
    store = make_store(tmp_path)
    store.publish(
        "s1",
        [
            ("BOSCH", "111", "Фильтр масляный", "100"),
            ("FEBI BILSTEIN", "222", "Рычаг подвески", "200"),
        ],
    )
    store.publish("s2", [("BOSCH", "111", "Фильтр масляный", "90")])
    assert store.sync().action == "full"
    return store


def _parts_on_disk(store: Store) -> set[str]:
    return {p.name for p in (store.root / "parts").iterdir()}


def test_a_new_load_gives_a_delta_and_hides_the_suppliers_old_rows(
    tmp_path: Path,
) -> None:
    store = _start(tmp_path)
    base = store.manifest().base
    store.publish("s1", [("BOSCH", "111", "Фильтр масляный", "120")])
    report = store.sync()

    assert (report.action, report.suppliers_changed, report.offers_indexed) == (
        "delta",
        ["s1"],
        1,
    )
    manifest = store.manifest()
    assert manifest.parts == (base, *report.parts_built)
    assert manifest.suppliers["s1"].part == report.parts_built[0]
    assert manifest.suppliers["s2"].part == base
    snap = store.snapshot()
    assert found(snap, KEYS) == [("s1", "BOSCH", "111", 12000), ("s2", "BOSCH", "111", 9000)]  # fmt: skip


def test_an_identity_only_a_superseded_load_had_leaves_brands_and_text(
    tmp_path: Path,
) -> None:
    store = _start(tmp_path)
    store.publish("s1", [("BOSCH", "111", "Фильтр масляный", "120")])
    store.sync()
    snap = store.snapshot()
    assert snap.brands("222") == []
    assert snap.text(["рычаг"]) == []
    assert snap.text(["рычаг"], allowed=frozenset({"s1", "s2"})) == []
    assert snap.brands("111") == [
        BrandChoice(brand="BOSCH", name="Фильтр масляный", offers=2)
    ]


def test_a_removed_supplier_disappears(tmp_path: Path) -> None:
    store = _start(tmp_path)
    store.remove("s2")
    report = store.sync()
    assert (report.action, report.suppliers_removed, report.parts_built) == (
        "meta",
        ["s2"],
        [],
    )
    assert set(store.manifest().suppliers) == {"s1"}
    snap = store.snapshot()
    assert found(snap, KEYS) == [
        ("s1", "BOSCH", "111", 10000),
        ("s1", "FEBI BILSTEIN", "222", 20000),
    ]
    assert snap.brands("111") == [
        BrandChoice(brand="BOSCH", name="Фильтр масляный", offers=1)
    ]


def test_a_removed_suppliers_only_parts_leave_text_search(tmp_path: Path) -> None:
    store = _start(tmp_path)
    store.publish("s3", [("TRW", "333", "Колодка тормозная", "50")])
    store.sync()
    assert store.snapshot().text(["колодк"]) == [("TRW", "333")]
    store.remove("s3")
    store.sync()
    assert store.snapshot().text(["колодк"]) == []
    assert store.snapshot().brands("333") == []


def test_full_makes_a_new_generation_and_prunes_the_old_only_after_the_grace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_store, "KEEP_MANIFESTS", 1)
    store = _start(tmp_path)
    old = store.manifest()
    report = store.sync(full=True)

    assert report.action == "full"
    assert report.generation != old.generation
    assert store.manifest().parts == (report.generation,)
    assert store.manifest().seq == old.seq + 1
    assert _parts_on_disk(store) == {old.generation, report.generation}

    monkeypatch.setattr(index_store, "GRACE_S", 0.0)
    time.sleep(0.01)
    assert store.sync().action == "none"
    assert _parts_on_disk(store) == {report.generation}
    assert found(store.snapshot(), KEYS) == [
        ("s1", "BOSCH", "111", 10000),
        ("s1", "FEBI BILSTEIN", "222", 20000),
        ("s2", "BOSCH", "111", 9000),
    ]


def test_an_old_part_just_retired_waits_the_grace_whatever_its_build_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_store, "KEEP_MANIFESTS", 1)
    store = _start(tmp_path)
    old = store.manifest().generation
    hour_ago = time.time() - 3600
    os.utime(store.root / "parts" / old, (hour_ago, hour_ago))
    new = store.sync(full=True).generation
    assert _parts_on_disk(store) == {old, new}


def test_compaction_after_max_deltas_makes_a_new_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_store, "MAX_DELTAS", 2)
    store = _start(tmp_path)
    first = store.manifest().generation
    actions = []
    for supplier, price in (("s1", "101"), ("s2", "91"), ("s3", "51")):
        store.publish(supplier, [("BOSCH", "111", "Фильтр масляный", price)])
        actions.append(store.sync().action)

    assert actions == ["delta", "delta", "full"]
    manifest = store.manifest()
    assert manifest.generation != first
    assert manifest.parts == (manifest.generation,)
    assert manifest.delta_rows == 0
    assert found(store.snapshot(), KEYS) == [
        ("s1", "BOSCH", "111", 10100),
        ("s2", "BOSCH", "111", 9100),
        ("s3", "BOSCH", "111", 5100),
    ]


def test_a_suppliers_reload_replaces_its_delta_instead_of_adding_one(
    tmp_path: Path,
) -> None:
    store = _start(tmp_path)
    base = store.manifest().base
    for price in ("101", "102", "103"):
        store.publish("s1", [("BOSCH", "111", "Фильтр масляный", price)])
        report = store.sync()
    assert store.manifest().parts == (base, *report.parts_built)
    assert found(store.snapshot(), KEYS) == [
        ("s1", "BOSCH", "111", 10300),
        ("s2", "BOSCH", "111", 9000),
    ]


def test_no_compaction_when_the_ingest_path_forbids_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_store, "MAX_DELTAS", 1)
    store = _start(tmp_path)
    for supplier in ("s3", "s4", "s5"):
        store.publish(supplier, [("BOSCH", "111", "Фильтр масляный", "10")])
        assert store.sync(allow_compaction=False).action == "delta"
    assert len(store.manifest().parts) == 4  # the base and three deltas
    assert store.sync(full=True).action == "full"
    assert len(store.manifest().parts) == 1


@pytest.mark.parametrize("full", [True, False], ids=["full", "delta"])
def test_a_snapshot_keeps_answering_from_its_generation_after_a_publish(
    tmp_path: Path, full: bool
) -> None:
    store = _start(tmp_path)
    before = store.snapshot()
    store.publish("s1", [("BOSCH", "111", "Фильтр масляный", "120")])
    store.sync(full=full)

    assert found(before, [("BOSCH", "111")]) == [
        ("s1", "BOSCH", "111", 10000),
        ("s2", "BOSCH", "111", 9000),
    ]
    after = store.snapshot()
    assert after.seq == before.seq + 1
    assert (after.generation != before.generation) == full
    assert found(after, [("BOSCH", "111")]) == [
        ("s1", "BOSCH", "111", 12000),
        ("s2", "BOSCH", "111", 9000),
    ]


def test_q40_after_sync_returns_the_next_snapshot_sees_it(tmp_path: Path) -> None:
    store = _start(tmp_path)
    other_process = OffersIndex(store.root)
    assert other_process.snapshot() is not None
    for price in ("121", "122", "123"):
        store.publish("s1", [("BOSCH", "111", "Фильтр масляный", price)])
        store.sync()
        for reader in (store.reader, other_process):
            snap = reader.snapshot()
            assert snap is not None
            assert found(snap, [("BOSCH", "111")])[0][3] == int(price) * 100


def test_a_snapshot_is_reused_while_nothing_was_published(tmp_path: Path) -> None:
    store = _start(tmp_path)
    assert store.reader.snapshot() is store.reader.snapshot()
    assert OffersIndex(tmp_path / "nothing").snapshot() is None


def test_a_sync_with_nothing_changed_does_nothing(tmp_path: Path) -> None:
    store = _start(tmp_path)
    before = store.manifest()
    report = store.sync()
    assert (report.action, report.manifest_seq, report.parts_built) == (
        "none",
        before.seq,
        [],
    )
    assert store.manifest() == before


def test_a_meta_change_rewrites_the_manifest_and_visibility_follows(
    tmp_path: Path,
) -> None:
    store = _start(tmp_path)
    before = store.manifest()
    moscow = SupplierMeta(name="Склад М", departments=("moscow",))
    report = store.sync(metas={"s2": moscow})

    assert (report.action, report.manifest_seq, report.parts_built) == (
        "meta",
        before.seq + 1,
        [],
    )
    manifest = store.manifest()
    assert manifest.parts == before.parts
    assert manifest.suppliers["s2"].meta == moscow
    assert allowed_suppliers(manifest, department="spb") == {"s1"}
    assert allowed_suppliers(manifest, department="moscow") == {"s1", "s2"}
    snap = store.snapshot()
    spb = allowed_suppliers(snap.manifest, department="spb")
    assert found(snap, [("BOSCH", "111")], allowed=spb) == [
        ("s1", "BOSCH", "111", 10000)
    ]
    assert store.sync(metas={"s2": moscow}).action == "none"
    assert store.sync().action == "none"  # a supplier left out keeps its meta
    assert store.manifest().suppliers["s2"].meta == moscow


def test_price_groups_narrow_the_visible_suppliers(tmp_path: Path) -> None:
    store = _start(tmp_path)
    store.sync(
        metas={
            "s1": SupplierMeta(price_groups=("oils", "filters")),
            "s2": SupplierMeta(price_groups=("filters",)),
        }
    )
    manifest = store.manifest()
    assert allowed_suppliers(manifest, department=None, price_groups=["oils"]) == {"s1"}
    assert allowed_suppliers(manifest, department=None, price_groups=["filters"]) == {
        "s1",
        "s2",
    }
    assert allowed_suppliers(manifest, department=None, price_groups=["tyres"]) == (
        frozenset()
    )
