"""The catalogue sensor: a catalogue dropped into `inbox/catalogue/` loads itself."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    RunConfig,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from parts.settings import get_settings
from pipelines.catalogue import inbox
from pipelines.catalogue.assets import CatalogueConfig, catalogue


def build_catalogue_sensor(
    *, poll_s: int, settle_s: float = inbox.SETTLE_S, name: str = "catalogue_sensor"
) -> SensorDefinition:
    """A sensor that requests one `catalogue` run per new item in the inbox."""

    @sensor(
        name=name,
        target=AssetSelection.assets(catalogue),
        minimum_interval_seconds=poll_s,
        default_status=DefaultSensorStatus.RUNNING,
        description="Loads every complete catalogue dropped into inbox/catalogue/.",
    )
    def _catalogue_sensor(context: SensorEvaluationContext) -> SensorResult:
        folder = inbox.inbox_of(get_settings())
        ready = inbox.scan(folder, settle_s=settle_s)
        return SensorResult(run_requests=[_run_request(item) for item in ready])

    return _catalogue_sensor


def _run_request(item: inbox.CatalogueItem) -> RunRequest:
    return RunRequest(
        run_key=item.run_key,
        run_config=RunConfig(
            ops={"catalogue": CatalogueConfig(path=str(item.path), version="")}
        ),
    )
