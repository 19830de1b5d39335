"""`parts crosses …`, `parts analogs` and `parts bench crosses`."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from parts.settings import get_settings

if TYPE_CHECKING:
    from pipelines.crosslists.options import CrossOptions

console = Console()
err_console = Console(stderr=True)
crosses_app = typer.Typer(
    help="Cross references: load files, mark crosses right or wrong, list sources.",
    no_args_is_help=True,
)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the crosses commands to the `parts` CLI."""
    app.add_typer(crosses_app, name="crosses")
    app.command("analogs")(analogs)
    bench_app.command("crosses")(bench_crosses)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


# Loading --------------------------------------------------------------------------


def _options(
    source: str,
    *,
    profile: Path | None,
    shape: str | None,
    brand: str | None,
    kind: str | None,
    header_row: int | None,
    columns: list[str],
    lists: list[str],
) -> CrossOptions:
    """The source's profile (or `--profile`), with the command-line pins over it."""
    from pipelines.crosslists.load import options_for
    from pipelines.crosslists.options import CrossList, CrossOptions, load_cross_profile

    base = (
        load_cross_profile(profile) if profile else options_for(get_settings(), source)
    )
    data = base.model_dump()
    for key, value in (("shape", shape), ("brand", brand), ("kind", kind)):
        if value is not None:
            data[key] = value
    if header_row is not None:
        data["reader"]["header_row"] = header_row
    for pin in columns:
        field_name, _, spec = pin.partition("=")
        if not spec:
            raise typer.BadParameter(
                f"`{pin}`: write FIELD=COLUMN", param_hint="--column"
            )
        data["columns"][field_name.strip()] = spec.strip()
    for spec in lists:
        column, _, rest = spec.partition(":")
        list_kind, _, separators = rest.partition(":")
        item = CrossList(
            column=column, kind=list_kind or "analog",  # type: ignore[arg-type]
            separators=[c for c in separators if not c.isspace()] or None,
        )  # fmt: skip
        data["lists"].append(item.model_dump())
    return CrossOptions.model_validate(data)


@crosses_app.command("load")
def load(
    path: Annotated[Path, typer.Argument(help="Cross file (CSV, XLS, XLSX, ZIP…).")],
    source: Annotated[str, typer.Option("--source", "-s", help="Source name.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    profile: Annotated[
        Path | None, typer.Option(help="Cross profile TOML (default: the source's).")
    ] = None,
    shape: Annotated[
        str | None, typer.Option(help="pairs | list | group | wide (else detected).")
    ] = None,
    brand: Annotated[
        str | None, typer.Option(help="Brand of the part when no column gives it.")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="Kind of pair and group edges (default analog).")
    ] = None,
    header_row: Annotated[
        int | None, typer.Option(help="1-based header row; 0 = no header.")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(help="Pin a column: FIELD=LETTER or FIELD=header text."),
    ] = None,
    list_column: Annotated[
        list[str] | None,
        typer.Option(
            "--list",
            help="A list column: COLUMN:KIND[:SEPARATORS], each character one separator.",
        ),
    ] = None,
) -> None:
    """Load a cross file as the whole of one source: publish it or quarantine it."""
    from pydantic import ValidationError

    from pipelines.crosslists.load import load_crosses
    from pipelines.dagster_notes import dagster_notes
    from pipelines.pricelists.errors import IngestError

    if not path.is_file():
        err_console.print(f"error: `{path}` is not a file")
        raise typer.Exit(2)
    try:
        options = _options(
            source, profile=profile, shape=shape, brand=brand, kind=kind,
            header_row=header_row, columns=column or [], lists=list_column or [],
        )  # fmt: skip
        settings = get_settings()
        report = load_crosses(path, source=source, settings=settings, options=options)
        with dagster_notes(settings, "parts crosses load") as dagster:
            dagster.crosses(report)
    except (IngestError, ValidationError, typer.BadParameter) as exc:
        err_console.print(escape(f"error: {exc}"))
        raise typer.Exit(2) from exc
    summary = report.summary()
    if as_json:
        _print_json(summary)
    else:
        _show_load(summary)
    raise typer.Exit(1 if report.status == "quarantined" else 0)


