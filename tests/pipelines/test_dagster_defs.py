"""Dagster side of price lists: definitions, the asset, its checks, the sensor."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    AssetCheckEvaluation,
    AssetKey,
    DagsterInstance,
    DefaultSensorStatus,
    Definitions,
    ExecuteInProcessResult,
    RunRequest,
    SensorResult,
    build_sensor_context,
    instance_for_test,
    materialize,
)

from crosses import lake_files as files
from parts.settings import Settings, get_settings
from pipelines.pricelists import inbox, offer_checks
from pipelines.pricelists.assets import SUPPLIERS, price_list_checks, supplier_offers
from pipelines.pricelists.freshness import supplier_freshness
from pipelines.pricelists.load import ingest
from pipelines.pricelists.sensors import build_freshness_sensor, build_inbox_sensor
from search import lake

GOOD = (
    "Бренд;Артикул;Наименование;Цена;Остаток\n"
    "BOSCH;0 986 452 041;Фильтр масляный;1 299,50;>10\n"
    "MB;A 000 420 12 20;Колодки тормозные;2 040,74;есть\n"
    "MANN;W 712/75;Фильтр;455,00;7\n"
)
NO_PRICE = "Бренд;Артикул;Наименование;Остаток\nBOSCH;0 986 452 041;Фильтр;3\n"
ACME_PROFILE = 'id = "acme"\nname = "Acme"\nexpected_every_hours = 24\n\n[match]\nfile_pattern = "acme_*.csv"\n'


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings over a fresh data dir and a profiles folder with one profile."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "acme.toml").write_text(ACME_PROFILE, encoding="utf-8")
    monkeypatch.setenv("PARTS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PARTS_PROFILES_DIR", str(profiles))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _drop(settings: Settings, relative: str, text: str, *, age_s: float = 60) -> Path:
    path = settings.inbox_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def _materialize(
    instance: DagsterInstance, path: Path, supplier_id: str = "acme"
) -> ExecuteInProcessResult:
    instance.add_dynamic_partitions(SUPPLIERS, [supplier_id])
    return materialize(
        [supplier_offers, *price_list_checks],
        instance=instance,
        partition_key=supplier_id,
        run_config={"ops": {"supplier_offers": {"config": {"path": str(path)}}}},
        raise_on_error=False,
    )


def test_definitions_load() -> None:
    from pipelines.definitions import defs

    Definitions.validate_loadable(defs)
    sensor = defs.resolve_sensor_def("inbox_sensor")
    assert sensor.default_status == DefaultSensorStatus.RUNNING
    freshness = defs.resolve_sensor_def("freshness_sensor")
    assert freshness.default_status == DefaultSensorStatus.RUNNING
    assert supplier_offers.group_names_by_key[supplier_offers.key] == "price_lists"
    assert {spec.name for c in price_list_checks for spec in c.check_specs} == {
        "prices_positive",
        "currencies_known",
        "offers_fresh",
    }


def test_materialize_publishes_offers_reports_and_archives(env: Settings) -> None:
    path = _drop(env, "acme/price.csv", GOOD)
    instance = DagsterInstance.ephemeral()

    result = _materialize(instance, path)

    assert result.success
    # the load brought the index in step: Dagster is told, not left "unsynced"
    index = instance.fetch_materializations(AssetKey("offers_index"), limit=5).records
    assert [r.asset_materialization.description for r in index
            if r.asset_materialization] == ["in step after acme's load"]  # fmt: skip
    offers = lake.scan_offers(env.lake_dir, "acme").sort("row").collect()
    assert offers["article"].to_list() == ["0986452041", "A0004201220", "W71275"]
    metadata = result.asset_materializations_for_node("supplier_offers")[0].metadata
    figures: dict[str, Any] = {k: getattr(v, "value", v) for k, v in metadata.items()}
    assert figures["status"] == "published"
    assert (figures["rows_read"], figures["rows_accepted"]) == (3, 3)
    assert figures["rows_rejected"] == 0
    live = lake.current(env.lake_dir, "acme")
    assert live is not None
    assert figures["load_id"] == live.load_id
    assert figures["columns"]["price"] == "D `Цена`"
    assert {"rejects", "encoding", "unknown_brands", "seconds"} <= set(figures)
    assert not path.exists()
    assert [
        p.name.endswith("-price.csv") for p in (env.archive_dir / "acme").iterdir()
    ] == [True]


def test_asset_checks_pass_on_good_data(env: Settings) -> None:
    result = _materialize(DagsterInstance.ephemeral(), _drop(env, "acme/p.csv", GOOD))

    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {"prices_positive", "currencies_known", "offers_fresh"}
    assert all(e.passed for e in evaluations.values()), evaluations
    assert {e.partition for e in evaluations.values()} == {"acme"}


def test_bad_file_fails_the_run_and_previous_offers_stay_live(env: Settings) -> None:
    instance = DagsterInstance.ephemeral()
    assert _materialize(instance, _drop(env, "acme/v1.csv", GOOD)).success
    live = lake.current(env.lake_dir, "acme")
    bad = _drop(env, "acme/v2.csv", NO_PRICE)

    result = _materialize(instance, bad)

    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    error = failure.step_failure_data.user_failure_data
    assert error is not None
    assert "price" in (error.description or "")
    assert error.metadata["status"].value == "quarantined"
    assert "report" in error.metadata
    assert lake.current(env.lake_dir, "acme") == live
    assert lake.scan_offers(env.lake_dir, "acme").collect().height == 3
    assert not bad.exists()
    assert list((env.quarantine_dir / "acme").glob("*-v2.csv"))


def _tick(cursor: str | None = None) -> SensorResult:
    sensor = build_inbox_sensor(poll_s=15)
    with instance_for_test() as instance:
        context = build_sensor_context(instance=instance, cursor=cursor)
        result = sensor(context)
    assert isinstance(result, SensorResult)
    return result


def _requests(result: SensorResult) -> list[RunRequest]:
    return list(result.run_requests or [])


def test_sensor_requests_a_new_file_once(env: Settings) -> None:
    path = _drop(env, "acme/price.csv", GOOD)

    first = _tick()
    second = _tick(first.cursor)

    assert [(r.partition_key, r.tags["parts/supplier"]) for r in _requests(first)] == [
        ("acme", "acme")
    ]
    request = _requests(first)[0]
    assert str(path) in (request.run_key or "")
    assert request.run_config["ops"]["supplier_offers"]["config"]["path"] == str(path)
    added = list(first.dynamic_partitions_requests or [])
    assert [r.partition_keys for r in added] == [["acme"]]
    assert _requests(second) == []


def test_sensor_requests_a_changed_file_again(env: Settings) -> None:
    path = _drop(env, "acme/price.csv", GOOD)
    first = _tick()
    path.write_text(GOOD + "NGK;BKR6E;Свеча;300;5\n", encoding="utf-8")
    os.utime(path, (time.time() - 30, time.time() - 30))

    assert len(_requests(_tick(first.cursor))) == 1


def test_sensor_skips_files_being_written_hidden_and_unmatched(env: Settings) -> None:
    _drop(env, "acme/fresh.csv", GOOD, age_s=-60)
    _drop(env, "acme/.hidden.csv", GOOD)
    _drop(env, "unknown_supplier_file.csv", GOOD)

    assert _requests(_tick()) == []


def test_sensor_matches_a_loose_file_by_profile_pattern(env: Settings) -> None:
    _drop(env, "ACME_2026-12-01.CSV", GOOD)

    requests = _requests(_tick())

    assert [r.partition_key for r in requests] == ["acme"]


def test_scan_reports_why_files_are_skipped(env: Settings) -> None:
    fresh = _drop(env, "acme/fresh.csv", GOOD, age_s=-60)
    loose = _drop(env, "nobody.csv", GOOD)

    scan = inbox.scan_inbox(env.inbox_dir, profiles_dir=env.profiles_dir)

    assert scan.ready == []
    assert dict(scan.skipped) == {
        fresh: "still being written",
        loose: "no supplier profile matches its name",
    }


def test_file_changed_during_load_stays_in_inbox(env: Settings) -> None:
    path = _drop(env, "acme/price.csv", GOOD)
    stamp = inbox.FileStamp.of(path)
    path.write_text(GOOD + GOOD, encoding="utf-8")

    moved = inbox.settle_file(
        path,
        supplier_id="acme",
        status="published",
        load_id="x",
        stamp=stamp,
        inbox=env.inbox_dir,
        archive=env.archive_dir,
        quarantine=env.quarantine_dir,
    )

    assert moved is None
    assert path.exists()


def _published_hours_ago(settings: Settings, supplier_id: str, hours: float) -> None:
    """Move a live load's publish time back, as if it were that old."""
    folder = settings.lake_dir / "offers" / supplier_id
    pointer = lake.current(settings.lake_dir, supplier_id)
    assert pointer is not None
    then = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)
    files.swap_pointer(folder, {**pointer.__dict__,
                                "published_at": then.isoformat(timespec="seconds")})  # fmt: skip


