"""Cross files of every shape load into typed edges; the shared samples hold."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from crosses import store
from crosses.brands import default_table
from crosses.graph import open_graph
from parts.settings import Settings
from pipelines.crosslists.load import load_crosses
from pipelines.crosslists.options import CrossList, CrossOptions, cross_profile_for
from pipelines.crosslists.parse import detect_separators, split_brand_prefix
from pipelines.crosslists.report import CrossLoadReport
from pipelines.crosslists.shapes import brand_column, cross_field
from tests.conftest import PROFILES, shared_file

CROSSES = ("crosses",)


def canon(brand: str) -> str:
    """The canonical name of a brand today (the alias table may grow)."""
    return default_table().canonical(brand)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def live(settings: Settings, source: str) -> pl.DataFrame:
    return store.scan_edges(settings.lake_dir, source).collect()


def pairs_of(
    frame: pl.DataFrame, kind: str | None = None
) -> set[tuple[str, str, str, str]]:
    if kind is not None:
        frame = frame.filter(pl.col("kind") == kind)
    return set(frame.select("brand_a", "article_a", "brand_b", "article_b").iter_rows())


def load(
    path: Path, source: str, settings: Settings, **options: object
) -> CrossLoadReport:
    chosen = CrossOptions.model_validate(options) if options else None
    return load_crosses(path, source=source, settings=settings, options=chosen)


# The shared samples --------------------------------------------------------------------


@pytest.fixture
def belts(settings: Settings) -> tuple[CrossLoadReport, pl.DataFrame]:
    path = shared_file(*CROSSES, "realshowbelt_timing-belt-cross-reference.csv")
    report = load(path, "realshowbelt", settings)
    return report, live(settings, "realshowbelt")


def test_belts_file_counts(belts: tuple[CrossLoadReport, pl.DataFrame]) -> None:
    report, edges = belts
    assert (report.status, report.shape, report.rows_read) == ("published", "wide", 13)
    oe = edges.filter(pl.col("kind") == "oe")
    assert len(pairs_of(oe)) == 77
    sides = pl.concat(
        [oe.select(b="brand_a", a="article_a"), oe.select(b="brand_b", a="article_b")]
    )
    assert sides.n_unique() == 84
    same_maker = edges.filter(pl.col("kind") != "oe")
    assert same_maker.height == 27
    assert (same_maker["brand_a"] == same_maker["brand_b"]).all()
    assert report.rejects == {}
    assert (
        "A `cross_reference_group` (the rows carry their crosses)"
        in report.unused_columns
    )


def test_belts_expectations_1_2_7_oe_pairs_per_row(
    belts: tuple[CrossLoadReport, pl.DataFrame],
) -> None:
    _report, edges = belts
    oe = pairs_of(edges, "oe")
    gates, dayco, conti, bando = (
        canon(b) for b in ("GATES", "DAYCO", "CONTINENTAL", "BANDO")
    )

    def aftermarket_of(brand: str, article: str) -> set[tuple[str, str]]:
        return {
            (a, b)
            for a, b, oe_brand, oe_art in oe
            if (oe_brand, oe_art) == (brand, article)
        }

    assert aftermarket_of("TOYOTA", "1356869075") == {
        (gates, "T240"), (dayco, "95240"), (conti, "40240"), (conti, "TB240"), (bando, "TB240"),
    }  # fmt: skip
    assert {
        (gates, "T199"),
        (gates, "T199RB"),
        (dayco, "95199"),
        (dayco, "95199FN"),
    } <= (aftermarket_of("TOYOTA", "1356809041"))
    assert aftermarket_of("MITSUBISHI", "1145A043") == {
        (gates, "T287"), (dayco, "95287"), (dayco, "95287FN"), (conti, "40287"),
        (conti, "TB287"), (bando, "TB287"),
    }  # fmt: skip
    row2 = edges.filter((pl.col("row") == 2) & (pl.col("kind") == "oe"))
    assert row2.height == 5


def test_belts_expectation_3_same_group_meets_only_through_aftermarket(
    belts: tuple[CrossLoadReport, pl.DataFrame], settings: Settings
) -> None:
    _report, edges = belts
    oe = pairs_of(edges, "oe")
    gates = canon("GATES")
    assert (gates, "T199", "TOYOTA", "1356879095") in oe
    assert (gates, "T199RB", "TOYOTA", "1356879095") not in oe
    direct = {(a, b) for _, a, _, b in pairs_of(edges)}
    assert ("1356809041", "1356879095") not in direct
    assert ("1356879095", "1356809041") not in direct
    answer = open_graph(settings.lake_dir).analogs("TOYOTA", "13568-09041")
    reached = next(a for a in answer.analogs if a.article == "1356879095")
    assert reached.depth == 2 and reached.path[0].to_brand != "TOYOTA"


def test_belts_expectations_4_5_6_related_numbers_are_distinct_identities(
    belts: tuple[CrossLoadReport, pl.DataFrame],
) -> None:
    _report, edges = belts
    same = pairs_of(edges.filter(pl.col("kind") != "oe"))
    assert ("TOYOTA", "1356879095", "TOYOTA", "135687909583") in same
    assert ("HONDA", "14400P7J004", "HONDA", "14400PR4A01") in same
    assert ("HONDA", "14400P7J004", "HONDA", "14400PR4A01M1") in same
    assert ("HONDA", "14400P13004", "HONDA", "14400P13014") in same
    replacement = pairs_of(edges, "replacement")
    assert replacement == {("TOYOTA", "1356865020", "TOYOTA", "1356869075")}


def test_belts_expectation_8_no_path_joins_two_car_makers(
    belts: tuple[CrossLoadReport, pl.DataFrame], settings: Settings
) -> None:
    _report, edges = belts
    makers = {"TOYOTA", "HONDA", "NISSAN", "MITSUBISHI"}
    oe = edges.filter(pl.col("kind") == "oe")
    assert set(oe["brand_b"].unique()) == makers
    assert not set(oe["brand_a"].unique()) & makers
    graph = open_graph(settings.lake_dir)
    for brand, article in oe.select("brand_b", "article_b").unique().iter_rows():
        for depth in (2, 4):
            seen = {a.brand for a in graph.analogs(brand, article, depth=depth).analogs}
            assert not (seen & makers) - {brand}, (brand, article)


@pytest.fixture
def mahle(settings: Settings) -> tuple[CrossLoadReport, pl.DataFrame]:
    path = shared_file(*CROSSES, "mahle_tecalliance_lr_oe_lookup_output.xlsx")
    report = load(path, "mahle-lr", settings, brand="MAHLE")
    return report, live(settings, "mahle-lr")


def test_mahle_expectations_1_2_oe_lists(
    mahle: tuple[CrossLoadReport, pl.DataFrame],
) -> None:
    report, edges = mahle
    assert (report.status, report.shape, report.rows_read) == ("published", "list", 11)
    oe = edges.filter(pl.col("kind") == "oe")

    def oe_of(article: str) -> set[str]:
        return set(oe.filter(pl.col("article_a") == article)["article_b"])

    assert oe_of("AC273000S") == {"JRB500250", "JRB500270", "LR015556", "LR018405"}
    assert oe_of("AC1140000S") == {"LR062424", "LR106642", "LR181384"}
    assert ("MAHLE", "AC273000S", "LAND ROVER", "LR015556") in pairs_of(oe)
    jrb = oe.filter(pl.col("article_b") == "JRB500250")
    assert jrb["brand_b"].to_list() == [""]  # maker not certain from the shape


def test_mahle_expectations_3_4_5_6(
    mahle: tuple[CrossLoadReport, pl.DataFrame],
) -> None:
    report, edges = mahle
    usage = edges.filter(pl.col("article_a") == "AC1163000P")
    assert "AC1163000S" in set(usage["article_b"])
    assert report.rejects == {"lookup_miss": 1}
    (miss,) = report.reject_examples["lookup_miss"]
    assert miss["row"] == 5 and "LR142436" in miss["line"]
    assert not edges.filter(pl.col("row") == 5).height
    assert {"97057311100", "97057311101"} <= set(
        edges.filter(pl.col("article_a") == "AC425000P")["article_b"]
    )
    parts = edges.filter(pl.col("brand_a") == "MAHLE")["article_a"].unique()
    assert parts.len() == 10
    assert report.columns["brand"] == "`MAHLE` for every row"
    assert edges.filter(pl.col("kind") == "replacement")["article_b"].to_list() == [
        "NBQ620"
    ]


def test_mahle_brand_is_taken_from_the_file_name_with_a_warning(
    settings: Settings,
) -> None:
    path = shared_file(*CROSSES, "mahle_tecalliance_lr_oe_lookup_output.xlsx")
    report = load(path, "mahle-lr", settings)
    assert report.status == "published"
    assert any("file name" in w for w in report.warnings)


def test_perova_price_list_carries_analog_pairs_and_oe_lists(
    settings: Settings,
) -> None:
    path = shared_file("pricelists", "perova_inet.csv")
    options = cross_profile_for(PROFILES, "perova")
    assert options is not None
    report = load_crosses(path, source="perova", settings=settings, options=options)
    assert report.status == "published", report.error
    assert report.rows_read == 19192
    edges = live(settings, "perova")
    # record 2: 40357 A.B.S. is an analog of 357R QUALITY; K lists Ford OE numbers
    record = edges.filter(pl.col("row") == 3)
    assert (canon("QUALITY"), "357R", canon("A.B.S."), "40357") in pairs_of(
        record, "analog"
    )
    oe = record.filter(pl.col("kind") == "oe")
    assert {"4383278", "E4TZ2200B", "19287974"} <= set(oe["article_b"])
    assert set(oe["brand_b"]) == {""}
    assert report.edges_by_kind["oe"] > 40_000
    assert set(report.rejects) <= {"self_cross", "not_a_number"}


# Shapes ------------------------------------------------------------------------------


def test_pair_rows_with_a_header_and_a_kind_column(
    settings: Settings, tmp_path: Path
) -> None:
    text = (
        "Производитель;Артикул;Производитель аналога;Артикул аналога;Тип связи\n"
        "MANN;W 712/75;BOSCH;0 986 452 041;аналог\n"
        "VAG;1K0 615 301 A;VAG;1K0 615 301 AA;замена\n"
        "BOSCH;0 986 452 041;MANN;W 712/75;\n"
        "TRW;GDB1330;TRW;GDB1330;аналог\n"
        "LPR;05P1234;FERODO;FDB1;нечто\n"
    )
    report = load(write(tmp_path, "a.csv", text, "cp1251"), "acme", settings,
                  max_reject_share=0.9)  # fmt: skip
    assert report.status == "published"
    assert report.shape == "pairs"
    assert report.edges_by_kind == {"analog": 1, "replacement": 1}
    assert report.duplicates == 1
    assert report.rejects == {"self_cross": 1, "bad_kind": 1}
    assert report.reject_examples["bad_kind"] == [
        {"row": 6, "column": "D `Артикул аналога`", "value": "FDB1"}
    ]
    assert pairs_of(live(settings, "acme"), "replacement") == {
        ("VOLKSWAGEN", "1K0615301A", "VOLKSWAGEN", "1K0615301AA")
    }


def test_headerless_pair_rows(settings: Settings, tmp_path: Path) -> None:
    text = "BOSCH;0 986 452 041;MANN;W 712/75\nMAHLE;OC 90;KNECHT;OC 90\n"
    report = load(write(tmp_path, "p.csv", text), "acme", settings)
    assert (report.status, report.shape, report.edges) == ("published", "pairs", 2)
    assert report.columns["brand"] == "A"


def test_group_rows_and_the_group_cap(settings: Settings, tmp_path: Path) -> None:
    big = "".join(f"G9,BRAND{i},X{i}00\n" for i in range(250))
    text = (
        "Группа,Бренд,Номер детали\n"
        "G1,NGK,BKR6E-11\nG1,DENSO,K20TT\nG1,BOSCH,0 242 235 666\n"
        "G2,KYB,334302\nG2,SACHS,315 929\n,BOSCH,123\n" + big
    )
    report = load(
        write(tmp_path, "g.csv", text), "acme", settings, max_reject_share=0.99
    )
    assert report.status == "published", report.error
    assert (report.shape, report.edges) == ("group", 4)
    assert report.rejects == {"group_too_large": 250, "no_group": 1}
    assert (
        report.reject_examples["group_too_large"][0]["value"]
        == "G9 (250 parts, cap 200)"
    )
    assert ("NGK", "BKR6E11") in {
        (a.brand, a.article)
        for a in open_graph(settings.lake_dir).analogs("DENSO", "K20TT").analogs
    }


def test_tecdoc_style_oe_references(settings: Settings, tmp_path: Path) -> None:
    text = (
        "Brand;ArticleNo;OE Brand;OE Number\n"
        "MANN-FILTER;WK 9042;VOLVO;20998367\n"
        "MANN-FILTER;WK 9042;SCANIA;20998367\n"
        "MANN-FILTER;WK 9042;;LR012345\n"
    )
    report = load(write(tmp_path, "oe.csv", text), "tecdoc", settings)
    assert (report.status, report.edges_by_kind) == ("published", {"oe": 3})
    assert pairs_of(live(settings, "tecdoc")) == {
        ("MANN-FILTER", "WK9042", "VOLVO", "20998367"),
        ("MANN-FILTER", "WK9042", "SCANIA", "20998367"),
        ("MANN-FILTER", "WK9042", "LAND ROVER", "LR012345"),
    }


def test_a_list_cell_with_brand_prefixes_and_separators(
    settings: Settings, tmp_path: Path
) -> None:
    text = (
        "Бренд,Артикул,Аналоги\n"
        'MANN,W 712/75,"BOSCH 0 986 452 041, OC 90, KNECHT OC 90"\n'
        "MANN,W 719/30,W 719/45\n"
    )
    report = load(write(tmp_path, "l.csv", text), "acme", settings)
    assert report.status == "published"
    assert pairs_of(live(settings, "acme")) == {
        ("MANN-FILTER", "W71275", "BOSCH", "0986452041"),
        ("MANN-FILTER", "W71275", "", "OC90"),
        ("MANN-FILTER", "W71275", canon("KNECHT"), "OC90"),
        ("MANN-FILTER", "W71930", "", "W71945"),
    }


def test_options_pin_list_columns_kind_and_brand(
    settings: Settings, tmp_path: Path
) -> None:
    text = "код;номер;замены\nx;A 1;B 200 / B 300\n"
    options = CrossOptions(
        brand="RENAULT",
        columns={"article": "B"},
        lists=[CrossList(column="C", kind="replacement", brand="RENAULT")],
    )
    report = load_crosses(write(tmp_path, "r.csv", text), source="acme", settings=settings,
                          options=options)  # fmt: skip
    assert report.status == "published", report.error
    assert pairs_of(live(settings, "acme"), "replacement") == {
        ("RENAULT", "A1", "RENAULT", "B200"), ("RENAULT", "A1", "RENAULT", "B300"),
    }  # fmt: skip


# Load flow ---------------------------------------------------------------------------


PAIRS = "brand;article;brand;article\nBOSCH;0 986 452 041;MANN;W 712/75\n"


def test_reload_replaces_only_that_source_and_same_bytes_are_unchanged(
    settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path, "a.csv", PAIRS)
    assert load(path, "x", settings).status == "published"
    assert load(path, "y", settings).status == "published"
    assert load(path, "x", settings).status == "unchanged"
    second = write(tmp_path, "b.csv", PAIRS + "MAHLE;OC 90;KNECHT;OC 90\n")
    assert load(second, "x", settings).edges == 2
    assert (live(settings, "x").height, live(settings, "y").height) == (2, 1)


def test_a_file_with_no_crosses_is_quarantined_and_the_old_edges_stay(
    settings: Settings, tmp_path: Path
) -> None:
    assert load(write(tmp_path, "a.csv", PAIRS), "x", settings).status == "published"
    bad = write(tmp_path, "bad.csv", "Наименование;Цена\nФильтр;100\n")
    report = load(bad, "x", settings)
    assert report.status == "quarantined"
    assert report.error and "bad.csv" in report.error
    assert live(settings, "x").height == 1
    assert list((settings.quarantine_dir / "crosses" / "x").glob("*-bad.csv"))
    assert store.reports(settings.lake_dir, "x")[-1]["status"] == "quarantined"


def test_mostly_rejected_file_is_quarantined(
    settings: Settings, tmp_path: Path
) -> None:
    text = (
        "brand;article;brand;article\n" + "BOSCH;1;BOSCH;1\n" * 5 + "BOSCH;1;MANN;2\n"
    )
    report = load(write(tmp_path, "a.csv", text), "x", settings)
    assert report.status == "quarantined"
    assert "self_cross: 5" in (report.error or "")


def test_a_bad_source_name_is_a_usage_error(settings: Settings, tmp_path: Path) -> None:
    from pipelines.pricelists.errors import ProfileError

    with pytest.raises(ProfileError, match="not valid"):
        load(write(tmp_path, "a.csv", PAIRS), "Bad Name", settings)
    with pytest.raises(ProfileError, match="reserved"):
        load(write(tmp_path, "a.csv", PAIRS), "manual", settings)


# Pieces ------------------------------------------------------------------------------


def test_separators_split_lists_but_not_slashed_articles() -> None:
    assert detect_separators(pl.Series(["T199; T199RB", "40240; TB240"])) == [";"]
    assert detect_separators(pl.Series(["W 712/75", "HU 719/7 x"])) == []
    assert "/" in detect_separators(
        pl.Series(["4383278/E4TZ2200B/19287974", "/D406004A25/"])
    )
    assert " / " in detect_separators(
        pl.Series(["351100744 / 70816174 / 8FC 351 100-744"])
    )


def test_brand_prefix_only_for_known_brands() -> None:
    table = default_table()
    assert split_brand_prefix("BOSCH 0 986 452 041", table) == (
        "BOSCH",
        "0 986 452 041",
    )
    assert split_brand_prefix("OC 90", table) == (None, "OC 90")
    assert split_brand_prefix("8FC 351 100-744", table) == (None, "8FC 351 100-744")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("OE_Numbers", "oe"), ("oem_brand", "oe_brand"), ("Usage_Codes", "analogs"),
        ("cross_reference_group", "group"), ("Артикул аналога", "article_b"),
        ("Status", "status"), ("verification_status", None), ("source_cross_reference", None),
        ("Detail_URL", None), ("Replacement", "replacement"),
    ],
)  # fmt: skip
def test_cross_headers(header: str, field: str | None) -> None:
    hit = cross_field(header)
    assert (hit[0] if hit else None) == field


def test_brand_named_columns() -> None:
    table = default_table()
    assert brand_column("gates_part_number", table) == ("GATES", True)
    assert brand_column("Артикул", table) is None
    assert brand_column("weird_part_number", table) == ("WEIRD", False)


# Review fixes ---------------------------------------------------------------------------


def test_fix1_pair_rows_with_a_vehicle_makers_number_are_oe_edges(
    settings: Settings, tmp_path: Path
) -> None:
    text = (
        "MANN;WK9042;VOLVO;20998367\n"
        "MANN;WK9042;SCANIA;20998367\n"
        "LEXUS;04465-48150;BOSCH;0 986 494 001\n"
        "MANN;W 712/75;BOSCH;0 986 452 041\n"
    )
    report = load(write(tmp_path, "p.csv", text), "pairs", settings)
    assert report.edges_by_kind == {"oe": 3, "analog": 1}
    assert pairs_of(live(settings, "pairs"), "oe") == {
        ("MANN-FILTER", "WK9042", "VOLVO", "20998367"),
        ("MANN-FILTER", "WK9042", "SCANIA", "20998367"),
        ("BOSCH", "0986494001", "LEXUS", "0446548150"),  # aftermarket → OE
    }
    answer = open_graph(settings.lake_dir).analogs("VOLVO", "20998367")
    assert [(a.brand, a.article, a.kind) for a in answer.analogs] == [
        ("MANN-FILTER", "WK9042", "oe")
    ]
    assert answer.oe_hops_refused == 1


def test_fix2_bracketed_makers_of_list_items(
    settings: Settings, tmp_path: Path
) -> None:
    text = (
        "Brand;Article;OE\n"
        "MANN;BF 1018/1;000 477 34 15 (MERCEDES-BENZ) | 6.0541.14.2.0001 (MWM) | "
        "1215 3199 (DEUTZ-FAHR) | EBC 1084 (JAGUAR) | 06L 115 562 A (VW (SVW)) | "
        "AC DELCO 14316B | 2 C 2 H 4115 (bulk)\n"
    )
    options = CrossOptions(lists=[CrossList(column="OE", kind="oe", separators=["|"])])
    report = load_crosses(write(tmp_path, "t.csv", text), source="td",
                          settings=settings, options=options)  # fmt: skip
    assert report.status == "published"
    edges = live(settings, "td")
    assert pairs_of(edges, "oe") == {
        ("MANN-FILTER", "BF10181", "MERCEDES-BENZ", "0004773415"),
        ("MANN-FILTER", "BF10181", "MWM", "605411420001"),
        ("MANN-FILTER", "BF10181", "DEUTZ-FAHR", "12153199"),
        ("MANN-FILTER", "BF10181", "JAGUAR", "EBC1084"),
        ("MANN-FILTER", "BF10181", "VOLKSWAGEN", "06L115562A"),
        ("MANN-FILTER", "BF10181", "", "2C2H4115"),
    }
    assert pairs_of(edges, "analog") == {
        ("MANN-FILTER", "BF10181", canon("ACDELCO"), "14316B")
    }
    assert "MWM" in report.unknown_brands


def test_fix2_mann_tecdoc_export_oem_numbers(settings: Settings) -> None:
    path = shared_file("tecdoc", "motorlink_webisco_mann_tecdoc_export.xlsx")
    report = load(
        path, "mann-tecdoc", settings, shape="list", brand="MANN-FILTER",
        columns={"article": "TD_ArticleNumber"},
        lists=[{"column": "TD_OEMNumbers", "kind": "oe", "separators": ["|"]}],
    )  # fmt: skip
    assert report.status == "published"
    edges = live(settings, "mann-tecdoc")
    bf = pairs_of(edges.filter(pl.col("article_a") == "BF10181"), "oe")
    assert {
        ("MANN-FILTER", "BF10181", "MERCEDES-BENZ", "0004773415"),
        ("MANN-FILTER", "BF10181", "MWM", "605411420001"),
        ("MANN-FILTER", "BF10181", "DEUTZ-FAHR", "12153199"),
    } <= bf
    glued = edges.filter(pl.col("article_b").str.ends_with("MWM"))
    assert glued.is_empty()
    assert set(edges["kind"].unique()) == {"oe"}
    answer = open_graph(settings.lake_dir).analogs("MERCEDES-BENZ", "000 477 34 15")
    assert ("MANN-FILTER", "BF10181") in {(a.brand, a.article) for a in answer.analogs}


def test_fix3_mahle_usage_code_is_a_mahle_article(
    mahle: tuple[CrossLoadReport, pl.DataFrame], settings: Settings
) -> None:
    _report, edges = mahle
    assert ("MAHLE", "AC1163000P", "MAHLE", "AC1163000S") in pairs_of(edges, "analog")
    assert ("MAHLE", "AC425000P", "MAHLE", "AC425000S") in pairs_of(edges, "analog")
    assert not edges.filter(
        (pl.col("article_b") == "AC1163000S") & (pl.col("brand_b") == "")
    ).height
    graph = open_graph(settings.lake_dir)
    found = {(a.brand, a.article) for a in graph.analogs("MAHLE", "AC1163000S").analogs}
    assert ("MAHLE", "AC1163000P") in found
    assert ("", "72563334") in found  # the other usage code, depth 2


def test_fix4_cell_too_long_names_the_long_column_and_clips_the_example(
    settings: Settings, tmp_path: Path
) -> None:
    long_list = " | ".join(f"{n:08d} (VOLVO)" for n in range(400))
    assert len(long_list) > settings.max_cell_chars
    rows = [f"MANN;W {i};{i:07d} (SCANIA)" for i in range(10)]
    text = "Brand;Article;OE\n" + "\n".join([*rows, f"MANN;W 99;{long_list}"]) + "\n"
    options = CrossOptions(lists=[CrossList(column="OE", kind="oe")])
    report = load_crosses(write(tmp_path, "long.csv", text), source="long",
                          settings=settings, options=options)  # fmt: skip
    assert report.rejects == {"cell_too_long": 1}
    (example,) = report.reject_examples["cell_too_long"]
    assert example["column"] == "C `OE`"
    assert len(example["value"]) == 200
    assert example["value"].startswith("00000000 (VOLVO) | ")
