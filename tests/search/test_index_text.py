"""Text search of the index: one Russian+English analyser, filters, no query syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from search import text_index
from tests.search.factories import Store, make_store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    made = make_store(tmp_path)
    made.publish(
        "s1",
        [
            ("TRW", "GDB1550", "Колодка тормозная передняя", "1500"),
            ("MANN-FILTER", "W712", "Oil Filter", "400"),
            ("BOSCH", "0986452041", "Фильтр масляный", "350"),
        ],
    )
    made.publish(
        "s2",
        [
            ("BOSCH", "0986452041", "Фильтр масляный", "330"),
            ("BOSCH", "0986AF1234", "Фильтр масляный с прокладкой", "500"),
            ("FEBI BILSTEIN", "2108-1001010", "Опора двигателя 2108", "700"),
        ],
    )
    made.sync()
    return made


def _text(store: Store, query: str, **kwargs: object) -> list[tuple[str, str]]:
    snap = store.snapshot()
    return snap.text(text_index.terms(query), **kwargs)  # type: ignore[arg-type]


def test_q41_plural_words_find_the_singular_name(store: Store) -> None:
    assert _text(store, "колодки тормозные") == [("TRW", "GDB1550")]
    assert _text(store, "КОЛОДКА") == [("TRW", "GDB1550")]


def test_english_words_are_stemmed_too(store: Store) -> None:
    assert _text(store, "filters") == [("MANN-FILTER", "W712")]
    assert _text(store, "oil filtering") == [("MANN-FILTER", "W712")]


def test_every_word_must_be_in_the_name(store: Store) -> None:
    assert _text(store, "фильтр прокладкой") == [("BOSCH", "0986AF1234")]
    assert _text(store, "колодки масляный") == []


def test_the_brand_filter_keeps_one_brand(store: Store) -> None:
    assert set(_text(store, "фильтр")) == {
        ("BOSCH", "0986452041"),
        ("BOSCH", "0986AF1234"),
    }
    assert _text(store, "filter") == [("MANN-FILTER", "W712")]
    assert set(_text(store, "фильтр", brand="BOSCH")) == {
        ("BOSCH", "0986452041"),
        ("BOSCH", "0986AF1234"),
    }
    assert _text(store, "фильтр", brand="MANN-FILTER") == []
    assert _text(store, "filter", brand="MANN-FILTER") == [("MANN-FILTER", "W712")]


def test_the_supplier_filter_hides_parts_only_that_supplier_has(store: Store) -> None:
    only_s1 = frozenset({"s1"})
    assert _text(store, "фильтр", allowed=only_s1) == [("BOSCH", "0986452041")]
    assert _text(store, "фильтр прокладкой", allowed=only_s1) == []
    assert _text(store, "фильтр", allowed=frozenset({"s2"})) == [
        ("BOSCH", "0986452041"),  # two offers weigh more than one
        ("BOSCH", "0986AF1234"),
    ]
    assert _text(store, "фильтр", allowed=frozenset()) == []


def test_the_limit_caps_the_identities(store: Store) -> None:
    assert len(_text(store, "фильтр", limit=2)) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"колодки" тормозные', ["колодк", "тормозн"]),
        ("колодки: (тормозные", ["колодк", "тормозн"]),
        ("колодки* тормозн*", ["колодк", "тормозн"]),
        ('name:"колодки"', ["name", "колодк"]),
        ("колодки AND тормозные", ["колодк", "and", "тормозн"]),
        ('"', []),
        ("(", []),
        ("*", []),
        (":", []),
        ("", []),
    ],
)
def test_q39_query_syntax_is_plain_text(
    store: Store, query: str, expected: list[str]
) -> None:
    assert text_index.terms(query) == expected
    found = store.snapshot().text(text_index.terms(query))
    if expected == ["колодк", "тормозн"]:
        assert found == [("TRW", "GDB1550")]
    else:
        assert found == []


def test_terms_are_distinct_and_at_most_twelve() -> None:
    words = " ".join(f"слово{i}" for i in range(20))
    assert len(text_index.terms(words)) == 12
    assert text_index.terms("фильтр Фильтр ФИЛЬТРЫ") == ["фильтр"]


def test_q38_a_dashed_number_in_a_name_is_not_the_other_number(store: Store) -> None:
    assert _text(store, "2108-2904100") == []


def test_the_last_word_may_be_cut_short_while_typing(store: Store) -> None:
    # `колодки торм` is `колодки тормозные` half typed; a cut word inside the
    # query still has to be whole, and two letters are too few for a prefix
    assert _text(store, "колодки торм") == [("TRW", "GDB1550")]
    assert _text(store, "КОЛОД") == [("TRW", "GDB1550")]
    assert _text(store, "торм колодки") == []
    assert _text(store, "колодки то") == []
