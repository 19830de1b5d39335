"""The `parts` command line: one entry point that later issues extend."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from parts.logs import configure_logging
from parts.settings import get_settings

if TYPE_CHECKING:
    from parts.settings import Settings
    from pipelines.dagster_notes import DagsterNotes

app = typer.Typer(
    help="Parts search and pricing engine.", no_args_is_help=True, add_completion=False
)
bench_app = typer.Typer(help="Benchmarks that print figures.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _setup() -> None:
    from pydantic import ValidationError

    try:
        settings = get_settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"PARTS_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            if e["loc"]
            else e["msg"]  # a check over several settings names them itself
            for e in exc.errors()
        )
        err_console.print(f"error: bad setting: {problems}")
        raise typer.Exit(2) from exc
    configure_logging(settings.log_level, json=settings.log_json)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="Price file (CSV, XLS, XLSX, ZIP…).")],
    supplier: Annotated[str, typer.Option("--supplier", "-s", help="Supplier id.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Ingest one price file for a supplier: publish it or quarantine it."""
    from pipelines.pricelists.errors import IngestError
    from pipelines.pricelists.load import ingest as run_ingest

    if not path.is_file():
        err_console.print(f"error: `{path}` is not a file")
        raise typer.Exit(2)
    from pipelines.dagster_notes import dagster_notes

    settings = get_settings()
    try:
        with _progress_bar(path.name, quiet=as_json) as progress:
            report = run_ingest(
                path, supplier_id=supplier, settings=settings, progress=progress
            )
        with dagster_notes(settings, "parts ingest") as dagster:
            dagster.price_list(report)
            if report.status == "published":
                dagster.index_in_step(settings)
    except IngestError as exc:  # a bad supplier id or profile: a usage error
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        _print_json(report.summary())
    else:
        _show_report(report.summary())
    raise typer.Exit(1 if report.status == "quarantined" else 0)


@contextmanager
def _progress_bar(name: str, *, quiet: bool) -> Iterator[Callable[[str, float], None]]:
    """A progress bar on stderr that follows the stages of a load."""
    if quiet or not err_console.is_terminal:
        yield lambda stage, fraction: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(name, total=1.0)

        def update(stage: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=f"{name}: {stage}")

        yield update


def _show_report(summary: dict[str, Any]) -> None:
    colour = {"published": "green", "unchanged": "cyan"}.get(summary["status"], "red")
    console.print(
        f"[{colour}]{summary['status']}[/] {summary['supplier_id']} "
        f"{summary['file']}: {summary['rows_accepted']} offers from "
        f"{summary['rows_read']} rows, {summary['rows_rejected']} rejected "
        f"({round(summary['seconds'], 3)} s)"
    )
    if summary.get("error"):
        console.print(f"  [red]error:[/] {summary['error']}")
    for reason, count in summary["rejects"].items():
        console.print(f"  rejected {reason}: {count}")
    for field_name, column in summary["columns"].items():
        console.print(f"  {field_name:>14} ← {column}")
    if summary["unknown_brands"]:
        shown = ", ".join(summary["unknown_brands"][:10])
        console.print(f"  brands not in the alias table: {shown}")
    for warning in summary["warnings"]:
        console.print(f"  [yellow]warning:[/] {warning}")


@app.command()
def offers(
    article: Annotated[str, typer.Argument(help="Article, in any spelling.")],
    brand: Annotated[str | None, typer.Option(help="Brand, any alias.")] = None,
    supplier: Annotated[str | None, typer.Option(help="Only this supplier.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array.")] = False,
    limit: Annotated[int, typer.Option(help="Most rows shown.")] = 1000,
) -> None:
    """The published offers of one identity."""
    from crosses.articles import normalize_article
    from pipelines.brand_review import brand_table
    from search import lake

    canonical, _note = normalize_article(article)
    settings = get_settings()
    rows, cut = lake.find_offers(
        settings.lake_dir, canonical, supplier_id=supplier, limit=limit,
        brand=brand_table(settings).canonical(brand) if brand else None,
    )  # fmt: skip
    if cut:
        err_console.print(f"showing the cheapest {limit} offers; more were cut")
    records = [{**r, "price": f"{r['price']:.2f}"} for r in rows.to_dicts()]
    if as_json:
        _print_json(records)
        return
    if not records:
        console.print(f"no offers for `{canonical}`")
        raise typer.Exit(0)
    table = Table("brand", "article", "name", "price", "cur", "qty", "days", "supplier")
    for r in records:
        days = r["delivery_days_min"]
        if r["delivery_days_max"] not in (None, days):
            days = f"{days}-{r['delivery_days_max']}"
        table.add_row(
            r["brand"], r["article_raw"], (r["name"] or "")[:40], r["price"],
            r["currency"], str(r["qty"]) if r["qty"] is not None else "?",
            str(days) if days is not None else "", r["supplier_id"],
        )  # fmt: skip
    console.print(table)


