"""Loads made by `parts` commands show in the data dir's Dagster instance,
as runless materializations of their assets (and partitions)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance
from typer.testing import CliRunner

from parts.cli import app
from parts.settings import Settings
from pipelines.dagster_notes import prepare_home
from tests.parts.test_cli import PRICE

runner = CliRunner()


def _materializations(
    instance: DagsterInstance, asset: str
) -> list[tuple[str | None, object]]:
    """(partition, loaded_by) of each materialization of `asset`, oldest first."""
    records = instance.fetch_materializations(AssetKey(asset), limit=100).records
    return [
        (r.partition_key, r.asset_materialization.metadata["loaded_by"].value)
        for r in reversed(records)
        if r.asset_materialization is not None
    ]


def test_a_price_list_loaded_by_a_command_is_a_materialization_of_its_supplier(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare_home(settings)
    good, bad = tmp_path / "price.csv", tmp_path / "bad.csv"
    good.write_bytes(PRICE.encode("cp1251"))
    bad.write_bytes(b"a;b\n1;2\n")

    published = runner.invoke(app, ["ingest", str(good), "--supplier", "acme"])
    quarantined = runner.invoke(app, ["ingest", str(bad), "--supplier", "acme"])
    unchanged = runner.invoke(app, ["ingest", str(good), "--supplier", "acme"])
    index = runner.invoke(app, ["index", "build"])

    assert [r.exit_code for r in (published, quarantined, unchanged, index)] == [
        0, 1, 0, 0]  # fmt: skip
    monkeypatch.setenv("DAGSTER_HOME", str(settings.dagster_home))  # as the UI has it
    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        # the published load only: a quarantined one leaves the live list as it was
        assert _materializations(instance, "supplier_offers") == [
            ("acme", "parts ingest")
        ]
        # the publish brought the index in step: Dagster does not call it behind
        assert _materializations(instance, "offers_index") == [
            (None, "parts ingest"),
            (None, "parts index build"),
        ]
        assert instance.get_dynamic_partitions("suppliers") == ["acme"]
        # the quarantined load is seen, and why, without a materialization
        (seen,) = instance.fetch_observations(
            AssetKey("supplier_offers"), limit=10
        ).records
        observation = seen.asset_observation
        assert observation is not None and observation.partition == "acme"
        assert observation.metadata["status"].value == "quarantined"
        assert (observation.description or "").startswith(
            "not loaded by `parts ingest`"
        )


def test_with_no_dagster_home_a_command_loads_and_leaves_no_dagster_behind(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "price.csv"
    path.write_bytes(PRICE.encode("cp1251"))

    result = runner.invoke(app, ["ingest", str(path), "--supplier", "acme"])

    assert result.exit_code == 0, result.output
    assert not settings.dagster_home.exists()
    assert "DAGSTER_HOME" not in os.environ
