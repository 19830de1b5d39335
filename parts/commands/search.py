"""`parts search`, `parts index …` and `parts bench search`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from parts.settings import get_settings

console = Console()
err_console = Console(stderr=True)

MATCH_LABELS = {"exact": "requested", "verified_analog": "verified", "analog": "analog"}


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add `search`, the `index` group and `bench search`."""
    app.command("search")(search)
    index_app = typer.Typer(
        help="The quote-search index: sync, rebuild, show.", no_args_is_help=True
    )
    index_app.command("sync")(index_sync)
    index_app.command("build")(index_build)
    index_app.command("show")(index_show)
    app.add_typer(index_app, name="index")
    bench_app.command("search")(bench_search)


def _print_json(data: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(data, default=str) + b"\n")


def search(
    article: Annotated[
        str | None, typer.Argument(help="Article, any spelling (or use --q/--vin).")
    ] = None,
    brand: Annotated[str | None, typer.Option(help="Brand, any alias.")] = None,
    q: Annotated[
        str | None,
        typer.Option("--q", help="Words of the name; with --vin, the generic article."),
    ] = None,
    vin: Annotated[str | None, typer.Option(help="VIN (needs --q).")] = None,
    client_group: Annotated[
        str | None, typer.Option(help="Client group to price for.")
    ] = None,
    department: Annotated[
        str | None,
        typer.Option(
            help="Search as this department (visibility); default: every "
            "department's price lists, as an admin sees them."
        ),
    ] = None,
    price_group: Annotated[
        list[str] | None, typer.Option(help="Only these price groups.")
    ] = None,
    sort: Annotated[
        str, typer.Option(help="price | delivery | probability.")
    ] = "price",
    all_brands: Annotated[
        bool, typer.Option("--all-brands", help="Every brand of the article.")
    ] = False,
    no_analogs: Annotated[bool, typer.Option("--no-analogs")] = False,
    no_online: Annotated[bool, typer.Option("--no-online")] = False,
    in_stock: Annotated[bool, typer.Option("--in-stock")] = False,
    limit: Annotated[int | None, typer.Option(min=1, help="Most lines.")] = None,
    xlsx: Annotated[
        Path | None, typer.Option(help="Also write the answer as a workbook.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The API's JSON.")] = False,
) -> None:
    """Quote search: offers of a part and its analogs, priced, ranked."""
    from crosses.graph import GraphCache
    from search.export import quote_workbook
    from search.index_read import ALL_DEPARTMENTS
    from search.quotes import QuoteError, QuoteRequest
    from service.db.engine import Database
    from service.db.migrate import upgrade
    from service.quotes.engine import build_engine

    settings = get_settings()
    database = Database.from_settings(settings)
    if database.is_sqlite:
        upgrade(database.engine)
    graphs = GraphCache(
        settings.lake_dir,
        max_group=settings.crosses_max_group,
        depth=settings.crosses_depth,
    )
    engine, parts = build_engine(
        settings, database, graph=graphs.get, online=not no_online
    )
    try:
        request = QuoteRequest(
            article=article, brand=brand, text=q, vin=vin, client_group=client_group,
            department=department or ALL_DEPARTMENTS,
            price_groups=tuple(price_group or ()),
            sort=sort,  # type: ignore[arg-type]
            all_brands=all_brands, analogs=not no_analogs, online=not no_online,
            in_stock=in_stock,
            limit=min(limit or settings.search_max_lines, settings.search_max_lines),
            time_limit_ms=settings.search_time_limit_ms, who="cli",
        )  # fmt: skip
        answer = engine.search(request).to_dict()
    except QuoteError as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    finally:
        if parts["online"] is not None:
            parts["online"].close()
        parts["log"].close()
        database.close()
    if xlsx is not None:
        xlsx.write_bytes(quote_workbook(answer, zone=settings.zone))
        err_console.print(f"workbook written to {xlsx}")
    if as_json:
        _print_json(answer)
    else:
        _show_answer(answer)


