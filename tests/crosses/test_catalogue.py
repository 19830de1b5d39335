"""The catalogue import format, web-service replies, versions and fitment queries."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from crosses.catalogue import (
    BadValue,
    Catalogue,
    CatalogueError,
    DanglingReference,
    DuplicateKey,
    MissingColumn,
    MissingTable,
    UnreadableCatalogue,
    VersionMismatch,
    read_catalogue,
)
from crosses.catalogue_versions import match_vehicles, next_version, resolve_vehicle_id
from crosses.fitment import (
    UnknownGenericArticle,
    UnknownVehicle,
    generic_articles,
    parts_for_vehicle,
    vehicles_for_vin,
)
from crosses.tecdoc_ws import read_tecdoc_replies
from crosses.vin import decode_vin
from tests.conftest import REPO, shared_file

DATA = REPO / "tests" / "data" / "catalogue"


def _variant(tmp_path: Path, file: str, change: Callable[[str], str]) -> Path:
    """A copy of catalogue v1 with one file's text changed."""
    folder = tmp_path / "v1"
    shutil.copytree(DATA / "v1", folder)
    path = folder / file
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def _error(folder: Path) -> CatalogueError:
    with pytest.raises(CatalogueError) as info:
        read_catalogue(folder)
    return info.value


# The import format ---------------------------------------------------------------


def test_v1_vehicles_are_typed_whole() -> None:
    got = read_catalogue(DATA / "v1")
    expected = pl.DataFrame(
        {
            "vehicle_id": [15657, 15658, 4711],
            "make": ["LADA", "LADA", "KIA"],
            "make_raw": ["LADA", "LADA", "KIA"],
            "model": ["Vesta (GFL)", "Vesta (GFL)", "Rio III (UB)"],
            "type": ["1.6", "1.8", "1.4"],
            "engine_code": ["21129", "21179", "G4FA"],
            "power_kw": [78, 90, 79],
            "power_hp": [106, 122, 107],
            "year_from": [2015, 2015, 2011],
            "year_to": [None, None, 2017],
            "fuel": ["Petrol"] * 3,
            "body": ["Saloon"] * 3,
            "data_version": ["2025.4"] * 3,
        },
        schema=got.vehicles.schema,
    )
    assert_frame_equal(got.vehicles, expected)
    assert (got.version, got.date, got.source, got.mode) == (
        "2025.4", "2025-10-01", "test", "full"
    )  # fmt: skip


def test_identities_are_canonical_and_raw_text_is_kept() -> None:
    got = read_catalogue(DATA / "v1")
    assert got.oe_numbers.drop("data_version").to_dicts() == [
        {
            "brand": "BOSCH", "article": "0986494525", "oe_brand": "LADA",
            "oe_brand_raw": "ВАЗ", "oe_number": "21700350108000",
            "oe_number_raw": "21700-3501080-00",
        },
        {
            "brand": "MANN-FILTER", "article": "W71275", "oe_brand": "VOLKSWAGEN",
            "oe_brand_raw": "VW", "oe_number": "030115561AN",
            "oe_number_raw": "030 115 561 AN",
        },
    ]  # fmt: skip
    assert got.article_criteria.select("criterion", "value", "value_num").rows() == [
        ("Width", "155,1", 155.1),
        ("Test Mark", "ECE-R90", None),
    ]
    assert got.rows() == {
        "brands": 4, "articles": 4, "article_criteria": 2, "oe_numbers": 2,
        "vehicles": 3, "links": 6, "vehicle_id_map": 0, "vehicle_aliases": 0,
    }  # fmt: skip


def _frames(catalogue: Catalogue) -> dict[str, list[tuple[object, ...]]]:
    return {name: frame.rows() for name, frame in catalogue.tables().items()}


