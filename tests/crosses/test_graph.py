"""The cross graph: resolution rules, the OE-maker rule, marks and the group guard."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from crosses import store
from crosses.graph import CrossGraph, GraphCache, fnv1a, fnv1a_array, open_graph

Row = tuple[str, str, str, str, str]


def edges(rows: list[Row], source: str = "s1") -> pl.DataFrame:
    """Edges in the lake's schema from (brand_a, article_a, brand_b, article_b, kind)."""
    frame = pl.DataFrame(
        rows,
        schema=["brand_a", "article_a", "brand_b", "article_b", "kind"],
        orient="row",
    )
    return frame.with_columns(
        article_raw_a=pl.col("article_a"),
        article_raw_b=pl.col("article_b"),
        source=pl.lit(source),
        row=pl.int_range(2, frame.height + 2, dtype=pl.Int32),
        verified=pl.lit(False),
        blocked=pl.lit(False),
    )


def graph(rows: list[Row], **kwargs: int) -> CrossGraph:
    return CrossGraph.build(edges(rows), **kwargs)  # type: ignore[arg-type]


def found(
    g: CrossGraph, brand: str, article: str, **kwargs: object
) -> dict[tuple[str, str], str]:
    answer = g.analogs(brand, article, **kwargs)  # type: ignore[arg-type]
    return {(a.brand, a.article): a.kind for a in answer.analogs}


def publish(lake: Path, source: str, rows: list[Row]) -> None:
    store.publish(
        lake, source=source, load_id=store.new_load_id(), edges=edges(rows, source),
        fingerprint=source, file=f"{source}.csv", keep=2,
    )  # fmt: skip


def test_fnv1a_of_arrow_strings_matches_the_scalar_hash() -> None:
    texts = ["", "a", "BOSCH\x1f0986452041", "DAFMI\x1fД387E", "x" * 70]
    hashed = fnv1a_array(pa.array(texts, pa.large_string())).tolist()
    assert hashed == [fnv1a(t) for t in texts]
    assert fnv1a("") == 0xCBF29CE484222325


def test_every_identity_is_found_by_its_exact_key() -> None:
    rows = [("B", f"A{i}", "C", f"{i * 7}", "analog") for i in range(300)]
    g = graph(rows)
    assert g.node_count == 600
    for i in range(300):
        assert g.node_id("B", f"A{i}") is not None
        assert g.node_id("C", f"{i * 7}") is not None
    assert g.node_id("B", "A7000") is None
    assert g.node_id("NOBRAND", "A1") is None


def test_q34_transitive_across_two_suppliers_each_labelled_with_its_source(
    tmp_path: Path,
) -> None:
    publish(
        tmp_path, "supplier-x", [("PATRON", "PN2466", "SANGSIN", "SP1250", "analog")]
    )
    publish(
        tmp_path, "supplier-y", [("SANGSIN", "SP1250", "DELPHI", "D2466", "analog")]
    )
    g = open_graph(tmp_path)

    for brand, article in (
        ("PATRON", "PN2466"),
        ("SANGSIN", "SP1250"),
        ("DELPHI", "D2466"),
    ):
        others = found(g, brand, article)
        assert len(others) == 2, (brand, others)
    answer = g.analogs("PATRON", "PN-2466")
    far = next(a for a in answer.analogs if a.article == "D2466")
    assert [(h.to_article, h.source, h.kind) for h in far.path] == [
        ("SP1250", "supplier-x", "analog"),
        ("D2466", "supplier-y", "analog"),
    ]
    assert far.depth == 2 and far.kind == "analog"
    assert [h.from_article for h in far.path] == ["PN2466", "SP1250"]


