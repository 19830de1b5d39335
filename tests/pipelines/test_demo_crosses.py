"""The demo crosses: deterministic, every file publishes, the headline crosses hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosses.graph import open_graph
from parts.settings import Settings
from pipelines.crosslists.load import load_crosses
from pipelines.demo_crosses import SOURCES, generate_demo_crosses

REPO = Path(__file__).resolve().parents[2]


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = generate_demo_crosses(tmp_path / "a")
    second = generate_demo_crosses(tmp_path / "b")
    other = generate_demo_crosses(tmp_path / "c", seed=8)
    assert [s for s, _ in first] == list(SOURCES)
    assert [p.relative_to(tmp_path / "a") for _, p in first] == [
        Path("crosses", s, name) for s, name in SOURCES.items()
    ]
    assert [p.read_bytes() for _, p in first] == [p.read_bytes() for _, p in second]
    assert [p.read_bytes() for _, p in first] != [p.read_bytes() for _, p in other]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("demo-crosses"),
        profiles_dir=REPO / "suppliers",
    )
    for source, path in generate_demo_crosses(settings.inbox_dir):
        report = load_crosses(path, source=source, settings=settings)
        assert report.status == "published", (source, report.error)
        assert report.rejects == {}, source
    return settings


def test_every_shape_is_present(demo: Settings) -> None:
    from crosses import store

    shapes = {
        r["source"]: r["shape"]
        for s in SOURCES
        for r in store.reports(demo.lake_dir, s)
    }
    assert shapes == {
        "avtoopt-msk": "pairs",
        "catalogue-oe": "list",
        "ural-detal": "group",
    }


def test_the_oil_filter_connects_its_analogs_and_oe_number(demo: Settings) -> None:
    answer = open_graph(demo.lake_dir).analogs("MANN", "W 712/75")
    found = {(a.brand, a.article): a for a in answer.analogs}
    for key in (("BOSCH", "0986452041"), ("MAHLE", "OC90"), ("FILTRON", "OP526")):
        assert found[key].depth == 1 and found[key].kind == "analog"
        assert found[key].path[0].source == "avtoopt-msk"
    oe = found[("VOLKSWAGEN", "030115561AN")]
    assert (oe.kind, oe.path[0].source) == ("oe", "catalogue-oe")


def test_headline_brake_pads_have_oe_crosses(demo: Settings) -> None:
    graph = open_graph(demo.lake_dir)
    for brand, article in (("MERCEDES-BENZ", "A0004201220"), ("TOYOTA", "0446533471")):
        answer = graph.analogs(brand, article)
        assert answer.analogs and all(
            a.kind == "oe" for a in answer.analogs if a.depth == 1
        )
