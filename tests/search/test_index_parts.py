"""Index parts: identity lookups are exact, article-only lookups list every brand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from search import index_parts
from search.index_read import BrandChoice
from tests.search.factories import Store, found, make_store


def _two_suppliers(store: Store) -> None:
    store.publish(
        "s1",
        [
            ("BOSCH", "0986452041", "Фильтр масляный", "100.50"),
            ("MANN-FILTER", "0986452041", "Filter oil", "200"),
            ("BOSCH", "AA616024ZZ", "Колодка тормозная", "300"),
            ("FEBI BILSTEIN", "616024", "Сайлентблок", "40"),
        ],
    )
    store.publish(
        "s2",
        [
            ("BOSCH", "0986452041", "Фильтр масляный", "90"),
            ("FEBI BILSTEIN", "616024", "Сайлентблок рычага", "45.10"),
            ("TRW", "0986452041", "Фильтр", "70"),
        ],
    )
    store.sync()


def test_lookup_returns_every_offer_of_the_identity_and_nothing_else(
    tmp_path: Path,
) -> None:
    store = make_store(tmp_path)
    _two_suppliers(store)
    snap = store.snapshot()
    assert found(snap, [("BOSCH", "0986452041")]) == [
        ("s1", "BOSCH", "0986452041", 10050),
        ("s2", "BOSCH", "0986452041", 9000),
    ]
    assert found(snap, [("MANN-FILTER", "0986452041")]) == [
        ("s1", "MANN-FILTER", "0986452041", 20000)
    ]


def test_q35_616024_never_finds_aa616024zz(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    _two_suppliers(store)
    snap = store.snapshot()
    assert found(snap, [("FEBI BILSTEIN", "616024")]) == [
        ("s1", "FEBI BILSTEIN", "616024", 4000),
        ("s2", "FEBI BILSTEIN", "616024", 4510),
    ]
    assert found(snap, [("BOSCH", "616024"), ("", "616024")]) == []
    assert [c.brand for c in snap.brands("616024")] == ["FEBI BILSTEIN"]
    assert snap.brands("AA616024") == []


def test_same_article_under_two_brands_stays_two_identities(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    _two_suppliers(store)
    snap = store.snapshot()
    rows = found(snap, [("BOSCH", "0986452041"), ("TRW", "0986452041")])
    assert rows == [
        ("s1", "BOSCH", "0986452041", 10050),
        ("s2", "BOSCH", "0986452041", 9000),
        ("s2", "TRW", "0986452041", 7000),
    ]
    _columns, asked, cut = snap.find([("TRW", "0986452041"), ("BOSCH", "0986452041")])
    assert (sorted(asked), cut) == ([0, 1, 1], False)


@pytest.mark.parametrize(
    "hash_of",
    [
        pytest.param(lambda n: np.zeros(n, np.uint64), id="every-key-one-hash"),
        pytest.param(lambda n: np.full(n, 2**64 - 1, np.uint64), id="max-hash"),
    ],
)
def test_a_hash_collision_never_merges_two_identities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hash_of: object
) -> None:
    constant = hash_of(1)[0]  # type: ignore[operator]
    monkeypatch.setattr(index_parts, "fnv1a", lambda text: int(constant))
    monkeypatch.setattr(
        index_parts,
        "fnv1a_array",
        lambda strings: hash_of(len(strings)),  # type: ignore[operator]
    )
    assert index_parts.key_hash("BOSCH", "1") == index_parts.key_hash("TRW", "2")
    store = make_store(tmp_path)
    _two_suppliers(store)
    snap = store.snapshot()

    assert found(snap, [("BOSCH", "0986452041")]) == [
        ("s1", "BOSCH", "0986452041", 10050),
        ("s2", "BOSCH", "0986452041", 9000),
    ]
    assert found(snap, [("FEBI BILSTEIN", "616024")]) == [
        ("s1", "FEBI BILSTEIN", "616024", 4000),
        ("s2", "FEBI BILSTEIN", "616024", 4510),
    ]
    assert found(snap, [("BOSCH", "616024"), ("TRW", "AA616024ZZ")]) == []
    assert [c.brand for c in snap.brands("616024")] == ["FEBI BILSTEIN"]
    assert [c.brand for c in snap.brands("0986452041")] == [
        "BOSCH",
        "MANN-FILTER",
        "TRW",
    ]


def test_brands_of_an_article_lists_every_brand_with_its_offer_count(
    tmp_path: Path,
) -> None:
    store = make_store(tmp_path)
    _two_suppliers(store)
    assert store.snapshot().brands("0986452041") == [
        BrandChoice(brand="BOSCH", name="Фильтр масляный", offers=2),
        BrandChoice(brand="MANN-FILTER", name="Filter oil", offers=1),
        BrandChoice(brand="TRW", name="Фильтр", offers=1),
    ]


def test_brands_count_only_visible_offers_and_hide_brands_left_with_none(
    tmp_path: Path,
) -> None:
    store = make_store(tmp_path)
    _two_suppliers(store)
    assert store.snapshot().brands("0986452041", allowed=frozenset({"s1"})) == [
        BrandChoice(brand="BOSCH", name="Фильтр масляный", offers=1),
        BrandChoice(brand="MANN-FILTER", name="Filter oil", offers=1),
    ]
    assert store.snapshot().brands("0986452041", allowed=frozenset()) == []


def test_find_with_a_limit_keeps_the_first_keys_and_says_it_cut(
    tmp_path: Path,
) -> None:
    store = make_store(tmp_path)
    _two_suppliers(store)
    keys = [("TRW", "0986452041"), ("BOSCH", "0986452041")]
    _columns, asked, cut = store.snapshot().find(keys, limit=2)
    assert (asked, cut) == ([0, 1], True)


def test_an_empty_lake_builds_an_index_that_finds_nothing(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    (tmp_path / "lake").mkdir()
    assert store.sync().action == "full"
    snap = store.snapshot()
    assert found(snap, [("BOSCH", "0986452041")]) == []
    assert snap.brands("0986452041") == []
    assert snap.text(["фильтр"]) == []