def test_q35_no_substring_match_and_the_cross_is_labelled_analog() -> None:
    g = graph([
        ("FENOX", "616024", "LUZAR", "255303", "analog"),
        ("STELLOX", "AA616024ZZ", "TRIALLI", "999", "analog"),
    ])  # fmt: skip
    assert found(g, "FENOX", "616024") == {("LUZAR", "255303"): "analog"}
    assert g.identities("616024") == [("FENOX", "616024")]
    assert g.analogs("FENOX", "61602").known is False


def test_q36_one_way_links_are_followed_only_in_their_direction() -> None:
    g = graph([
        ("RENAULT", "OLD1", "RENAULT", "NEW1", "replacement"),
        ("RENAULT", "NEW1", "RENAULT", "NEWER1", "replacement"),
        ("X", "P1", "Y", "P2", "one_way"),
    ])  # fmt: skip
    assert found(g, "RENAULT", "OLD1") == {("RENAULT", "NEW1"): "replacement",
                                       ("RENAULT", "NEWER1"): "replacement"}  # fmt: skip
    assert found(g, "RENAULT", "NEWER1") == {}
    assert found(g, "RENAULT", "NEW1") == {("RENAULT", "NEWER1"): "replacement"}
    assert found(g, "X", "P1") == {("Y", "P2"): "one_way"}
    assert found(g, "Y", "P2") == {}


def test_q36_an_oe_number_of_two_makers_stays_two_numbers() -> None:
    g = graph([
        ("MANN-FILTER", "WK9042", "VOLVO", "20998367", "oe"),
        ("MANN-FILTER", "WK9042", "SCANIA", "20998367", "oe"),
        ("FLEETGUARD", "FF5421", "VOLVO", "20998367", "oe"),
    ])  # fmt: skip
    assert g.identities("20998367") == [("SCANIA", "20998367"), ("VOLVO", "20998367")]
    from_volvo = g.analogs("VOLVO", "20998367")
    assert {(a.brand, a.article) for a in from_volvo.analogs} == {
        ("MANN-FILTER", "WK9042"), ("FLEETGUARD", "FF5421"),
    }  # fmt: skip
    assert from_volvo.oe_hops_refused == 1  # MANN-FILTER → SCANIA refused
    assert found(g, "SCANIA", "20998367") == {("MANN-FILTER", "WK9042"): "oe"}
    from_mann = found(g, "MANN", "WK 9042")
    assert from_mann == {
        ("VOLVO", "20998367"): "oe",
        ("SCANIA", "20998367"): "oe",
        ("FLEETGUARD", "FF5421"): "analog",
    }


def test_a_direct_oe_to_oe_edge_lets_a_path_change_maker() -> None:
    g = graph([
        ("LEXUS", "0446548150", "TOYOTA", "0446548150", "analog"),
        ("TOYOTA", "0446548150", "TOYOTA", "0446548151", "analog"),
        ("BOSCH", "0986494001", "TOYOTA", "0446548150", "oe"),
        ("BOSCH", "0986494001", "LEXUS", "0446548150", "oe"),
    ])  # fmt: skip
    assert g.stats()["oe_numbers"] == 3  # the related TOYOTA number counts too
    assert ("LEXUS", "0446548150") in found(g, "TOYOTA", "0446548150")
    assert ("TOYOTA", "0446548151") in found(g, "LEXUS", "0446548150")


def test_numbers_of_unknown_maker_are_listed_but_never_passed_through() -> None:
    g = graph([
        ("MAHLE", "AC441000S", "", "1405365", "oe"),
        ("NISSENS", "94664", "", "1405365", "oe"),
    ])  # fmt: skip
    assert found(g, "MAHLE", "AC441000S") == {("", "1405365"): "oe"}
    assert found(g, "", "1405365") == {("MAHLE", "AC441000S"): "oe",
                                       ("NISSENS", "94664"): "oe"}  # fmt: skip
    analog = g.analogs("MAHLE", "AC441000S").analogs[0]
    assert analog.to_dict()["brand"] is None