def test_zip_and_parquet_read_the_same_as_the_folder(tmp_path: Path) -> None:
    folder = read_catalogue(DATA / "v1")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((DATA / "v1").iterdir()):
            archive.write(path, f"export-2025.4/{path.name}")  # one folder down
    as_parquet = tmp_path / "pq"
    as_parquet.mkdir()
    shutil.copy(DATA / "v1" / "manifest.json", as_parquet)
    for path in (DATA / "v1").glob("*.csv"):
        frame = pl.read_csv(path, separator=";", infer_schema=False)
        frame.write_parquet(as_parquet / f"{path.stem}.parquet")
    assert _frames(read_catalogue(buffer.getvalue())) == _frames(folder)
    assert _frames(read_catalogue(as_parquet)) == _frames(folder)


@pytest.mark.parametrize(
    ("file", "change", "kind", "message"),
    [
        (
            "vehicles.csv", lambda t: t.replace(";78;106;", ";78 kW;106;"), BadValue,
            "`vehicles.csv`, row 2, column `power_kw`: `78 kW` is not a whole number",
        ),
        (
            "vehicles.csv", lambda t: t.replace("2011-09", "late 2011"), BadValue,
            "`vehicles.csv`, row 4, column `year_from`: `late 2011` is not a year "
            "(YYYY, YYYY-MM or YYYY-MM-DD)",
        ),
        (
            "vehicles.csv", lambda t: t.replace("Rio III (UB)", ""), BadValue,
            "`vehicles.csv`, row 4, column `model`: is empty; a value is required",
        ),
        (
            "links.csv", lambda t: t.replace("4711;2025.4", "4711;2025.3"),
            VersionMismatch,
            "`links.csv`, row 6, column `data_version`: `2025.3` differs from the "
            "manifest version `2025.4` (1 more row(s) like it)",
        ),
        (
            "articles.csv", lambda t: t + "BOSCH;0986-494-525;402;Pads;;;2025.4\n",
            DuplicateKey,
            "`articles.csv`, row 2, column `article`: `BOSCH + 0986494525` appears on "
            "rows 2, 6; keys (brand, article) must be unique",
        ),
        (
            "links.csv", lambda t: t + "NGK;BKR6E-11;99999;2025.4\n",
            DanglingReference,
            "`links.csv`, row 8, column `vehicle_id`: `99999` is not in `vehicles.csv`",
        ),
        (
            "article_criteria.csv", lambda t: t.replace("BOSCH;0 986", "TRW;0 986", 1),
            DanglingReference,
            "`article_criteria.csv`, row 2, column `article`: `TRW + 0986494525` is "
            "not in `articles.csv`",
        ),
        (
            "vehicles.csv", lambda t: t.replace("engine_code;", "engine;"),
            BadValue, None,
        ),
        (
            "links.csv", lambda t: t.replace("vehicle_id", "type_id"), MissingColumn,
            "`links.csv`, row 1, column `vehicle_id`: required column(s) "
            "`vehicle_id` missing; the header has `brand`, `article`, `type_id`, "
            "`data_version`",
        ),
        (
            "manifest.json", lambda t: t.replace("2025-10-01", "01.10.2025"), BadValue,
            "`manifest.json`, column `date`: `01.10.2025` is not an ISO date "
            "(YYYY-MM-DD)",
        ),
    ],
)  # fmt: skip
def test_bad_input_names_file_row_and_column(
    tmp_path: Path,
    file: str,
    change: Callable[[str], str],
    kind: type[CatalogueError],
    message: str | None,
) -> None:
    folder = _variant(tmp_path, file, change)
    if message is None:  # `engine_code` is optional: renaming it only drops it
        assert read_catalogue(folder).vehicles["engine_code"].null_count() == 3
        return
    error = _error(folder)
    assert (type(error), str(error)) == (kind, message)


def test_missing_table_and_broken_encoding(tmp_path: Path) -> None:
    folder = _variant(tmp_path, "links.csv", str)
    (folder / "links.csv").unlink()
    error = _error(folder)
    assert isinstance(error, MissingTable)
    assert "the table `links` is missing" in str(error)

    (folder / "links.csv").write_bytes(
        "brand;article;vehicle_id;data_version\nBOSCH;Ф;1;2025.4\n".encode("cp1251")
    )
    error = _error(folder)
    assert (type(error), error.file, error.row) == (UnreadableCatalogue, "links.csv", 2)