def _show_answer(answer: dict[str, Any]) -> None:
    if answer["brands"]:
        table = Table("brand", "name", "offers", title="choose a brand (--brand B)")
        for c in answer["brands"]:
            table.add_row(c["brand"], (c["name"] or "")[:60], str(c["offers"]))
        console.print(table)
        return
    for note in answer["notes"]:
        err_console.print(f"note: {note}")
    if not answer["lines"]:
        console.print("no offers")
        return
    wide = console.width >= 140
    columns = ["", "brand", "article", "name", "supplier", "qty", "days", "price"]
    if wide:
        columns += ["purchase", "rule"]
    table = Table(*columns, show_edge=False, pad_edge=False)
    for x in answer["lines"]:
        days = x["delivery_days_min"]
        if x["delivery_days_max"] not in (None, days):
            days = f"{days}-{x['delivery_days_max']}"
        row = [
            MATCH_LABELS[x["match"]][0] + ("★" if x["priority_brand"] else ""),
            x["brand"], x["article_raw"] or x["article"],
            (x["name"] or "")[: 40 if wide else 18], x["supplier_id"],
            "?" if x["qty"] is None else str(x["qty"]),
            "" if days is None else str(days),
            x["price"] or x["price_reason"] or "",
        ]  # fmt: skip
        if wide:
            row += [f"{x['purchase_price']} {x['currency']}", x["rule"] or ""]
        table.add_row(*row)
    console.print(table)
    for failed in answer["suppliers_failed"]:
        err_console.print(
            f"[yellow]online supplier {failed['supplier_id']}: {failed['status']}"
            f"[/] {failed.get('reason') or ''}"
        )
    if answer["truncated"]:
        err_console.print(f"answer cut: {', '.join(answer['truncated_reasons'])}")
    timings = ", ".join(f"{k} {v} ms" for k, v in answer["timings_ms"].items())
    err_console.print(
        f"{len(answer['lines'])} lines (r requested, v verified analog, a analog); "
        f"{timings}"
    )


def index_sync(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Bring the index in step with the lake (deltas; compacts when they pile up)."""
    from pipelines.dagster_notes import dagster_notes
    from pipelines.search_index.sync import sync_index

    settings = get_settings()
    report = sync_index(settings)
    with dagster_notes(settings, "parts index sync") as dagster:
        dagster.index(report)
    _show_sync(report.to_dict(), as_json)


def index_build(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Build a new generation from every live load and make it live."""
    from pipelines.dagster_notes import dagster_notes
    from pipelines.search_index.sync import sync_index

    settings = get_settings()
    report = sync_index(settings, full=True)
    with dagster_notes(settings, "parts index build") as dagster:
        dagster.index(report)
    _show_sync(report.to_dict(), as_json)


def _show_sync(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _print_json(report)
        return
    console.print(
        f"index {report['action']}: manifest {report['manifest_seq']}, generation "
        f"{report['generation']}, {report['offers_indexed']:,} offers indexed in "
        f"{report['seconds']} s"
    )
    if report["suppliers_changed"]:
        console.print(f"  changed: {', '.join(report['suppliers_changed'])}")
    if report["suppliers_removed"]:
        console.print(f"  removed: {', '.join(report['suppliers_removed'])}")


def index_show(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """The live generation, its parts and what is pending."""
    from pipelines.search_index.sync import pending_changes
    from search.index_read import open_index

    settings = get_settings()
    snapshot = open_index(settings.index_dir).snapshot()
    if snapshot is None:
        err_console.print("no index yet: run `parts index build`")
        raise typer.Exit(1)
    stats = snapshot.stats() | {"pending": pending_changes(settings)}
    if as_json:
        _print_json(stats)
        return
    console.print(
        f"generation {stats['generation']} (manifest {stats['seq']}): "
        f"{stats['offers']:,} offers of {stats['suppliers']} suppliers, "
        f"{stats['bytes'] / 2**20:.1f} MiB"
    )
    for part in stats["parts"]:
        console.print(
            f"  {part['part_id']}: {part['offers']:,} offers, "
            f"{part['identities']:,} identities, {len(part['suppliers'])} suppliers"
        )
    for reason in stats["pending"]:
        console.print(f"  [yellow]pending[/] {reason}")


def bench_search(
    offers: Annotated[int, typer.Option(help="Synthetic offers.")] = 10_000_000,
    suppliers: Annotated[int, typer.Option(help="Suppliers.")] = 200,
    edges: Annotated[int, typer.Option(help="Cross edges.")] = 5_000_000,
    searches: Annotated[int, typer.Option(help="Searches timed.")] = 2000,
    as_json: Annotated[
        bool, typer.Option("--json", help="Also print one JSON object, last.")
    ] = False,
) -> None:
    """Index build, search latency by step, HTTP throughput, against DuckDB."""
    from parts.search_bench import bench_search as run
    from parts.search_bench import show

    result = run(
        offers=offers, suppliers=suppliers, edges=edges, searches=searches,
        work_dir=get_settings().data_dir / "bench-search",
        progress=lambda text: err_console.print(f"[dim]{text}[/]"),
    )  # fmt: skip
    show(result, console)
    if as_json:
        _print_json(result)