def test_depth_limits_the_walk() -> None:
    chain = [("A", str(i), "A", str(i + 1), "analog") for i in range(5)]
    g = graph(chain, depth=2)
    assert set(found(g, "A", "0")) == {("A", "1"), ("A", "2")}
    assert set(found(g, "A", "0", depth=4)) == {("A", str(i)) for i in range(1, 5)}


def test_parallel_edges_from_two_sources_are_one_hop_naming_both() -> None:
    frame = pl.concat([
        edges([("BOSCH", "1", "MANN-FILTER", "2", "analog")], "x"),
        edges([("MANN-FILTER", "2", "BOSCH", "1", "analog")], "y"),
    ])  # fmt: skip
    g = CrossGraph.build(frame)
    (analog,) = g.analogs("BOSCH", "1").analogs
    assert analog.path[0].sources == ("x", "y")


def test_blocked_and_verified_marks(tmp_path: Path) -> None:
    publish(tmp_path, "x", [
        ("BOSCH", "1", "MANN-FILTER", "2", "analog"),
        ("MANN-FILTER", "2", "MAHLE", "3", "analog"),
    ])  # fmt: skip
    store.add_mark(
        tmp_path, store.Mark("MANN-FILTER", "2", "BOSCH", "1", "verify", by="ivan")
    )
    store.add_mark(
        tmp_path, store.Mark("MANN-FILTER", "2", "MAHLE", "3", "block", by="olga")
    )
    g = open_graph(tmp_path)

    answer = g.analogs("BOSCH", "1")
    assert [(a.article, a.verified, a.blocked) for a in answer.analogs] == [
        ("2", True, False)
    ]
    listed = g.analogs("BOSCH", "1", include_blocked=True).to_list()
    assert [(a["article"], a["blocked"]) for a in listed] == [("2", False), ("3", True)]
    assert listed[1]["path"][-1]["blocked"] is True


def test_verifying_a_cross_no_source_has_adds_a_manual_cross(tmp_path: Path) -> None:
    publish(tmp_path, "x", [("BOSCH", "1", "MANN-FILTER", "2", "analog")])
    store.add_mark(
        tmp_path, store.Mark("BOSCH", "1", "FILTRON", "OP526", "verify", by="ivan")
    )
    (analog,) = [a for a in open_graph(tmp_path).analogs("BOSCH", "1").analogs
                 if a.brand == "FILTRON"]  # fmt: skip
    assert (analog.verified, analog.path[0].source) == (True, store.MANUAL_SOURCE)


def test_a_mark_survives_a_reload_of_its_source(tmp_path: Path) -> None:
    rows: list[Row] = [("BOSCH", "1", "MANN-FILTER", "2", "analog")]
    publish(tmp_path, "x", rows)
    store.add_mark(
        tmp_path, store.Mark("BOSCH", "1", "MANN-FILTER", "2", "block", by="olga")
    )
    publish(tmp_path, "x", [*rows, ("BOSCH", "1", "MAHLE", "3", "analog")])
    assert found(open_graph(tmp_path), "BOSCH", "1") == {("MAHLE", "3"): "analog"}
    store.add_mark(
        tmp_path, store.Mark("BOSCH", "1", "MANN-FILTER", "2", "verify", by="ivan")
    )
    assert ("MANN-FILTER", "2") in found(open_graph(tmp_path), "BOSCH", "1")


def test_graph_cache_applies_marks_at_once_and_rebuilds_on_a_load(
    tmp_path: Path,
) -> None:
    publish(tmp_path, "x", [("BOSCH", "1", "MANN-FILTER", "2", "analog")])
    cache = GraphCache(tmp_path)
    first = cache.get()
    assert found(first, "BOSCH", "1") == {("MANN-FILTER", "2"): "analog"}
    store.add_mark(
        tmp_path, store.Mark("BOSCH", "1", "MANN-FILTER", "2", "block", by="o")
    )
    assert cache.get() is first and found(first, "BOSCH", "1") == {}
    publish(tmp_path, "y", [("BOSCH", "1", "MAHLE", "3", "analog")])
    assert found(cache.get(), "BOSCH", "1") == {("MAHLE", "3"): "analog"}