def test_id_map_rekeys_links_written_with_old_ids() -> None:
    v2 = read_catalogue(DATA / "v2")
    assert v2.links.filter(pl.col("brand") == "MANN-FILTER")[
        "vehicle_id"
    ].to_list() == [104711]


# Versions and vehicle ids (Q37) ----------------------------------------------


@pytest.fixture
def two_versions() -> tuple[Catalogue, Catalogue]:
    first, _ = next_version(None, read_catalogue(DATA / "v1"))
    second, _ = next_version(first, read_catalogue(DATA / "v2"))
    return first, second


def test_vehicles_are_matched_across_versions() -> None:
    v1, v2 = read_catalogue(DATA / "v1"), read_catalogue(DATA / "v2")
    got = match_vehicles(v1.vehicles, v2.vehicles, v2.vehicle_id_map).sort(
        "old_vehicle_id"
    )
    assert got.rows() == [
        (4711, 104711, "id_map"),  # model and type renamed: only the map knows
        (15657, 1015657, "natural_key"),  # `VESTA (GFL)` = `Vesta (GFL)`
        (15658, 15658, "same_id"),  # year_to filled in: still the same key
    ]


def test_q37_old_vehicle_ids_resolve_and_lookups_stay_consistent(
    two_versions: tuple[Catalogue, Catalogue],
) -> None:
    first, second = two_versions
    assert second.vehicle_aliases.drop("data_version").rows() == [
        (4711, 104711, "id_map", "2026.1"),
        (15657, 1015657, "natural_key", "2026.1"),
    ]
    assert resolve_vehicle_id(second, 15657) == (1015657, "natural_key")
    assert resolve_vehicle_id(second, 1015657) == (1015657, "current")
    assert resolve_vehicle_id(second, 777) == (None, "unknown")
    for old_id in (15657, 15658, 4711):
        for kind in ("402", "686", "7"):
            before = parts_for_vehicle(first, old_id, kind).parts
            after = parts_for_vehicle(second, old_id, kind).parts
            assert after == before, (old_id, kind)
    assert parts_for_vehicle(second, 15657, "402").vehicle["vehicle_id"] == 1015657


def _third_version(tmp_path: Path) -> Path:
    """v2 again as 2026.2 with the Vesta 1.6 renumbered once more."""
    folder = tmp_path / "v3"
    shutil.copytree(DATA / "v2", folder)
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8").replace("2026.1", "2026.2")
        text = text.replace("1015657", "2015657").replace(";4711;", ";104711;")
        path.write_text(text, encoding="utf-8")
    (folder / "vehicle_id_map.csv").unlink()
    return folder


def test_aliases_chain_across_three_versions(
    tmp_path: Path, two_versions: tuple[Catalogue, Catalogue]
) -> None:
    _, second = two_versions
    third, report = next_version(second, read_catalogue(_third_version(tmp_path)))
    assert third.vehicle_aliases.drop("data_version").rows() == [
        (4711, 104711, "id_map", "2026.1"),
        (15657, 2015657, "natural_key", "2026.1"),
        (1015657, 2015657, "natural_key", "2026.2"),
    ]
    assert (report.vehicles_by_natural_key, report.vehicles_same_id) == (1, 2)


def test_a_vehicle_gone_from_a_full_version_is_retired(
    tmp_path: Path, two_versions: tuple[Catalogue, Catalogue]
) -> None:
    _, second = two_versions
    folder = _third_version(tmp_path)
    vehicles = (folder / "vehicles.csv").read_text(encoding="utf-8").splitlines()
    (folder / "vehicles.csv").write_text(
        "\n".join(line for line in vehicles if not line.startswith("2015657")) + "\n",
        encoding="utf-8",
    )
    links = (folder / "links.csv").read_text(encoding="utf-8").splitlines()
    (folder / "links.csv").write_text(
        "\n".join(line for line in links if "2015657" not in line) + "\n",
        encoding="utf-8",
    )
    later, report = next_version(second, read_catalogue(folder))
    assert report.vehicles_retired == 1
    assert resolve_vehicle_id(later, 15657) == (None, "retired")
    with pytest.raises(UnknownVehicle, match="retired"):
        parts_for_vehicle(later, 15657, "402")


