"""The Tantivy side of an index part: schema, analyser, documents and queries.

One document per identity `(brand, article)` of a part, not per offer: text
search finds parts, and their offers come from the part's columnar table (see
`search.index_parts`). Identity fields are untokenized terms; the name is text
through one analyser for index and query (lower case, Russian then English
Snowball stemmers: `колодки тормозные` and `колодка тормозная` give the same
terms; Latin words pass the Russian stemmer unchanged and Cyrillic words the
English one). User input is never handed to a query parser: it is analysed
into terms and the query is built from term queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import tantivy

ANALYZER = "ru_en"
RAW_FIELDS = ("brand", "article", "supplier", "price_group")
_MAX_TERMS = 12


def analyzer() -> tantivy.TextAnalyzer:
    """The name analyser: simple tokens, lower case, Russian and English stems."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("russian"))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


_ANALYZER = analyzer()


def schema() -> tantivy.Schema:
    """Identity terms, the name as text, suppliers and price groups, counts."""
    builder = tantivy.SchemaBuilder()
    for name in RAW_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("name", tokenizer_name=ANALYZER, index_option="freq")
    builder.add_unsigned_field("ident", fast=True)
    builder.add_unsigned_field("offers", fast=True)
    for name in ("min_price_kop", "qty_total", "days_min"):
        builder.add_integer_field(name, fast=True)
    return builder.build()


def create(path: Path) -> tantivy.Index:
    """A new, empty index folder with the analyser registered."""
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema(), path=str(path))
    index.register_tokenizer(ANALYZER, _ANALYZER)
    return index


def open_index(path: Path) -> tantivy.Index:
    """Open a built index; the analyser must be registered after every open."""
    index = tantivy.Index.open(str(path))
    index.register_tokenizer(ANALYZER, _ANALYZER)
    return index


def terms(text: str) -> list[str]:
    """The analysed terms of a user's words, distinct, in order, at most 12."""
    seen: dict[str, None] = {}
    for term in _ANALYZER.analyze(text):
        if term and len(seen) < _MAX_TERMS:
            seen.setdefault(term, None)
    return list(seen)


PREFIX_MIN_CHARS = 3


def _word_or_prefix(schema_: tantivy.Schema, term: str) -> tantivy.Query:
    exact = tantivy.Query.term_query(schema_, "name", term)
    if len(term) < PREFIX_MIN_CHARS:
        return exact
    prefix = tantivy.Query.fuzzy_term_query(
        schema_, "name", term, distance=0, prefix=True
    )
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, exact), (tantivy.Occur.Should, prefix)]
    )


def words_query(
    index: tantivy.Index,
    words: Sequence[str],
    *,
    suppliers: Sequence[str] | None = None,
    brand: str | None = None,
) -> tantivy.Query | None:
    """Every word's term must be in the name; optional supplier and brand filters.

    None when the words hold no term (punctuation only).
    """
    schema_ = index.schema
    clauses = [
        (tantivy.Occur.Must, tantivy.Query.term_query(schema_, "name", term))
        for term in words[:-1]
    ]
    if words:
        # the last word may be cut short while typing (`фильтр масл`)
        clauses.append((tantivy.Occur.Must, _word_or_prefix(schema_, words[-1])))
    if not clauses:
        return None
    if suppliers is not None:
        allowed = [
            (tantivy.Occur.Should, tantivy.Query.term_query(schema_, "supplier", s))
            for s in suppliers
        ]
        if not allowed:
            return tantivy.Query.empty_query()
        clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(allowed)))
    if brand:
        clauses.append(
            (tantivy.Occur.Must, tantivy.Query.term_query(schema_, "brand", brand))
        )
    return tantivy.Query.boolean_query(clauses)
