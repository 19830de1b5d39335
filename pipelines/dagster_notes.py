"""Loads made outside Dagster, told to the Dagster instance of this data dir.

A `parts` command (`parts ingest`, `parts crosses load`, `parts catalogue
load`, `parts index build|sync`, and `make demo`'s first loads) publishes
through the same code as Dagster's assets, but not as a Dagster run. Without
a word to Dagster, its asset pages would show a live price list as never
materialized. Each published load is therefore reported as a runless
materialization of its asset (and partition), with the same metadata an
asset run shows, described as made by the command.

Only a data dir that has a Dagster instance (`$PARTS_DATA_DIR/dagster/`
holding `dagster.yaml`, set up by `parts ui start` or `parts demo`) is told;
elsewhere this is a no-op and imports no Dagster. A failure to tell Dagster
never fails the load: it is logged and the load stands.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parts.settings import Settings

if TYPE_CHECKING:
    from dagster import DagsterInstance

    from pipelines.catalogue.load import CatalogueLoadReport
    from pipelines.crosslists.report import CrossLoadReport
    from pipelines.pricelists.report import LoadReport
    from search.index_store import SyncReport

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent


def prepare_home(settings: Settings) -> Path:
    """The data dir's Dagster home, with the repository's `dagster.yaml`."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    return home


class DagsterNotes:
    """Reports loads to one Dagster instance (None: nothing to tell)."""

    def __init__(self, instance: DagsterInstance | None, command: str) -> None:
        self.instance = instance
        self.command = command

    def price_list(self, report: LoadReport) -> None:
        from pipelines.pricelists.assets import SUPPLIERS, report_metadata

        if report.status not in ("published", "quarantined"):
            return
        # a quarantined load is seen, not materialized: the list before it stays
        refused = report.error or "quarantined"
        self._tell("supplier_offers", report_metadata(report),
                   partition=report.supplier_id, partitions=SUPPLIERS,
                   observed=refused if report.status == "quarantined" else None)  # fmt: skip

    def index_in_step(self, settings: Settings) -> None:
        """The index a publish brought in step (`PARTS_INDEX_ON_INGEST`), so
        Dagster does not call it behind the load it already holds."""
        if self.instance is None:
            return
        metadata = index_in_step_metadata(settings)
        if metadata is not None:
            self._tell("offers_index", metadata)

    def crosses(self, report: CrossLoadReport) -> None:
        if report.status != "published":
            return
        from pipelines.crosslists.assets import CROSS_SOURCES, report_metadata

        self._tell("crosses", report_metadata(report),
                   partition=report.source, partitions=CROSS_SOURCES)  # fmt: skip

    def catalogue(self, report: CatalogueLoadReport) -> None:
        if report.status != "published":
            return
        from pipelines.catalogue.assets import report_metadata

        self._tell("catalogue", report_metadata(report))

    def index(self, report: SyncReport) -> None:
        if report.action == "none":
            return
        from pipelines.search_index.assets import sync_metadata

        self._tell("offers_index", sync_metadata(report))

    def _tell(
        self,
        asset: str,
        metadata: dict[str, Any],
        *,
        partition: str | None = None,
        partitions: str | None = None,
        observed: str | None = None,
    ) -> None:
        if self.instance is None:
            return
        from dagster import AssetMaterialization, AssetObservation

        try:
            if (
                partition is not None
                and partitions is not None
                and not self.instance.has_dynamic_partition(partitions, partition)
            ):
                self.instance.add_dynamic_partitions(partitions, [partition])
            event: AssetMaterialization | AssetObservation
            if observed is None:
                event = AssetMaterialization(
                    asset_key=asset,
                    partition=partition,
                    metadata={**metadata, "loaded_by": self.command},
                    description=f"loaded by `{self.command}`, outside Dagster",
                )
            else:  # not loaded: seen, and why
                event = AssetObservation(
                    asset_key=asset,
                    partition=partition,
                    metadata={**metadata, "loaded_by": self.command},
                    description=f"not loaded by `{self.command}`: {observed}",
                )
            self.instance.report_runless_asset_event(event)
        except Exception as exc:  # the load stands whatever Dagster says
            log.warning("could not tell Dagster of the %s load: %r", asset, exc)


def index_in_step_metadata(settings: Settings) -> dict[str, Any] | None:
    """The live index, when it holds every live load (None: it is behind,
    and the `index_sensor` has work to do)."""
    from pipelines.search_index.sync import pending_changes
    from search import index_store

    manifest = index_store.read_current(settings.index_dir)
    if manifest is None or pending_changes(settings):
        return None
    return {
        "action": "in step after a publish",
        "manifest_seq": manifest.seq,
        "generation": manifest.generation,
    }


@contextmanager
def dagster_notes(settings: Settings, command: str) -> Iterator[DagsterNotes]:
    """Notes to the data dir's Dagster instance, if it has one."""
    if not (settings.dagster_home / "dagster.yaml").is_file():
        yield DagsterNotes(None, command)
        return
    home = str(settings.dagster_home.resolve())
    before = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = home  # `dagster.yaml` keeps its storage there
    try:
        try:
            from dagster import DagsterInstance

            instance = DagsterInstance.from_config(home)
        except Exception as exc:  # an unreadable instance never fails a load
            log.warning("cannot open the Dagster instance: %r", exc)
            yield DagsterNotes(None, command)
            return
        with instance:
            yield DagsterNotes(instance, command)
    finally:
        if before is None:
            os.environ.pop("DAGSTER_HOME", None)
        else:
            os.environ["DAGSTER_HOME"] = before
