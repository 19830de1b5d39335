"""Catalogue loads end to end: the lake, Dagster, the demo catalogue and the CLI."""

from __future__ import annotations

import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import polars as pl
import pytest
from dagster import (
    DefaultSensorStatus,
    Definitions,
    RunRequest,
    build_sensor_context,
    instance_for_test,
    materialize,
)
from typer.testing import CliRunner

from crosses.fitment import parts_for_vehicle, vehicles_for_vin
from crosses.vin import decode_vin
from parts.cli import app
from parts.settings import Settings
from pipelines.catalogue import inbox
from pipelines.catalogue.assets import catalogue
from pipelines.catalogue.load import load_catalogue
from pipelines.catalogue.queries import vin_report
from pipelines.catalogue.sensors import build_catalogue_sensor
from pipelines.demo_catalogue import DEMO_VINS, VEHICLES, generate_demo_catalogue
from pipelines.demo_data import generate_demo
from pipelines.pricelists.inbox import scan_inbox
from pipelines.pricelists.load import ingest
from search import catalogue_lake, lake
from tests.conftest import REPO, shared_file

DATA = REPO / "tests" / "data" / "catalogue"
runner = CliRunner()


def _age(path: Path, seconds: float = 60) -> Path:
    then = time.time() - seconds
    for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(p, (then, then))
    return path


# Loads and the lake ---------------------------------------------------------------


def test_versions_publish_unchanged_and_rejected(
    settings: Settings, tmp_path: Path
) -> None:
    first = load_catalogue(DATA / "v1", settings=settings)
    again = load_catalogue(DATA / "v1", settings=settings)
    second = load_catalogue(DATA / "v2", settings=settings)
    bad = tmp_path / "bad"
    shutil.copytree(DATA / "v2", bad)
    (bad / "vehicles.csv").write_text("vehicle_id;make\n1;LADA\n", encoding="utf-8")
    rejected = load_catalogue(bad, settings=settings)

    assert [r.status for r in (first, again, second, rejected)] == [
        "published", "unchanged", "published", "rejected",
    ]  # fmt: skip
    assert second.rekey | {"examples": []} == {
        "previous_version": "2025.4", "vehicles_same_id": 1, "vehicles_by_id_map": 1,
        "vehicles_by_natural_key": 1, "vehicles_retired": 0, "vehicles_kept": 0, "vehicles_ambiguous": 0,
        "links_rekeyed": 0, "links_dropped": 0, "aliases": 2, "examples": [],
    }  # fmt: skip
    assert rejected.error == (
        "`vehicles.csv`, row 1, column `model`: required column(s) `model`, `type`, "
        "`year_from`, `data_version` missing; the header has `vehicle_id`, `make`"
    )
    assert rejected.error_at == {"file": "vehicles.csv", "row": 1, "column": "model"}
    live = catalogue_lake.read_current(settings.lake_dir)
    assert live is not None and live.version == "2026.1"  # the bad one changed nothing
    assert live.vehicle_aliases["alias_id"].to_list() == [4711, 15657]
    assert len(catalogue_lake.versions(settings.lake_dir)) == 2
    statuses = [r["status"] for r in catalogue_lake.reports(settings.lake_dir)]
    assert statuses == ["published", "unchanged", "published", "rejected"]


def test_old_versions_are_pruned(settings: Settings, tmp_path: Path) -> None:
    for n in range(settings.catalogue_keep_versions + 2):
        folder = tmp_path / f"v{n}"
        shutil.copytree(DATA / "v1", folder)
        for path in folder.iterdir():
            text = path.read_text(encoding="utf-8").replace("2025.4", f"2025.{n + 10}")
            path.write_text(text, encoding="utf-8")
        assert load_catalogue(folder, settings=settings).status == "published"
    kept = catalogue_lake.versions(settings.lake_dir)
    pointer = catalogue_lake.current(settings.lake_dir)
    assert pointer is not None
    assert len(kept) == settings.catalogue_keep_versions
    assert kept[-1] == pointer.load_id