# Web-service replies ---------------------------------------------------------------


def _replies(*names: str) -> list[tuple[str, bytes]]:
    return [(n, shared_file("tecdoc", n).read_bytes()) for n in names]


def test_flat_json_replies_map_to_the_tables() -> None:
    got = read_tecdoc_replies(
        _replies(
            "autonahariya_tecdoc_0_986_424_794.json",
            "autonahariya_tecdoc_03C115561H.json",
        )
    )
    assert (got.version, got.date, got.mode) == (
        "ws-2026-08-06",
        "2026-08-06",
        "update",
    )
    columns = ["brand", "article", "article_raw", "generic_article", "ean"]
    assert got.articles.select(columns).rows() == [
        ("BOSCH", "0986424794", "0 986 424 794", "Brake Pad Set, disc brake",
         "3165143955055"),
        ("TRUCKTEC", "0718060", "07.18.060", "Oil Filter", None),
    ]  # fmt: skip
    per_article = got.links.group_by("brand").len().sort("brand").rows()
    assert per_article == [("BOSCH", 521), ("TRUCKTEC", 134)]
    oe = got.oe_numbers.group_by("brand", "oe_brand").len().sort("len", "oe_brand")
    assert oe.filter(pl.col("brand") == "BOSCH").tail(3).rows() == [
        ("BOSCH", "VOLVO", 7), ("BOSCH", "MAZDA", 11), ("BOSCH", "FORD", 46),
    ]  # fmt: skip
    trucktec = got.oe_numbers.filter(pl.col("brand") == "TRUCKTEC")
    assert trucktec["oe_number"].to_list() == [
        "03C115561D", "03C115561E", "03C115561H",
    ]  # fmt: skip
    height = got.article_criteria.filter(pl.col("criterion") == "Height 1 [mm]")
    assert height.select("value", "value_num").rows() == [("62,9", 62.9)]
    c_max = got.vehicles.filter(pl.col("vehicle_id") == 60).drop("data_version")
    assert c_max.to_dicts() == [
        {
            "vehicle_id": 60, "make": "FORD", "make_raw": "FORD",
            "model": "C-MAX II (DXA/CB7, DXA/CEU)", "type": "1.6 Ti",
            "engine_code": None, "power_kw": None, "power_hp": None,
            "year_from": 2010, "year_to": 2019, "fuel": None, "body": None,
        }
    ]  # fmt: skip


def test_soap_xml_replies_map_to_the_tables() -> None:
    got = read_tecdoc_replies(
        _replies(
            "motorlink_tecdoc_getArticles_full.xml",
            "motorlink_tecdoc_getArticles_list.xml",
        ),
        version="ws-test",
    )  # fmt: skip
    mann = got.articles.filter(pl.col("brand") == "MANN-FILTER")
    assert mann.select("article", "generic_article_id", "generic_article").rows()[
        :2
    ] == [
        ("1180461S01", 8, "Luftfilter"),
        ("1497687S01", 7, "Ölfilter"),
    ]
    assert got.articles.filter(pl.col("brand") == "ABS").height == 10
    oe = got.oe_numbers.filter(pl.col("article") == "1180461S01")
    assert oe.select("oe_brand", "oe_number").rows() == [
        ("MERCEDES-BENZ", "0000946904"),  # with and without the `A`: two numbers
        ("MERCEDES-BENZ", "A0000946904"),
    ]
    crit = got.article_criteria.filter(
        (pl.col("article") == "1180461S01") & (pl.col("criterion_id") == 496)
    )
    assert crit.select("criterion", "value", "value_num", "unit").rows() == [
        ("Innendurchmesser [mm]", "222", 222.0, "mm")
    ]
    assert got.brands.select("brand", "brand_id").sort("brand").rows() == [
        ("ABS", "206"), ("MANN-FILTER", "4"),
    ]  # fmt: skip


