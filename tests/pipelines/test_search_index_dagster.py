"""Dagster side of the quote index: the asset, the sensor, the schedule."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import (
    Definitions,
    RunRequest,
    SensorResult,
    SkipReason,
    build_sensor_context,
    instance_for_test,
    materialize,
)

from parts.settings import Settings, get_settings
from pipelines.pricelists.load import ingest
from pipelines.search_index.assets import build_index_sensor, offers_index
from pipelines.search_index.sync import pending_changes
from search import index_store
from search.index_read import open_index

PRICES = (
    "Бренд;Артикул;Наименование;Цена;Остаток\n"
    "BOSCH;0 986 452 041;Фильтр масляный;1 299,50;>10\n"
    "MANN;W 712/75;Фильтр;455,00;7\n"
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings over a fresh data dir; the ingest leaves the index to Dagster."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "acme.toml").write_text(
        'id = "acme"\nname = "Акме"\ndepartments = ["moscow"]\n', encoding="utf-8"
    )
    monkeypatch.setenv("PARTS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PARTS_PROFILES_DIR", str(profiles))
    monkeypatch.setenv("PARTS_INDEX_ON_INGEST", "false")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _ingest(settings: Settings, tmp_path: Path, text: str = PRICES) -> None:
    path = tmp_path / "acme.csv"
    path.write_text(text, encoding="utf-8")
    assert ingest(path, supplier_id="acme", settings=settings).status == "published"


def test_definitions_carry_the_index_asset_sensor_and_schedule() -> None:
    from pipelines.definitions import defs

    Definitions.validate_loadable(defs)
    assert defs.resolve_sensor_def("index_sensor").name == "index_sensor"
    schedule = defs.resolve_schedule_def("index_compaction")
    assert schedule.cron_schedule == "30 3 * * *"
    assert defs.resolve_job_def("offers_index_job") is not None


def test_sensor_requests_a_sync_when_the_lake_moved_on_and_skips_after(
    env: Settings, tmp_path: Path
) -> None:
    sensor = build_index_sensor(poll_s=1)
    with instance_for_test() as instance:
        assert isinstance(sensor(build_sensor_context(instance=instance)), SkipReason)
        _ingest(env, tmp_path)
        assert pending_changes(env) == ["no index yet"]
        result = sensor(build_sensor_context(instance=instance))
        assert isinstance(result, SensorResult)
        (request,) = result.run_requests or []
        assert isinstance(request, RunRequest)

        outcome = materialize([offers_index], instance=instance)
        assert outcome.success
        metadata = outcome.asset_materializations_for_node("offers_index")[0].metadata
        assert metadata["action"].value == "full"
        assert metadata["offers_indexed"].value == 2
        assert pending_changes(env) == []
        assert isinstance(sensor(build_sensor_context(instance=instance)), SkipReason)


def test_asset_adds_a_delta_for_a_new_load_and_follows_profile_changes(
    env: Settings, tmp_path: Path
) -> None:
    _ingest(env, tmp_path)
    with instance_for_test() as instance:
        assert materialize([offers_index], instance=instance).success
        _ingest(env, tmp_path, PRICES.replace("455,00", "470,00"))
        assert [r.split(":")[0] for r in pending_changes(env)] == ["acme"]
        assert materialize([offers_index], instance=instance).success
        manifest = index_store.read_current(env.index_dir)
        assert manifest is not None
        # the one supplier moved to its delta; the base serves nobody and left
        assert [p.split("-")[0] for p in manifest.parts] == ["delta"]

        snapshot = open_index(env.index_dir).snapshot()
        assert snapshot is not None
        columns, _, _ = snapshot.find(
            [("MANN-FILTER", "W71275")], allowed=snapshot.allowed("moscow")
        )
        assert columns["price_kop"] == [47000]
        assert (
            snapshot.find([("MANN-FILTER", "W71275")], allowed=snapshot.allowed("spb"))[
                1
            ]
            == []
        )

        (env.profiles_dir / "acme.toml").write_text(
            'id = "acme"\nname = "Акме"\n', encoding="utf-8"
        )
        assert pending_changes(env) == ["acme: profile changed"]
        outcome = materialize([offers_index], instance=instance)
        metadata = outcome.asset_materializations_for_node("offers_index")[0].metadata
        assert metadata["action"].value == "meta"
        snapshot = open_index(env.index_dir).snapshot()
        assert snapshot is not None and snapshot.allowed("spb") is None