@app.command()
def suppliers(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array.")] = False,
) -> None:
    """Suppliers with their last load and its status; `stale` when overdue."""
    from pipelines.pricelists.freshness import supplier_freshness
    from pipelines.pricelists.load import supplier_overview

    settings = get_settings()
    fresh = supplier_freshness(settings)
    rows = [
        {**r, **fresh[str(r["supplier_id"])].to_dict()}
        for r in supplier_overview(settings)
    ]
    if as_json:
        _print_json(rows)
        return
    table = Table(
        "supplier", "profile", "live load", "offers", "last attempt", "status",
        "age h", "fresh",
    )  # fmt: skip
    for r in rows:
        age = "-" if r["age_h"] is None else f"{r['age_h']:g}"
        table.add_row(
            str(r["supplier_id"]), "yes" if r["has_profile"] else "no",
            str(r["live_load_id"] or "-"), str(r["live_rows"] or 0),
            str(r["last_file"] or "-"), str(r["last_status"] or "-"),
            f"{age}/{r['expected_every_hours']}",
            "[red]stale[/]" if r["stale"] else "[green]yes[/]",
        )  # fmt: skip
    console.print(table)


@app.command()
def report(
    supplier: Annotated[str, typer.Argument(help="Supplier id.")],
    as_json: Annotated[bool, typer.Option("--json", help="The full report.")] = False,
) -> None:
    """The last load report of a supplier."""
    from search import lake

    found = lake.reports(get_settings().lake_dir, supplier)
    if not found:
        err_console.print(f"error: no loads for supplier `{supplier}`")
        raise typer.Exit(2)
    last = found[-1]
    if as_json:
        _print_json(last)
        return
    _show_report({**last, "unknown_brands": sorted(last.get("unknown_brands", {}))})
    console.print(
        f"  load {last['load_id']}, format {last.get('format') or '?'}, "
        f"encoding {last.get('encoding') or '-'}, {last.get('identities', 0)} identities"
    )
    for reason, examples in (last.get("reject_examples") or {}).items():
        rows = ", ".join(str(e.get("row")) for e in examples)
        console.print(f"  {reason}: rows {rows}")
    for note, count in (last.get("value_notes") or {}).items():
        console.print(f"  note {note}: {count}")


@app.command()
def demo(
    generate_only: Annotated[
        bool, typer.Option(help="Only write the demo files, do not ingest.")
    ] = False,
) -> None:
    """Generate the demo data set (price lists, crosses, catalogue) and load it."""
    from pipelines.dagster_notes import dagster_notes, prepare_home
    from pipelines.demo_catalogue import DEMO_VINS, generate_demo_catalogue
    from pipelines.demo_crosses import generate_demo_crosses
    from pipelines.demo_data import generate_demo
    from service.db.engine import database_url, masked_url

    settings = get_settings()
    if not generate_only:  # PostgreSQL too: the demo migrates and seeds it
        where = masked_url(database_url(settings))
        console.print(f"operational database: {where}", soft_wrap=True)
    # written beside the inbox, not into it: the inbox sensor would load them
    # all again; drop a file into `inbox/` to see the sensor at work
    folder = settings.data_dir / "demo"
    files = generate_demo(folder / "pricelists")
    crosses = generate_demo_crosses(folder)
    catalogue = generate_demo_catalogue(folder)
    console.print(f"demo data written to {folder}")
    for supplier_id, _path in files:  # drop folders, watched by the sensor
        (settings.inbox_dir / supplier_id).mkdir(parents=True, exist_ok=True)
    if generate_only:
        return
    import pricing
    from parts.commands.db import seed_rules
    from pipelines.search_index.sync import sync_index

    prepare_home(settings)  # Dagster's pages show these loads too
    with dagster_notes(settings, "parts demo") as dagster:
        _load_demo(settings, dagster, files, crosses, catalogue)
        if not _rules_stored():  # a re-run keeps rules edited since through the API
            seed_rules(
                Path(pricing.__file__).parent / "data" / "demo_rules.toml", by="demo"
            )
        people = _seed_people(DEMO_VINS)
        index = sync_index(settings, full=True)
        dagster.index(index)
    console.print(
        f"quote index: generation {index.generation}, {index.offers_indexed} offers "
        f"in {index.seconds} s"
    )
    vin, label, _year = DEMO_VINS[0]
    console.print(
        f"try: parts search 0986452041 · parts search W712/75 --brand MANN "
        f"--client-group retail · parts vin {vin} ({label})"
    )
    console.print(
        f"demo users: {', '.join(u.login for u in people)} "
        "(passwords: parts demo-users)"
    )