def test_a_hub_joining_many_parts_is_not_expanded_and_is_named() -> None:
    bad = [("JUNK", "0", "X", str(i), "analog") for i in range(50)]
    g = graph([("BOSCH", "1", "JUNK", "0", "analog"), *bad], max_group=10)
    answer = g.analogs("BOSCH", "1")
    assert [(a.brand, a.article) for a in answer.analogs] == [("JUNK", "0")]
    assert answer.truncated
    assert answer.guard is not None
    assert (answer.guard.reason, answer.guard.article, answer.guard.degree) == (
        "hub",
        "0",
        51,
    )
    assert answer.guard.via is not None and answer.guard.via.row == 2
    assert "group cap of 10" in answer.guard.message
    assert g.stats()["busiest"][0] == {"brand": "JUNK", "article": "0", "degree": 51,
                                       "over_cap": True}  # fmt: skip


def test_a_resolution_stops_at_the_group_cap_and_names_the_busiest_part() -> None:
    star = [("HUB", "0", "X", str(i), "analog") for i in range(30)]
    g = graph(star, max_group=10)
    answer = g.analogs("HUB", "0")
    assert len(answer.analogs) == 10 and answer.truncated
    assert answer.guard is not None
    assert (answer.guard.reason, answer.guard.article) == ("group_cap", "0")
    assert len(found(g, "HUB", "0", max_group=100)) == 30
    exact = g.analogs("HUB", "0", max_group=30)
    assert (len(exact.analogs), exact.truncated, exact.guard) == (30, False, None)


def test_input_spelling_is_normalized_brand_alias_and_article() -> None:
    g = graph([("MERCEDES-BENZ", "A0004201220", "TRW", "GDB1330", "oe")])
    assert found(g, "MB", "A 000 420 12 20") == {("TRW", "GDB1330"): "oe"}


def test_empty_graph_answers_unknown() -> None:
    g = CrossGraph.build(edges([]))
    assert g.node_count == 0
    assert g.analogs("BOSCH", "1").known is False


@pytest.mark.parametrize("kind", ["analog", "oe"])
def test_two_way_kinds_are_followed_both_ways(kind: str) -> None:
    g = graph([("A", "1", "B", "2", kind)])
    assert found(g, "B", "2") == {("A", "1"): kind}


def test_fix1_a_vehicle_makers_number_is_oe_whatever_the_edge_kind() -> None:
    # pair rows load as `analog` edges; the makers' numbers are OE numbers anyway
    g = graph([
        ("MANN-FILTER", "WK9042", "VOLVO", "20998367", "analog"),
        ("SCANIA", "20998367", "MANN-FILTER", "WK9042", "analog"),
        ("HYUNDAI MOBIS", "2630035503", "MANN-FILTER", "W81180", "analog"),
        ("MANN-FILTER", "W81180", "KIA", "2630035503", "analog"),
    ])  # fmt: skip
    from_volvo = g.analogs("VOLVO", "20998367")
    assert {(a.brand, a.article, a.kind) for a in from_volvo.analogs} == {
        ("MANN-FILTER", "WK9042", "oe")
    }
    assert from_volvo.oe_hops_refused == 1
    assert found(g, "SCANIA", "20998367") == {("MANN-FILTER", "WK9042"): "oe"}
    assert found(g, "MANN", "WK 9042") == {
        ("VOLVO", "20998367"): "oe",
        ("SCANIA", "20998367"): "oe",
    }
    assert g.stats()["edges_by_kind"]["oe"] == 4
    # HYUNDAI MOBIS numbers HYUNDAI and KIA parts: one numbering, no refusal
    assert ("KIA", "2630035503") in found(g, "HYUNDAI MOBIS", "2630035503")
