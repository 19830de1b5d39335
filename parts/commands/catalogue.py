"""`parts catalogue …`, `parts vin`, `parts vehicle parts`, `parts plate`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from parts.settings import get_settings

console = Console()
err_console = Console(stderr=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the catalogue, VIN, vehicle and plate commands."""
    catalogue_app = typer.Typer(
        help="The TecDoc-style catalogue: load versions, see the live one.",
        no_args_is_help=True,
    )
    catalogue_app.command("load")(load)
    catalogue_app.command("show")(show)
    app.add_typer(catalogue_app, name="catalogue")
    vehicle_app = typer.Typer(help="Catalogue vehicles.", no_args_is_help=True)
    vehicle_app.command("parts")(vehicle_parts)
    app.add_typer(vehicle_app, name="vehicle")
    app.command("vin")(vin)
    app.command("plate")(plate)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def load(
    path: Annotated[
        Path, typer.Argument(help="Catalogue folder or ZIP, or web-service replies.")
    ],
    version: Annotated[
        str | None,
        typer.Option(help="Version of web-service replies (default: ws-<date>)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load a catalogue version and publish it; exit 1 when it is rejected."""
    from pipelines.catalogue.load import load_catalogue
    from pipelines.dagster_notes import dagster_notes

    if not path.exists():
        err_console.print(f"error: `{path}` does not exist")
        raise typer.Exit(2)
    settings = get_settings()
    loaded = load_catalogue(path, settings=settings, version=version)
    with dagster_notes(settings, "parts catalogue load") as dagster:
        dagster.catalogue(loaded)
    report = loaded.to_dict()
    if as_json:
        _print_json(report)
    else:
        _show_load(report)
    raise typer.Exit(1 if report["status"] == "rejected" else 0)


def _show_load(r: dict[str, Any]) -> None:
    colour = {"published": "green", "unchanged": "cyan"}.get(r["status"], "red")
    console.print(
        f"[{colour}]{r['status']}[/] catalogue {r['version'] or ''} "
        f"({r['kind'] or '?'}) from {r['file']} in {r['seconds']} s"
    )
    if r["error"]:
        console.print(f"  [red]error:[/] {r['error']}")
    for name, rows in r["rows"].items():
        console.print(f"  {name:>17}: {rows:,}")
    rekey = r["rekey"]
    if rekey.get("previous_version"):
        console.print(
            f"  vehicles since {rekey['previous_version']}: "
            f"{rekey['vehicles_same_id']} same id, {rekey['vehicles_by_id_map']} by "
            f"id map, {rekey['vehicles_by_natural_key']} by natural key, "
            f"{rekey['vehicles_retired']} retired, {rekey['vehicles_ambiguous']} "
            f"ambiguous, {rekey['vehicles_kept']} kept by an update; "
            f"{rekey['links_rekeyed']} links re-keyed"
        )
    for warning in r["warnings"]:
        console.print(f"  [yellow]warning:[/] {warning}")


def show(as_json: JsonOption = False) -> None:
    """The live catalogue version and its row counts."""
    from search import catalogue_lake

    pointer = catalogue_lake.current(get_settings().lake_dir)
    if pointer is None:
        err_console.print("no catalogue loaded yet: run `parts catalogue load PATH`")
        raise typer.Exit(1)
    if as_json:
        _print_json(pointer.__dict__)
        return
    console.print(
        f"catalogue {pointer.version} ({pointer.date}, {pointer.mode}) from "
        f"{pointer.source or '?'}, published {pointer.published_at}"
    )
    for name, rows in pointer.rows.items():
        console.print(f"  {name:>17}: {rows:,}")


def vin(
    vins: Annotated[list[str], typer.Argument(help="One or more VINs.")],
    as_json: JsonOption = False,
) -> None:
    """Decode VINs: maker, country, model year, check digit, catalogue vehicles."""
    from pipelines.catalogue.queries import vin_reports

    reports = vin_reports(vins, get_settings())
    if as_json:
        _print_json(reports)
        return
    for r in reports:
        _show_vin(r)


def _show_vin(r: dict[str, Any]) -> None:
    mark = "[green]valid[/]" if r["valid"] else "[red]invalid[/]"
    unused = "not used" if r["region"] != "North America" else "not checked"
    check = {True: "ok", False: "wrong", None: unused}[r["check_digit_ok"]]
    console.print(f"{r['vin']}: {mark}")
    for error in r["errors"]:
        console.print(f"  [red]error:[/] {error}")
    console.print(
        f"  WMI {r['wmi'] or '?'}: {r['manufacturer'] or 'unknown maker'}, "
        f"{r['country'] or 'unknown country'}; model year {r['model_year'] or '?'}; "
        f"check digit {check}"
    )
    if r["vehicles"]:
        table = Table("id", "make", "model", "type", "engine", "kW", "years")
        for v in r["vehicles"]:
            table.add_row(
                str(v["vehicle_id"]), v["make"], v["model"], v["type"],
                v["engine_code"] or "", str(v["power_kw"] or ""),
                f"{v['year_from']}-{v['year_to'] or ''}",
            )  # fmt: skip
        console.print(table)
        if r["vehicles_truncated"]:
            console.print("  (more vehicles match; narrow down by model)")
    elif r["catalogue_version"] is None:
        console.print("  no catalogue loaded: `parts catalogue load PATH`")


def vehicle_parts(
    type_id: Annotated[int, typer.Argument(help="Catalogue vehicle id (K-type).")],
    generic_article: Annotated[
        str, typer.Argument(help="Generic article id or name words (`колодки`).")
    ],
    as_json: JsonOption = False,
) -> None:
    """Articles linked to a vehicle, of one generic article, with their offers."""
    from crosses.fitment import FitmentError
    from pipelines.catalogue.queries import vehicle_parts_report

    try:
        report = vehicle_parts_report(type_id, generic_article, get_settings())
    except (FitmentError, LookupError) as exc:
        err_console.print(f"error: {exc.args[0] if exc.args else exc}")
        raise typer.Exit(1) from exc
    if as_json:
        _print_json(report)
        return
    v = report["vehicle"]
    console.print(
        f"{v['make']} {v['model']} {v['type']} ({v['engine_code'] or '?'}, "
        f"{v['year_from']}-{v['year_to'] or ''}), vehicle {v['vehicle_id']}"
    )
    table = Table("brand", "article", "name", "offers", "from, RUB")
    for p in report["parts"]:
        table.add_row(
            p["brand"], p["article_raw"], p["description"] or p["generic_article"],
            str(p["offers"]), p["min_price_rub"] or "",
        )  # fmt: skip
    console.print(table)


def plate(
    number: Annotated[str, typer.Argument(help="Russian plate, e.g. А123ВС77.")],
    as_json: JsonOption = False,
) -> None:
    """Look a plate up in the vehicle registry (ГИБДД) and decode its VIN."""
    from crosses.plates import BadPlate, PlateError
    from pipelines.catalogue.queries import plate_report

    try:
        report = plate_report(number, get_settings())
    except BadPlate as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    except PlateError as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(1) from exc
    if as_json:
        _print_json(report)
        return
    console.print(
        f"{report['plate']} ({report['plate_latin']}): {report['make'] or '?'} "
        f"{report['model'] or ''} {report['year'] or ''}, VIN {report['vin'] or '?'}"
    )
    if "vin_decode" in report:
        _show_vin(report["vin_decode"])
