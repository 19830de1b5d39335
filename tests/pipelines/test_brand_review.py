"""Brand review end to end: an unknown spelling is loaded, reviewed, accepted,
and the live offers follow without re-reading the file (Q31)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from crosses.brand_decisions import BrandDecisionError, read_decisions
from parts.cli import app
from parts.settings import Settings
from pipelines.brand_review import (
    accept_alias,
    accept_new,
    aliases_path,
    brand_info,
    recanonicalize,
    reject_suggestion,
    review_queue,
)
from pipelines.pricelists.load import ingest
from pipelines.pricelists.profiles import BrandRules, SupplierProfile
from search import lake

HEADER = "Бренд;Артикул;Наименование;Цена;Остаток\n"
PRICE = HEADER + (
    "Dr. Motor Automotiv;DRM0108;Датчик;500,00;5\n"
    "Dr. Motor Automotiv;DRM0109;Датчик;600,00;2\n"
    "BOSCH;0 986 452 041;Фильтр;1 299,50;>10\n"
)
UNKNOWN = "DR. MOTOR AUTOMOTIV"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", profiles_dir=tmp_path / "profiles")


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("cp1251"))
    return path


def _brands(settings: Settings, supplier_id: str) -> list[tuple[str, str, str]]:
    offers = lake.scan_offers(settings.lake_dir, supplier_id).sort("row").collect()
    return offers.select("brand", "brand_raw", "article").rows()


def test_accepted_alias_reaches_live_offers_without_reingest(
    settings: Settings, tmp_path: Path
) -> None:
    path = _write(tmp_path / "price.csv", PRICE)
    first = ingest(path, supplier_id="acme", settings=settings)
    assert first.status == "published"
    assert UNKNOWN in first.unknown_brands

    queue = review_queue(settings)
    [item] = queue.brands
    assert (item.brand, item.offers, item.suppliers) == (UNKNOWN, 2, {"acme": 2})
    assert item.spellings == ["Dr. Motor Automotiv"]
    assert item.suggestions[0]["brand"] == "DR.MOTOR"
    assert (queue.total, queue.truncated) == (1, False)

    change = accept_alias(settings, UNKNOWN, "DR.MOTOR", by="alice")
    assert (change.outcome.recorded, change.rebranded) == (True, {"acme": 2})
    assert _brands(settings, "acme") == [
        ("DR.MOTOR", "Dr. Motor Automotiv", "DRM0108"),
        ("DR.MOTOR", "Dr. Motor Automotiv", "DRM0109"),
        ("BOSCH", "BOSCH", "0986452041"),
    ]
    live = lake.current(settings.lake_dir, "acme")
    assert live is not None
    assert live.load_id != first.load_id
    assert (live.fingerprint, live.file, live.rows) == (first.sha256, "price.csv", 3)
    assert review_queue(settings).brands == []
    report = lake.reports(settings.lake_dir, "acme")[-1]
    assert (report["load_id"], report["rebranded_from"]) == (
        live.load_id,
        first.load_id,
    )
    assert report["unknown_brands"] == {}

    again = ingest(path, supplier_id="acme", settings=settings)
    assert (again.status, again.load_id) == ("unchanged", live.load_id)


def test_a_second_alias_call_is_idempotent(settings: Settings, tmp_path: Path) -> None:
    ingest(_write(tmp_path / "p.csv", PRICE), supplier_id="acme", settings=settings)
    accept_alias(settings, UNKNOWN, "DR.MOTOR", by="alice")
    live = lake.current(settings.lake_dir, "acme")
    second = accept_alias(settings, "dr. motor automotiv", "Dr Motor", by="bob")
    assert (second.outcome.recorded, second.rebranded) == (False, {})
    assert lake.current(settings.lake_dir, "acme") == live
    [decision] = read_decisions(aliases_path(settings))
    assert (decision.alias, decision.canonical, decision.by) == (
        UNKNOWN,
        "DR.MOTOR",
        "alice",
    )


def test_the_accepted_alias_survives_a_new_ingest(
    settings: Settings, tmp_path: Path
) -> None:
    ingest(_write(tmp_path / "v1.csv", PRICE), supplier_id="acme", settings=settings)
    accept_alias(settings, UNKNOWN, "DR.MOTOR", by="alice")
    v2 = _write(tmp_path / "v2.csv", PRICE + "Dr. Motor Automotiv;DRM0110;x;700;1\n")
    report = ingest(v2, supplier_id="acme", settings=settings)
    assert report.status == "published"
    assert report.unknown_brands == {}
    assert {b for b, _raw, _a in _brands(settings, "acme")} == {"DR.MOTOR", "BOSCH"}
    other = ingest(v2, supplier_id="other", settings=settings)
    assert other.unknown_brands == {}
    assert review_queue(settings).brands == []


def test_every_supplier_with_the_spelling_is_rebranded(
    settings: Settings, tmp_path: Path
) -> None:
    path = _write(tmp_path / "p.csv", PRICE)
    for supplier_id in ("acme", "beta"):
        ingest(path, supplier_id=supplier_id, settings=settings)
    clean = _write(tmp_path / "clean.csv", HEADER + "BOSCH;1;x;10;1\n")
    ingest(clean, supplier_id="gamma", settings=settings)
    gamma = lake.current(settings.lake_dir, "gamma")
    [item] = review_queue(settings).brands
    assert (item.offers, item.suppliers) == (4, {"acme": 2, "beta": 2})
    change = accept_alias(settings, UNKNOWN, "DR.MOTOR", by="alice")
    assert change.rebranded == {"acme": 2, "beta": 2}
    assert lake.current(settings.lake_dir, "gamma") == gamma  # nothing to change
    assert recanonicalize(settings) == {}


def test_profile_brand_rules_are_kept_when_rebranding(
    settings: Settings, tmp_path: Path
) -> None:
    profile = SupplierProfile(
        id="acme",
        brands=BrandRules(strip=[r"\s*\[опт\]"], map={"своя марка": "BOSCH"}),
    )
    text = HEADER + "Dr. Motor Automotiv [опт];A1;x;10;1\nСвоя марка;A2;x;10;1\n"
    ingest(
        _write(tmp_path / "p.csv", text),
        supplier_id="acme",
        settings=settings,
        profile=profile,
    )
    assert [b for b, _r, _a in _brands(settings, "acme")] == [UNKNOWN, "BOSCH"]
    accept_alias(settings, UNKNOWN, "DR.MOTOR", by="alice")
    assert _brands(settings, "acme") == [
        ("DR.MOTOR", "Dr. Motor Automotiv [опт]", "A1"),
        ("BOSCH", "Своя марка", "A2"),
    ]


def test_accept_new_and_reject_take_brands_and_suggestions_out_of_review(
    settings: Settings, tmp_path: Path
) -> None:
    text = PRICE + "Zentparts;Z1;x;10;1\n"
    ingest(_write(tmp_path / "p.csv", text), supplier_id="acme", settings=settings)
    assert {i.brand for i in review_queue(settings).brands} == {UNKNOWN, "ZENTPARTS"}
    assert accept_new(settings, "Zentparts", by="alice").outcome.recorded
    [item] = review_queue(settings).brands
    assert item.brand == UNKNOWN
    reject_suggestion(settings, UNKNOWN, "DR.MOTOR", by="alice")
    [item] = review_queue(settings).brands
    assert "DR.MOTOR" not in [s["brand"] for s in item.suggestions]


def test_a_refused_alias_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    ingest(_write(tmp_path / "p.csv", PRICE), supplier_id="acme", settings=settings)
    live = lake.current(settings.lake_dir, "acme")
    with pytest.raises(BrandDecisionError, match="already the brand `BOSCH`"):
        accept_alias(settings, "BOSCH", "DR.MOTOR", by="alice")
    with pytest.raises(BrandDecisionError, match="not a known brand"):
        accept_alias(settings, UNKNOWN, "DR MOTORZZ", by="alice")
    assert lake.current(settings.lake_dir, "acme") == live
    assert read_decisions(aliases_path(settings)) == []


def test_brands_seen_in_crosses_are_reviewed_with_their_sources(
    settings: Settings,
) -> None:
    edges = pl.LazyFrame(
        {
            "brand_a": ["Dr. Motor Automotiv", "BOSCH", "Zentparts"],
            "brand_b": ["LEMFORDER", "Zentparts", ""],
            "source": ["supplier-x", "supplier-x", "catalogue"],
        }
    )
    queue = review_queue(settings, crosses=edges)
    found = {i.brand: (i.offers, i.crosses, i.sources) for i in queue.brands}
    assert found == {
        "ZENTPARTS": (0, 2, {"supplier-x": 1, "catalogue": 1}),
        UNKNOWN: (0, 1, {"supplier-x": 1}),
    }


def test_review_is_capped_and_says_so(settings: Settings, tmp_path: Path) -> None:
    rows = "".join(f"Brandless{i};A{i};x;10;1\n" for i in range(5))
    ingest(
        _write(tmp_path / "p.csv", HEADER + rows), supplier_id="acme", settings=settings
    )
    queue = review_queue(settings, limit=2)
    assert (len(queue.brands), queue.total, queue.truncated) == (2, 5, True)


def test_brand_info_shows_canonical_aliases_family_and_decisions(
    settings: Settings, tmp_path: Path
) -> None:
    ingest(_write(tmp_path / "p.csv", PRICE), supplier_id="acme", settings=settings)
    accept_alias(settings, UNKNOWN, "DR.MOTOR", by="alice")
    info = brand_info(settings, "dr motor")
    assert (info["canonical"], info["offers"], info["suppliers"]) == (
        "DR.MOTOR",
        2,
        {"acme": 2},
    )
    assert UNKNOWN in info["aliases"]
    assert [(d["alias"], d["by"]) for d in info["decisions"]] == [(UNKNOWN, "alice")]
    kia = brand_info(settings, "КИА")
    assert (kia["canonical"], kia["families"]) == (
        "KIA",
        {"HYUNDAI-KIA": ["GENESIS", "HYUNDAI", "HYUNDAI MOBIS", "KIA"]},
    )
    unknown = brand_info(settings, "Dr Motorz")
    assert (unknown["known"], unknown["canonical"]) == (False, None)
    assert "DR.MOTOR" in unknown["suggestions"]


def test_cli_review_alias_show(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("PARTS_PROFILES_DIR", str(settings.profiles_dir))
    monkeypatch.setenv("USER", "carol")
    from parts.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    try:
        ingest(_write(tmp_path / "p.csv", PRICE), supplier_id="acme", settings=settings)
        review = runner.invoke(app, ["brands", "review", "--json"])
        assert review.exit_code == 0, review.output
        data = json.loads(review.stdout.strip().splitlines()[-1])
        assert [b["brand"] for b in data["brands"]] == [UNKNOWN]
        assert data["brands"][0]["suppliers"] == {"acme": 2}

        refused = runner.invoke(app, ["brands", "alias", "KIA", "HYUNDAI"])
        assert refused.exit_code == 2

        done = runner.invoke(app, ["brands", "alias", UNKNOWN, "DR.MOTOR", "--json"])
        assert done.exit_code == 0, done.output
        change = json.loads(done.stdout.strip().splitlines()[-1])
        assert (change["by"], change["recorded"], change["rebranded"]) == (
            "carol",
            True,
            {"acme": 2},
        )
        show = runner.invoke(app, ["brands", "show", UNKNOWN, "--json"])
        assert (
            json.loads(show.stdout.strip().splitlines()[-1])["canonical"] == "DR.MOTOR"
        )
        new = runner.invoke(app, ["brands", "accept-new", "Zentparts", "--by", "dave"])
        assert new.exit_code == 0, new.output
        assert read_decisions(aliases_path(settings))[-1].by == "dave"
    finally:
        get_settings.cache_clear()