def test_pegasus_json_with_linkages_and_soap_faults() -> None:
    reply = {
        "totalMatchingArticles": 1,
        "articles": [
            {
                "dataSupplierId": 30, "articleNumber": "0 986 494 525",
                "mfrName": "BOSCH",
                "genericArticles": [{"genericArticleId": 402,
                                     "genericArticleDescription": "Brake Pad Set"}],
                "linkages": [{"linkageTargetId": 15657}, {"linkageTargetId": 15658}],
            }
        ],
    }  # fmt: skip
    got = read_tecdoc_replies([("r.json", json.dumps(reply).encode())], version="x")
    assert got.links.select("brand", "article", "vehicle_id").rows() == [
        ("BOSCH", "0986494525", 15657),
        ("BOSCH", "0986494525", 15658),
    ]
    fault = (
        b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
        b"<S:Fault><faultcode>S:Server</faultcode><faultstring>API key invalid"
        b"</faultstring></S:Fault></S:Body></S:Envelope>"
    )
    with pytest.raises(UnreadableCatalogue, match="SOAP fault: S:Server API key"):
        read_tecdoc_replies([("f.xml", fault)])
    with pytest.raises(UnreadableCatalogue, match="DOCTYPE"):
        read_tecdoc_replies([("b.xml", b'<!DOCTYPE x [<!ENTITY a "a">]><x/>')])


def test_update_reply_rekeys_links_of_the_previous_version() -> None:
    """A reply brings vehicle 6253 back as 1006253: BOSCH's old links follow it."""
    base, _ = next_version(
        None, read_tecdoc_replies(_replies("autonahariya_tecdoc_0_986_424_794.json"))
    )
    reply = {
        "articleNo": "07.18.060", "supplier": "TRUCKTEC AUTOMOTIVE",
        "product": "Oil Filter", "fetchedAt": "2026-09-01T10:00:00Z",
        "vehicles": [{
            "vehicleId": 1006253, "manufacturerName": "VOLVO",
            "modelName": "C30 (533)", "typeEngineName": "D2",
            "constructionIntervalStart": "2010-10-01",
            "constructionIntervalEnd": "2012-12-01",
        }],
    }  # fmt: skip
    update = read_tecdoc_replies([("t.json", json.dumps(reply).encode())])
    merged, report = next_version(base, update)
    assert (merged.version, report.vehicles_by_natural_key, report.links_rekeyed) == (
        "ws-2026-09-01", 1, 1
    )  # fmt: skip
    assert (report.vehicles_kept, report.vehicles_retired) == (520, 0)
    assert resolve_vehicle_id(merged, 6253) == (1006253, "natural_key")
    on_c30 = merged.links.filter(pl.col("vehicle_id") == 1006253)
    assert sorted(on_c30["brand"].to_list()) == ["BOSCH", "TRUCKTEC"]
    assert merged.links.filter(pl.col("vehicle_id") == 6253).is_empty()
    assert merged.vehicles.height == base.vehicles.height  # replaced, not added
    assert merged.articles.height == 2


# Fitment ---------------------------------------------------------------------------


def test_generic_articles_by_id_or_words(
    two_versions: tuple[Catalogue, Catalogue],
) -> None:
    _, cat = two_versions
    assert generic_articles(cat, "402").rows() == [(402, "Brake Pad Set, disc brake")]
    assert generic_articles(cat, "brake pads").rows() == [
        (402, "Brake Pad Set, disc brake")
    ]
    assert generic_articles(cat, "spark").rows() == [(686, "Spark Plug")]
    assert generic_articles(cat, "колодки").is_empty()
    # a word the catalogue does not use: the names holding most of the words
    assert generic_articles(cat, "front brake pads").rows() == [
        (402, "Brake Pad Set, disc brake")
    ]
    assert generic_articles(cat, "front wiper").is_empty()
    with pytest.raises(
        UnknownGenericArticle, match="no generic article matches `wiper`"
    ):
        parts_for_vehicle(cat, 15657, "wiper")