def test_zip_and_web_service_replies_load(settings: Settings, tmp_path: Path) -> None:
    archive = tmp_path / "catalogue.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (DATA / "v1").iterdir():
            zf.write(path, path.name)
    assert load_catalogue(archive, settings=settings).version == "2025.4"

    replies = tmp_path / "replies"
    replies.mkdir()
    for name in (
        "autonahariya_tecdoc_0_986_424_794.json",
        "motorlink_tecdoc_getArticles_full.xml",
    ):
        shutil.copy(shared_file("tecdoc", name), replies)
    report = load_catalogue(replies, settings=settings, version="ws-1")
    assert (report.status, report.kind, report.version, report.mode) == (
        "published", "tecdoc-ws", "ws-1", "update",
    )  # fmt: skip
    assert report.rows["articles"] == 4 + 1 + 5  # the v1 articles stay: an update
    assert report.rows["vehicles"] == 3 + 521


def test_neither_catalogue_nor_replies_is_rejected(
    settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    report = load_catalogue(tmp_path, settings=settings)
    assert report.status == "rejected"
    assert report.error is not None and "neither a catalogue" in report.error


# Dagster ----------------------------------------------------------------------------


def test_definitions_have_the_catalogue_asset_and_sensor() -> None:
    from pipelines.definitions import defs

    Definitions.validate_loadable(defs)
    sensor = defs.resolve_sensor_def("catalogue_sensor")
    assert sensor.default_status == DefaultSensorStatus.RUNNING
    assert catalogue.group_names_by_key[catalogue.key] == "catalogue"


def test_materialize_loads_the_inbox_item_and_archives_it(settings: Settings) -> None:
    folder = inbox.inbox_of(settings)
    folder.mkdir(parents=True)
    item = _age(Path(shutil.copytree(DATA / "v1", folder / "tecdoc-2025.4")))
    with instance_for_test() as instance:
        result = materialize([catalogue], instance=instance)
    assert result.success
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert (metadata["status"].value, metadata["version"].value) == (
        "published",
        "2025.4",
    )
    assert not item.exists()
    archived = list((settings.archive_dir / "catalogue").iterdir())
    assert [p.name.endswith("-tecdoc-2025.4") for p in archived] == [True]


def test_materialize_fails_on_a_rejected_catalogue(
    settings: Settings, tmp_path: Path
) -> None:
    folder = inbox.inbox_of(settings)
    folder.mkdir(parents=True)
    bad = folder / "broken.zip"
    bad.write_bytes(b"not a zip")
    with instance_for_test() as instance:
        result = materialize(
            [catalogue],
            instance=instance,
            run_config={"ops": {"catalogue": {"config": {"path": str(bad)}}}},
            raise_on_error=False,
        )
    assert not result.success
    quarantined = sorted(
        p.suffix for p in (settings.quarantine_dir / "catalogue").iterdir()
    )
    assert quarantined == [".json", ".zip"]
    assert catalogue_lake.current(settings.lake_dir) is None


def test_sensor_requests_one_run_per_settled_item(settings: Settings) -> None:
    folder = inbox.inbox_of(settings)
    folder.mkdir(parents=True)
    ready = _age(Path(shutil.copytree(DATA / "v1", folder / "v1")))
    (folder / "fresh.zip").write_bytes(b"still being written")
    (folder / "readme.txt").write_text("not a catalogue", encoding="utf-8")
    sensor = build_catalogue_sensor(poll_s=15)
    with instance_for_test() as instance:
        result = sensor(build_sensor_context(instance=instance))
    assert [
        (
            r.run_config["ops"]["catalogue"]["config"]["path"],
            r.run_key.startswith("catalogue:"),
        )
        for r in result.run_requests
        if isinstance(r, RunRequest)
    ] == [(str(ready), True)]


def test_price_list_inbox_leaves_the_catalogue_folder_alone(settings: Settings) -> None:
    folder = inbox.inbox_of(settings)
    folder.mkdir(parents=True)
    _age(Path(shutil.copy(DATA / "v1" / "articles.csv", folder / "articles.csv")))
    scan = scan_inbox(settings.inbox_dir, profiles_dir=settings.profiles_dir)
    assert (scan.ready, scan.skipped) == ([], [])


# The demo catalogue -------------------------------------------------------------------


def test_demo_catalogue_is_deterministic(tmp_path: Path) -> None:
    first = generate_demo_catalogue(tmp_path / "a")
    second = generate_demo_catalogue(tmp_path / "b")
    files = sorted(p.name for p in first.iterdir())
    assert files == [
        "article_criteria.csv", "articles.csv", "brands.csv", "links.csv",
        "manifest.json", "oe_numbers.csv", "vehicles.csv",
    ]  # fmt: skip
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert len(VEHICLES) == 56


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The demo catalogue loaded, and one demo price list (every headline part)."""
    data_dir = tmp_path_factory.mktemp("demo")
    settings = Settings(data_dir=data_dir, profiles_dir=REPO / "suppliers")
    files = dict(generate_demo(settings.inbox_dir))
    assert (
        ingest(
            files["avtoopt-msk"], supplier_id="avtoopt-msk", settings=settings
        ).status
        == "published"
    )
    folder = generate_demo_catalogue(data_dir / "catalogue")
    assert load_catalogue(folder, settings=settings).status == "published"
    return settings


def test_demo_vins_find_parts_that_are_on_sale(demo: Settings) -> None:
    live = catalogue_lake.read_current(demo.lake_dir)
    assert live is not None
    on_sale = lake.scan_offers(demo.lake_dir).select("brand", "article").collect()
    label = {v[0]: v[-1] for v in VEHICLES}
    for vin, expected_label, year in DEMO_VINS:
        decoded = decode_vin(vin)
        assert (decoded.valid, decoded.model_year) == (True, year), vin
        vehicles = vehicles_for_vin(live, decoded).rows
        mine = [
            v["vehicle_id"]
            for v in vehicles
            if label[v["vehicle_id"]] == expected_label
        ]
        assert mine, vin
        found = set()
        for vehicle_id in mine:
            for kind in ("масляный фильтр", "колодки", "свеча", "воздушный"):
                found |= {
                    (p["brand"], p["article"])
                    for p in parts_for_vehicle(live, vehicle_id, kind).parts
                }
        sold = on_sale.join(
            pl.DataFrame(sorted(found), schema=["brand", "article"], orient="row"),
            on=["brand", "article"],
        )
        assert sold.height > 0, vin


def test_vin_report_contract(demo: Settings) -> None:
    live = catalogue_lake.read_current(demo.lake_dir)
    report = vin_report(decode_vin("XTAGFL110KY100017"), live)
    assert list(report)[:9] == [
        "vin", "valid", "errors", "wmi", "manufacturer", "country", "model_year",
        "check_digit_ok", "vehicles",
    ]  # fmt: skip
    # every LADA built in 2019: the VIN gives the make and year, not the model
    assert [(v["model"], v["type"]) for v in report["vehicles"]] == [
        ("Granta (2190)", "1.6"), ("Granta (2190)", "1.6 16V"),
        ("Largus (R90)", "1.6"), ("Largus (R90)", "1.6 16V"),
        ("Niva 4x4 (2121)", "1.7"), ("Vesta (GFL)", "1.6 16V"),
        ("Vesta (GFL)", "1.8 16V"),
    ]  # fmt: skip


# The CLI ----------------------------------------------------------------------


def _json(output: str) -> object:
    return json.loads(output.strip().splitlines()[-1])


def test_cli_load_vin_and_vehicle_parts(settings: Settings) -> None:
    loaded = runner.invoke(app, ["catalogue", "load", str(DATA / "v1"), "--json"])
    assert loaded.exit_code == 0, loaded.output
    assert _json(loaded.stdout)["status"] == "published"  # type: ignore[index]
    runner.invoke(app, ["catalogue", "load", str(DATA / "v2")])

    vins = runner.invoke(
        app, ["vin", "XTAGFL110KY100017", "1HGCM82633A004353", "--json"]
    )
    assert vins.exit_code == 0, vins.output
    first, second = _json(vins.stdout)  # type: ignore[misc]
    assert {k: first[k] for k in ("vin", "valid", "errors", "wmi", "manufacturer",
                                   "country", "model_year", "check_digit_ok")} == {
        "vin": "XTAGFL110KY100017", "valid": True, "errors": [], "wmi": "XTA",
        "manufacturer": "AvtoVAZ", "country": "Russia", "model_year": 2019,
        "check_digit_ok": None,
    }  # fmt: skip
    assert [v["vehicle_id"] for v in first["vehicles"]] == [1015657, 15658]
    assert (second["valid"], second["check_digit_ok"], second["vehicles"]) == (
        False,
        False,
        [],
    )

    parts = runner.invoke(app, ["vehicle", "parts", "15657", "brake pads", "--json"])
    assert parts.exit_code == 0, parts.output
    data = _json(parts.stdout)
    assert isinstance(data, dict)
    assert (data["vehicle"]["vehicle_id"], data["vehicle"]["resolved_by"]) == (
        1015657,
        "natural_key",
    )
    assert [(p["brand"], p["article"], p["offers"]) for p in data["parts"]] == [
        ("BOSCH", "0986494525", 0), ("TRW", "GDB3332", 0),
    ]  # fmt: skip
    missing = runner.invoke(app, ["vehicle", "parts", "999", "402"])
    assert missing.exit_code == 1
    assert "vehicle `999` is not in catalogue version `2026.1`" in missing.output


def test_cli_plate_errors(settings: Settings) -> None:
    bad = runner.invoke(app, ["plate", "Б123ВС77"])
    assert bad.exit_code == 2
    assert "not used on Russian plates" in bad.output
    off = runner.invoke(app, ["plate", "А123ВС77"])
    assert off.exit_code == 1
    assert "PARTS_PLATES_URL" in off.output


def test_renumbered_replies_with_an_id_map_rekey_other_articles_links(
    settings: Settings, tmp_path: Path
) -> None:
    """Two articles fit the same 521 vehicles; a reply renumbers them for one."""
    path = shared_file("tecdoc", "autonahariya_tecdoc_0_986_424_794.json")
    pads = json.loads(path.read_text(encoding="utf-8"))
    twin = {**pads, "articleNo": "0 986 424 795"}
    base = tmp_path / "base"
    base.mkdir()
    (base / "pads.json").write_text(json.dumps([pads, twin]), encoding="utf-8")
    assert load_catalogue(base, settings=settings, version="ws-a").status == "published"

    old_ids = [v["vehicleId"] for v in pads["vehicles"]]
    renumbered = [
        {**v, "vehicleId": v["vehicleId"] + 1_000_000} for v in pads["vehicles"]
    ]
    update = tmp_path / "update"
    update.mkdir()
    (update / "pads.json").write_text(
        json.dumps({**pads, "vehicles": renumbered}), encoding="utf-8"
    )
    (update / "vehicle_id_map.csv").write_text(
        "old_vehicle_id;new_vehicle_id;data_version\n"
        + "".join(f"{i};{i + 1_000_000};ws-b\n" for i in old_ids),
        encoding="utf-8",
    )
    report = load_catalogue(update, settings=settings, version="ws-b")
    live = catalogue_lake.read_current(settings.lake_dir)
    assert live is not None
    assert (report.status, report.rekey["vehicles_by_id_map"]) == ("published", 521)
    assert report.rekey["links_rekeyed"] == 521  # the twin's links, carried over
    twin_links = live.links.filter(pl.col("article") == "0986424795")["vehicle_id"]
    assert sorted(twin_links.to_list()) == sorted(i + 1_000_000 for i in old_ids)
    assert live.vehicles.height == 521