def _load_demo(
    settings: Settings,
    dagster: DagsterNotes,
    files: list[tuple[str, Path]],
    crosses: list[tuple[str, Path]],
    catalogue: Path,
) -> None:
    """Load the demo's price lists, crosses and catalogue, and say so."""
    from pipelines.catalogue.load import load_catalogue
    from pipelines.crosslists.load import load_crosses
    from pipelines.pricelists.load import ingest as run_ingest

    for supplier_id, path in files:
        report = run_ingest(path, supplier_id=supplier_id, settings=settings)
        dagster.price_list(report)  # the index is told once, after them all
        _show_report(report.summary())
    for source, path in crosses:
        cross_report = load_crosses(path, source=source, settings=settings)
        dagster.crosses(cross_report)
        cross = cross_report.summary()
        console.print(
            f"crosses {cross['status']} {source} {path.name}: {cross['edges']} edges "
            f"{cross['edges_by_kind']}"
        )
    loaded = load_catalogue(catalogue, settings=settings)
    dagster.catalogue(loaded)
    console.print(
        f"catalogue {loaded.status} version {loaded.version}: "
        + ", ".join(f"{k} {v}" for k, v in loaded.rows.items())
    )


@app.command("demo-users")
def demo_users() -> None:
    """Print the demo's sign-ins (logins, passwords, roles, departments)."""
    from service.seed.demo import DEMO_USERS

    _print_users(list(DEMO_USERS))


def _print_users(people: list[Any]) -> None:
    console.print("demo users (sign in at /ui; demo passwords, not for real use):")
    for user in people:
        console.print(
            f"  {user.login:<12} {user.password:<13} {user.role:<8} "
            f"{user.department or 'all departments'}"
        )


def _seed_people(vins: tuple[tuple[str, str, int], ...]) -> list[Any]:
    """The demo's departments, users, clients and vehicles."""
    from service.db.engine import Database
    from service.db.migrate import upgrade
    from service.seed.demo import seed_demo_people

    database = Database.from_settings(get_settings())
    try:
        upgrade(database.engine)
        return seed_demo_people(database, vins)
    finally:
        database.close()


def _rules_stored() -> bool:
    """Whether the operational database holds pricing rules already."""
    from service.db.engine import Database
    from service.db.migrate import upgrade
    from service.pricing_rules.logic import load_rule_set

    database = Database.from_settings(get_settings())
    try:
        upgrade(database.engine)  # the demo sets up PostgreSQL too
        with database.sessions() as session:
            return bool(load_rule_set(session).rules)
    finally:
        database.close()


@bench_app.command("ingest")
def bench_ingest(
    rows: Annotated[int, typer.Option(help="Rows of the synthetic CSV.")] = 2_000_000,
    xlsx_rows: Annotated[
        int, typer.Option("--xlsx-rows", help="Rows of the synthetic XLSX (0: skip).")
    ] = 200_000,
    as_json: Annotated[
        bool, typer.Option("--json", help="Also print one JSON object, last.")
    ] = False,
    keep: Annotated[
        bool, typer.Option(help="Keep the generated files under the data dir.")
    ] = False,
) -> None:
    """Whole-ingest throughput and peak memory against a plain read of the same rows."""
    from pipelines.bench import bench_ingest as run_bench

    with err_console.status(f"bench: {rows:,} CSV rows, {xlsx_rows:,} XLSX rows…"):
        result = run_bench(
            rows=rows, xlsx_rows=xlsx_rows, data_dir=get_settings().data_dir, keep=keep
        )
    _show_bench(result)
    if as_json:
        _print_json(result)