def test_parts_for_vehicle_lists_articles_with_brands(
    two_versions: tuple[Catalogue, Catalogue],
) -> None:
    _, cat = two_versions
    found = parts_for_vehicle(cat, 1015657, "brake pads")
    assert found.parts == [
        {
            "brand": "BOSCH", "article": "0986494525", "article_raw": "0 986 494 525",
            "generic_article_id": 402, "generic_article": "Brake Pad Set, disc brake",
            "description": "front axle",
        },
        {
            "brand": "TRW", "article": "GDB3332", "article_raw": "GDB3332",
            "generic_article_id": 402, "generic_article": "Brake Pad Set, disc brake",
            "description": "front axle",
        },
    ]  # fmt: skip
    assert found.truncated is False
    assert parts_for_vehicle(cat, 1015657, "402", limit=1).truncated is True


def test_vehicles_for_vin_by_make_and_model_year(
    two_versions: tuple[Catalogue, Catalogue],
) -> None:
    _, cat = two_versions
    vesta_2019 = decode_vin("XTAGFL110KY100017", today=dt.date(2026, 6, 1))
    found = vehicles_for_vin(cat, vesta_2019)
    assert [v["vehicle_id"] for v in found.rows] == [1015657, 15658]
    vesta_2023 = decode_vin("XTAGFL110PY100017", today=dt.date(2026, 6, 1))
    assert [v["vehicle_id"] for v in vehicles_for_vin(cat, vesta_2023).rows] == [
        1015657
    ]
    rio_2019 = decode_vin("Z94CB41AAKR123456", today=dt.date(2026, 6, 1))
    assert vehicles_for_vin(cat, rio_2019).rows == []  # Rio III ended in 2017
    assert vehicles_for_vin(cat, vesta_2019, limit=1).truncated is True


def test_a_known_model_keeps_a_vesta_off_largus_pads() -> None:
    """The VIN says make and year only; the client card's model narrows."""
    from types import SimpleNamespace

    vehicles = pl.DataFrame(
        {
            "vehicle_id": [1, 2, 3],
            "make": ["LADA"] * 3,
            "make_raw": ["LADA"] * 3,
            "model": ["Vesta (GFL)", "Largus (R90)", "Vesta Cross (GFK)"],
            "type": ["1.6", "1.6", "1.8"],
            "year_from": [2015, 2012, 2017],
            "year_to": [None, None, None],
            "data_version": ["t"] * 3,
        }
    )
    catalogue: Any = SimpleNamespace(vehicles=vehicles)
    vesta = decode_vin("XTAGFL110KY100017", today=dt.date(2026, 6, 1))

    def ids(model: str | None) -> tuple[list[int], bool | None]:
        found = vehicles_for_vin(catalogue, vesta, model=model)
        return [v["vehicle_id"] for v in found.rows], found.model_matched

    assert ids(None) == ([2, 1, 3], None)
    assert ids("Vesta") == ([1, 3], True)
    assert ids("vesta cross") == ([3], True)
    assert ids("Веста") == ([2, 1, 3], False)  # no match: all are kept, and said
    assert ids("sta") == ([2, 1, 3], False)  # words start, not any substring


def test_renumbered_reply_vehicles_without_power_are_often_ambiguous() -> None:
    """Web-service vehicles carry no power or engine code: many share a key."""
    first = read_tecdoc_replies(_replies("autonahariya_tecdoc_0_986_424_794.json"))
    renumbered = first.vehicles.with_columns(pl.col("vehicle_id") + 1_000_000)
    methods = match_vehicles(first.vehicles, renumbered, first.vehicle_id_map)
    assert dict(methods.group_by("method").len().iter_rows()) == {
        "natural_key": 308,
        "ambiguous": 213,
    }
    id_map = first.vehicles.select(
        old_vehicle_id="vehicle_id", new_vehicle_id=pl.col("vehicle_id") + 1_000_000
    )
    with_map = match_vehicles(first.vehicles, renumbered, id_map)
    assert dict(with_map.group_by("method").len().iter_rows()) == {"id_map": 521}