def _show_load(summary: dict[str, Any]) -> None:
    colour = {"published": "green", "unchanged": "cyan"}.get(summary["status"], "red")
    kinds = ", ".join(f"{k} {v}" for k, v in summary["edges_by_kind"].items()) or "none"
    console.print(
        f"[{colour}]{summary['status']}[/] {summary['source']} {escape(summary['file'])}: "
        f"{summary['edges']} crosses ({kinds}) from {summary['rows_read']} rows, "
        f"shape {summary['shape'] or '?'} ({summary['seconds']} s)"
    )
    if summary.get("error"):
        console.print(f"  [red]error:[/] {escape(summary['error'])}")
    from pipelines.crosslists.parse import REJECT_REASONS

    for reason, count in summary["rejects"].items():
        console.print(
            f"  rejected {reason}: {count} ({REJECT_REASONS.get(reason, '?')})"
        )
        for example in summary["reject_examples"].get(reason, [])[:2]:
            where = f"row {example.get('row')} {example.get('column', '')}".strip()
            console.print(escape(f"    {where}: {example.get('value')!r}"))
    for field_name, label in summary["columns"].items():
        console.print(escape(f"  {field_name:>14} ← {label}"))
    if summary["unused_columns"]:
        console.print(escape(f"  not used: {', '.join(summary['unused_columns'])}"))
    if summary["unknown_brands"]:
        shown = ", ".join(summary["unknown_brands"][:10])
        console.print(escape(f"  brands not in the alias table: {shown}"))
    for warning in summary["warnings"]:
        console.print(f"  [yellow]warning:[/] {escape(warning)}")


# Marks ----------------------------------------------------------------------------


def _mark(
    action: str,
    parts: tuple[str, str, str, str],
    *,
    by: str | None,
    kind: str,
    as_json: bool,
) -> None:
    import polars as pl

    from crosses import store
    from crosses.articles import normalize_article
    from crosses.brands import default_table

    table = default_table()
    brand_a, article_a = table.canonical(parts[0]), normalize_article(parts[1])[0]
    brand_b, article_b = table.canonical(parts[2]), normalize_article(parts[3])[0]
    lake = get_settings().lake_dir
    try:
        mark = store.add_mark(
            lake,
            store.Mark(
                brand_a=brand_a, article_a=article_a, brand_b=brand_b,
                article_b=article_b, action=action,  # type: ignore[arg-type]
                by=by or getpass.getuser(), kind=kind,  # type: ignore[arg-type]
            ),
        )  # fmt: skip
    except store.CrossStoreError as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    a = (pl.col("brand_a") == brand_a) & (pl.col("article_a") == article_a)
    b = (pl.col("brand_b") == brand_b) & (pl.col("article_b") == article_b)
    swapped_a = (pl.col("brand_a") == brand_b) & (pl.col("article_a") == article_b)
    swapped_b = (pl.col("brand_b") == brand_a) & (pl.col("article_b") == article_a)
    found = (
        store.scan_edges(lake).filter((a & b) | (swapped_a & swapped_b))
        .select("source").unique().collect()["source"].sort().to_list()
    )  # fmt: skip
    result = {**mark.__dict__, "sources": found}
    if as_json:
        _print_json(result)
        return
    verb = {"verify": "verified", "block": "blocked"}[action]
    if found:
        where = f"in {', '.join(found)}"
    elif action == "verify":
        where = "no source has it: kept as a manual cross"
    else:
        where = "no source has it yet: applies when one does"
    console.print(
        escape(
            f"{verb} {brand_a} {article_a} ↔ {brand_b} {article_b} by {mark.by} ({where})"
        )
    )