def _show_bench(r: dict[str, Any]) -> None:
    def ok(key: str) -> str:
        met = r["meets"].get(key)
        return "" if met is None else ("[green]yes[/]" if met else "[red]no[/]")

    table = Table("measure", "ours", "baseline", "ratio", "target", "met", title=(
        f"ingest bench: {r['rows']:,} rows, cp1251 CSV {r['file_mb']} MiB"
    ))  # fmt: skip
    table.add_row(
        "CSV rows/s",
        f"{r['rows_per_s']:,} ({r['seconds']} s)",
        f"{r['baseline_rows_per_s']:,} ({r['baseline_seconds']} s)",
        f"{r['ratio']:.3f}", f"≥ {r['targets']['ratio']:.3f}", ok("ratio"),
    )  # fmt: skip
    table.add_row(
        "peak RSS MiB",
        f"{r['peak_rss_mb']:,} (floor {r['rss_floor_mb']})",
        f"{r['baseline_peak_rss_mb']:,}",
        f"{r['peak_rss_over_file']:.2f}× file",
        f"< {r['targets']['peak_rss_over_file']}× file", ok("peak_rss_over_file"),
    )  # fmt: skip
    if r.get("xlsx_rows"):
        table.add_row(
            f"XLSX rows/s ({r['xlsx_rows']:,} rows)",
            f"{r['xlsx_rows_per_s']:,} ({r['xlsx_seconds']} s)",
            f"{r['xlsx_baseline_rows_per_s']:,} ({r['xlsx_baseline_seconds']} s)",
            f"{r['xlsx_ratio']:.3f}", f"≥ {r['targets']['xlsx_ratio']}", ok("xlsx_ratio"),
        )  # fmt: skip
    console.print(table)
    console.print(
        "baselines: polars.read_csv of the same rows as UTF-8; a bare calamine "
        "read of the same workbook. RSS: the ingest child's peak (floor: after "
        "imports)."
    )
    m = r["machine"]
    console.print(
        f"{m['nproc']} CPUs, {m['ram_gib']} GiB RAM, Python {m['python']}, "
        f"polars {m['polars']}; files generated in {r['generate_s']} s"
    )


ui_app = typer.Typer(
    help="The Dagster UI and the HTTP API in the background.", no_args_is_help=True
)
app.add_typer(ui_app, name="ui")


@ui_app.command("start")
def ui_start(
    port: Annotated[int, typer.Option(help="Dagster UI port on 127.0.0.1.")] = 3000,
    api_port: Annotated[int, typer.Option(help="HTTP API port on 127.0.0.1.")] = 8000,
    online: Annotated[
        bool, typer.Option(help="Also start the demo online suppliers (8010, 8011).")
    ] = True,
) -> None:
    """Start `dagster dev`, the API and the demo online suppliers detached."""
    from parts import ui

    settings = get_settings()
    try:
        if online:
            for service, service_port in ui.DEMO_ONLINE:
                ui.start(settings, port=service_port, service=service)
        dagster = ui.start(settings, port=port, service=ui.DAGSTER)
        api = ui.start(settings, port=api_port, service=ui.API)
    except RuntimeError as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(1) from exc
    console.print(f"Dagster UI: {dagster}")
    console.print(f"HTTP API:   {api}/docs", soft_wrap=True)
    console.print(
        f"Quote search: {api}/api/quotes?article=0986452041&brand=BOSCH"
        "&client_group=retail",
        soft_wrap=True,
    )


@ui_app.command("stop")
def ui_stop() -> None:
    """Stop what `parts ui start` started."""
    from parts import ui

    settings = get_settings()
    services = (ui.DAGSTER, ui.API, *(s for s, _ in ui.DEMO_ONLINE))
    stopped = [ui.stop(settings, service=s) for s in services]
    console.print("stopped" if any(stopped) else "not running")


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Run the HTTP API in the foreground."""
    import uvicorn

    uvicorn.run("service.main:app", host=host, port=port)


def _register_areas() -> None:
    """Add the commands of every module in `parts.commands`."""
    import importlib
    import pkgutil

    from parts import commands

    for module in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"parts.commands.{module.name}").register(
            app, bench_app
        )


_register_areas()


def main() -> None:
    """Console-script entry point; an unreachable database is one line, exit 1."""
    from service.db.engine import DatabaseUnavailable

    try:
        app()
    except DatabaseUnavailable as exc:
        err_console.print(
            f"error: {exc}", markup=False, highlight=False, soft_wrap=True
        )
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