def test_an_unchanged_file_confirms_freshness_by_the_one_rule(env: Settings) -> None:
    path = _drop(env, "acme/p.csv", GOOD)
    assert ingest(path, supplier_id="acme", settings=env).status == "published"
    _published_hours_ago(env, "acme", 72)  # acme expects a list every 24 h
    stale = supplier_freshness(env)["acme"]
    assert (stale.stale, stale.age_h) == (True, 72.0)
    assert not offer_checks.offers_fresh(stale).passed

    path.write_text(GOOD, encoding="utf-8")  # the same list again
    assert ingest(path, supplier_id="acme", settings=env).status == "unchanged"

    fresh = supplier_freshness(env)["acme"]
    assert fresh.stale is False and (fresh.age_h or 0) < 0.1
    outcome = offer_checks.offers_fresh(fresh)
    assert outcome.passed and outcome.metadata["max_age_h"] == 24


def test_freshness_sensor_turns_an_overdue_supplier_red_without_a_load(
    env: Settings,
) -> None:
    (env.profiles_dir / "quiet.toml").write_text('id = "quiet"\n', encoding="utf-8")
    instance = DagsterInstance.ephemeral()
    assert _materialize(instance, _drop(env, "acme/p.csv", GOOD)).success
    sensor = build_freshness_sensor()

    first = sensor(build_sensor_context(instance=instance))
    assert isinstance(first, SensorResult)
    assert [r.partition_keys for r in first.dynamic_partitions_requests or []] == [
        ["quiet"]
    ]
    assert [(e.partition, e.passed) for e in first.asset_events] == [("acme", True)]
    instance.add_dynamic_partitions(SUPPLIERS, ["quiet"])

    _published_hours_ago(env, "acme", 30)  # nothing new arrived for 30 h
    later = sensor(build_sensor_context(instance=instance, cursor=first.cursor))

    assert isinstance(later, SensorResult)
    events = {e.partition: e for e in later.asset_events}
    assert sorted(events) == ["acme", "quiet"]
    acme = events["acme"]
    assert isinstance(acme, AssetCheckEvaluation)
    assert (acme.check_name, acme.passed) == ("offers_fresh", False)
    assert acme.description == "live load is 30.0 h old (limit 24 h)"
    assert events["quiet"].passed is False  # a profile that never sent a list
    for event in later.asset_events:
        instance.report_runless_asset_event(event)  # as the daemon does
    assert later.skip_reason is not None
    assert "2 of 2 supplier(s) overdue: acme, quiet" in later.skip_reason.skip_message

    quiet = sensor(build_sensor_context(instance=instance, cursor=later.cursor))
    assert isinstance(quiet, SensorResult) and quiet.asset_events == []
