"""Dagster side of crosses: the `crosses` asset and the crosses inbox sensor."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dagster import (
    DagsterInstance,
    Definitions,
    ExecuteInProcessResult,
    RunRequest,
    SensorResult,
    build_sensor_context,
    instance_for_test,
    materialize,
)

from crosses import store
from parts.settings import Settings, get_settings
from pipelines.crosslists import inbox
from pipelines.crosslists.assets import CROSS_SOURCES, crosses
from pipelines.crosslists.sensors import build_crosses_sensor

GOOD = "brand;article;brand;article\nBOSCH;0 986 452 041;MANN;W 712/75\n"
NONE = "Наименование;Цена\nФильтр;100\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("PARTS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PARTS_PROFILES_DIR", str(tmp_path / "profiles"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _drop(settings: Settings, relative: str, text: str, *, age_s: float = 60) -> Path:
    path = inbox.crosses_inbox(settings) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def _materialize(
    instance: DagsterInstance, path: Path, source: str
) -> ExecuteInProcessResult:
    instance.add_dynamic_partitions(CROSS_SOURCES, [source])
    return materialize(
        [crosses],
        instance=instance,
        partition_key=source,
        run_config={"ops": {"crosses": {"config": {"path": str(path)}}}},
        raise_on_error=False,
    )


def test_definitions_register_the_asset_and_sensor() -> None:
    from pipelines.definitions import defs

    Definitions.validate_loadable(defs)
    assert defs.resolve_sensor_def("crosses_inbox_sensor") is not None
    assert crosses.group_names_by_key[crosses.key] == "crosses"


def test_materialize_publishes_and_archives(env: Settings) -> None:
    path = _drop(env, "supplier-x/x.csv", GOOD)
    result = _materialize(DagsterInstance.ephemeral(), path, "supplier-x")
    assert result.success
    metadata = result.asset_materializations_for_node("crosses")[0].metadata
    figures: dict[str, Any] = {k: getattr(v, "value", v) for k, v in metadata.items()}
    assert (figures["status"], figures["edges"], figures["shape"]) == (
        "published",
        1,
        "pairs",
    )
    assert store.scan_edges(env.lake_dir, "supplier-x").collect().height == 1
    assert not path.exists()
    assert len(list((env.archive_dir / "crosses" / "supplier-x").iterdir())) == 1


def test_a_bad_file_fails_the_run_and_the_old_crosses_stay(env: Settings) -> None:
    instance = DagsterInstance.ephemeral()
    assert _materialize(instance, _drop(env, "x/a.csv", GOOD), "x").success
    bad = _drop(env, "x/b.csv", NONE)
    result = _materialize(instance, bad, "x")
    assert not result.success
    assert store.scan_edges(env.lake_dir, "x").collect().height == 1
    assert not bad.exists()
    assert list((env.quarantine_dir / "crosses" / "x").glob("*-b.csv"))


def _tick(cursor: str | None = None) -> SensorResult:
    sensor = build_crosses_sensor(poll_s=15)
    with instance_for_test() as instance:
        result = sensor(build_sensor_context(instance=instance, cursor=cursor))
    assert isinstance(result, SensorResult)
    return result


def _requests(result: SensorResult) -> list[RunRequest]:
    return list(result.run_requests or [])


def test_sensor_requests_each_new_file_once(env: Settings) -> None:
    path = _drop(env, "supplier-x/x.csv", GOOD)
    _drop(env, "supplier-x/fresh.csv", GOOD, age_s=-60)  # still being written
    _drop(env, "loose.csv", GOOD)
    _drop(env, "Bad Folder/x.csv", GOOD)

    first = _tick()
    (request,) = _requests(first)
    assert (request.partition_key, request.tags["parts/cross_source"]) == (
        "supplier-x",
    ) * 2
    assert request.run_config["ops"]["crosses"]["config"]["path"] == str(path)
    assert [r.partition_keys for r in first.dynamic_partitions_requests or []] == [
        ["supplier-x"]
    ]
    assert _requests(_tick(first.cursor)) == []


def test_scan_says_why_files_are_skipped(env: Settings) -> None:
    loose = _drop(env, "loose.csv", GOOD)
    bad = _drop(env, "Bad Folder/x.csv", GOOD).parent
    manual = _drop(env, "manual/x.csv", GOOD).parent
    scan = inbox.scan_crosses_inbox(inbox.crosses_inbox(env))
    assert scan.ready == []
    assert dict(scan.skipped) == {
        loose: "not in a source folder (inbox/crosses/<source>/)",
        bad: "folder name is not a valid cross source",
        manual: "folder name is not a valid cross source",
    }


def test_the_price_list_sensor_leaves_the_crosses_folder_alone(env: Settings) -> None:
    from pipelines.pricelists.inbox import scan_inbox

    _drop(env, "loose.csv", GOOD)
    _drop(env, "supplier-x/x.csv", GOOD)
    scan = scan_inbox(env.inbox_dir, profiles_dir=env.profiles_dir)
    assert scan.ready == [] and scan.skipped == []