ArticleArg = Annotated[str, typer.Argument(help="Article, in any spelling.")]
BrandArg = Annotated[str, typer.Argument(help="Brand, any alias.")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who (default: login).")]
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object.")]


@crosses_app.command("verify")
def verify(
    brand_a: BrandArg,
    article_a: ArticleArg,
    brand_b: BrandArg,
    article_b: ArticleArg,
    by: ByOption = None,
    kind: Annotated[
        str, typer.Option(help="Kind when no source has this cross.")
    ] = "analog",
    as_json: JsonOption = False,
) -> None:
    """Mark a cross as right; it survives re-loads of its sources."""
    _mark("verify", (brand_a, article_a, brand_b, article_b), by=by, kind=kind,
          as_json=as_json)  # fmt: skip


@crosses_app.command("block")
def block(
    brand_a: BrandArg,
    article_a: ArticleArg,
    brand_b: BrandArg,
    article_b: ArticleArg,
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark a cross as wrong: it is no longer followed, whatever a source says."""
    _mark("block", (brand_a, article_a, brand_b, article_b), by=by, kind="analog",
          as_json=as_json)  # fmt: skip


@crosses_app.command("sources")
def sources(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array.")] = False,
) -> None:
    """Every cross source with its live load and last attempt."""
    from pipelines.crosslists.load import source_overview

    rows = source_overview(get_settings())
    if as_json:
        _print_json(rows)
        return
    table = Table("source", "live load", "crosses", "file", "last status")
    for r in rows:
        table.add_row(
            str(r["source"]), str(r["live_load_id"] or "-"), str(r["live_edges"] or 0),
            str(r["live_file"] or "-"), str(r["last_status"] or "-"),
        )  # fmt: skip
    console.print(table)


# Analogs --------------------------------------------------------------------------


def analogs(
    brand: BrandArg,
    article: ArticleArg,
    depth: Annotated[
        int | None, typer.Option(help="Edges to follow (default PARTS_CROSSES_DEPTH).")
    ] = None,
    blocked: Annotated[
        bool, typer.Option("--blocked", help="Also list crosses people blocked.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array.")] = False,
) -> None:
    """The analogs of a part, each with the path of crosses (and sources) behind it."""
    from crosses.graph import confirm_analogs, open_graph
    from pipelines.catalogue.queries import live_catalogue

    settings = get_settings()
    graph = open_graph(
        settings.lake_dir,
        max_group=settings.crosses_max_group,
        depth=settings.crosses_depth,
    )
    found = graph.analogs(brand, article, depth=depth, include_blocked=blocked)
    catalogue = live_catalogue(settings)
    found = confirm_analogs(found, catalogue.oe_numbers if catalogue else None)
    if not found.known:
        err_console.print(escape(f"no cross names `{found.brand} {found.article}`"))
    if found.guard is not None:
        err_console.print(escape(f"warning: {found.guard.message}"))
    if as_json:
        _print_json(found.to_list())
        return
    if not found.analogs:
        return
    table = Table("brand", "article", "kind", "depth", "verified", "blocked",
                  "catalogue", "path",
                  title=f"analogs of {found.brand} {found.article}")  # fmt: skip
    for item in found.analogs:
        path = " → ".join(
            f"{hop.to_brand or '?'} {hop.to_article} ({','.join(hop.sources)})"
            for hop in item.path
        )
        table.add_row(
            escape(item.brand or "?"), item.article, item.kind, str(item.depth),
            "yes" if item.verified else "", "yes" if item.blocked else "",
            {True: "confirmed", False: "unconfirmed", None: ""}[item.confirmed],
            escape(path),
        )  # fmt: skip
    console.print(table)


# Bench ----------------------------------------------------------------------------


def bench_crosses(
    edges: Annotated[int, typer.Option(help="Synthetic cross edges.")] = 5_000_000,
    parts: Annotated[int, typer.Option(help="Parts they join.")] = 2_000_000,
    queries: Annotated[int, typer.Option(help="Random parts resolved.")] = 10_000,
    baseline_queries: Annotated[
        int, typer.Option(help="Random parts resolved by the DuckDB baseline.")
    ] = 200,
    depth: Annotated[int, typer.Option(help="Edges followed per resolution.")] = 2,
    as_json: Annotated[
        bool, typer.Option("--json", help="Also print one JSON object, last.")
    ] = False,
) -> None:
    """Graph load time, memory and analog latency against a DuckDB recursive query."""
    from pipelines.crosslists.bench import bench_crosses as run_bench

    with err_console.status(f"bench: {edges:,} crosses over {parts:,} parts…"):
        result = run_bench(
            edges=edges, parts=parts, queries=queries, baseline_queries=baseline_queries,
            depth=depth, data_dir=get_settings().data_dir,
        )  # fmt: skip
    _show_bench(result)
    if as_json:
        _print_json(result)


def _show_bench(r: dict[str, Any]) -> None:
    table = Table("measure", "graph", "DuckDB recursive CTE", title=(
        f"crosses bench: {r['edges']:,} edges over {r['parts']:,} parts, depth {r['depth']}"
    ))  # fmt: skip
    table.add_row("load (s)", f"{r['load_s']}", f"{r['baseline_load_s']}")
    table.add_row(
        "p50 / p99 (ms)",
        f"{r['p50_ms']} / {r['p99_ms']}",
        f"{r['baseline_p50_ms']} / {r['baseline_p99_ms']}",
    )
    table.add_row("queries", f"{r['queries']:,}", f"{r['baseline_queries']:,}")
    table.add_row(
        "analogs per part (mean)",
        f"{r['mean_analogs']}",
        f"{r['baseline_mean_analogs']}",
    )
    table.add_row(
        "peak RSS (MiB)", f"{r['peak_rss_mb']:,}", f"{r['baseline_peak_rss_mb']:,}"
    )
    console.print(table)
    met = r["meets"]
    console.print(
        f"ratio {r['ratio']}× (target > {r['targets']['ratio']}×: "
        f"{'met' if met['ratio'] else 'not met'}); p99 target < {r['targets']['p99_ms']} ms: "
        f"{'met' if met['p99_ms'] else 'not met'}"
    )
    m = r["machine"]
    console.print(
        f"{m['nproc']} CPUs, {m['ram_gib']} GiB RAM, Python {m['python']}; "
        f"generated in {r['generate_s']} s, published in {r['publish_s']} s"
    )
