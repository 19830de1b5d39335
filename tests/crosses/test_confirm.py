"""Supplier analogs are checked against the catalogue's OE numbers."""

from __future__ import annotations

import polars as pl

from crosses.graph import CrossGraph, Resolution, confirm_analogs
from tests.crosses.test_graph import edges

OE = pl.DataFrame(
    {
        "brand": ["MANN-FILTER", "BOSCH"],
        "article": ["W71275", "0986452041"],
        "oe_brand": ["VOLKSWAGEN", "VOLKSWAGEN"],
        "oe_number": ["030115561AN", "030115561AN"],
    }
)


def _resolve() -> Resolution:
    supplier = edges(
        [
            ("MANN-FILTER", "W71275", "BOSCH", "0986452041", "analog"),
            ("MANN-FILTER", "W71275", "FILTRON", "OP526", "analog"),
        ],
        source="avtoopt",
    )
    catalogue = edges(
        [("MANN-FILTER", "W71275", "VOLKSWAGEN", "030115561AN", "oe")],
        source="catalogue",
    )
    graph = CrossGraph.build(pl.concat([supplier, catalogue]))
    return graph.analogs("MANN", "W 712/75")


def test_shared_oe_number_confirms_and_its_absence_flags_unconfirmed() -> None:
    confirmed = confirm_analogs(_resolve(), OE)
    assert {(a.brand, a.article): a.confirmed for a in confirmed.analogs} == {
        ("BOSCH", "0986452041"): True,  # shares VW 030115561AN in the catalogue
        ("FILTRON", "OP526"): False,  # the catalogue does not confirm it
        ("VOLKSWAGEN", "030115561AN"): True,  # the catalogue's own OE edge
    }
    assert confirmed.analogs[0].to_dict()["confirmed"] in (True, False)


def test_without_a_catalogue_nothing_is_claimed() -> None:
    assert {a.confirmed for a in confirm_analogs(_resolve(), None).analogs} == {None}
