"""`parts bench crosses`: load time, memory and analog latency of the cross graph.

Synthetic crosses (aftermarket parts of 40 brands and OE numbers of 12 makers;
70 % of the edges between aftermarket parts, mostly analogs with a few
replacements and one-way links, 30 % from an aftermarket part to an OE number)
are published into a throw-away lake as ten sources. Then, each in a fresh
child process so the generator's memory does not count:

- the graph: `crosses.graph.open_graph` over the lake (read the live Parquet
  files, intern, build the arrays), then `analogs()` of random parts, timed one
  by one, with the peak RSS of the process;
- the baseline: the same edges in a DuckDB table (both directions of the
  two-way kinds, indexed on the `from` side) and a recursive CTE to the same
  depth. It follows every edge (no OE-maker rule, no blocked crosses), so it
  does less than the graph. It is slow, so it runs on fewer parts.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from pipelines.bench import peak_rss_mb
from pipelines.bench import run_child as run_task_in_child

TARGET_P99_MS = 1.0
TARGET_RATIO = 100.0
SOURCES = 10
AFTERMARKET = [
    "BOSCH", "MANN-FILTER", "MAHLE", "FEBI BILSTEIN", "LEMFORDER", "SACHS", "TRW",
    "NGK", "DENSO", "KYB", "GATES", "SKF", "VALEO", "HELLA", "FILTRON", "KNECHT",
    "MEYLE", "SWAG", "RUVILLE", "CORTECO", "ELRING", "VICTOR REINZ", "DAYCO",
    "CONTITECH", "BREMBO", "TEXTAR", "FERODO", "ATE", "PATRON", "SANGSIN", "HI-Q",
    "NIPPARTS", "BLUE PRINT", "JAPANPARTS", "ASHIKA", "MASUMA", "STELLOX", "FENOX",
    "LUZAR", "TRIALLI",
]  # fmt: skip
OE_MAKERS = ["TOYOTA", "NISSAN", "HYUNDAI", "KIA", "VOLKSWAGEN", "MERCEDES-BENZ",
             "BMW", "RENAULT", "FORD", "VOLVO", "SCANIA", "LADA"]  # fmt: skip
OE_SHARE = 0.15


def synthetic_parts(parts: int, *, seed: int = 7) -> pl.DataFrame:
    """`parts` distinct identities: brand, article as written, canonical article."""
    n_oe = int(parts * OE_SHARE)
    idx = pl.int_range(0, parts, dtype=pl.UInt64, eager=True)
    is_oe = idx < n_oe
    frame = pl.DataFrame({"id": idx, "is_oe": is_oe}).with_columns(
        h=pl.col("id").hash(seed),
        number=(pl.col("id") * 2654435761 % 10**9).cast(pl.String).str.zfill(9),
    )
    brand = (
        pl.when(pl.col("is_oe"))
        .then(
            (pl.col("h") % len(OE_MAKERS))
            .cast(pl.Int64)
            .replace_strict(
                list(range(len(OE_MAKERS))), OE_MAKERS, return_dtype=pl.String
            )
        )
        .otherwise(
            (pl.col("h") % len(AFTERMARKET))
            .cast(pl.Int64)
            .replace_strict(
                list(range(len(AFTERMARKET))), AFTERMARKET, return_dtype=pl.String
            )
        )
    )
    letters = [chr(65 + i) for i in range(26)]
    prefix = (
        pl.when(pl.col("is_oe"))
        .then(pl.lit(""))
        .otherwise(
            (pl.col("h") // 64 % 26)
            .cast(pl.Int64)
            .replace_strict(list(range(26)), letters, return_dtype=pl.String)
        )
    )
    return frame.select(
        "id", "is_oe", brand=brand,
        article_raw=pl.concat_str(prefix, pl.col("number").str.slice(0, 4), pl.lit("-"),
                                  pl.col("number").str.slice(4)),
        article=pl.concat_str(prefix, pl.col("number")),
    )  # fmt: skip


def synthetic_edges(edges: int, parts: pl.DataFrame, *, seed: int = 7) -> pl.DataFrame:
    """`edges` cross edges over `parts` in the lake's edge schema (no source yet)."""
    rng = np.random.default_rng(seed)
    n_oe = int(parts["is_oe"].sum())
    n = parts.height
    a = rng.integers(n_oe, n, edges)
    to_oe = rng.random(edges) < 0.3
    b = np.where(
        to_oe, rng.integers(0, max(n_oe, 1), edges), rng.integers(n_oe, n, edges)
    )
    b = np.where(a == b, n_oe + (b - n_oe + 1) % max(n - n_oe, 1), b)
    roll = rng.random(edges)
    kind = np.where(
        to_oe,
        "oe",
        np.where(roll < 0.9, "analog", np.where(roll < 0.95, "replacement", "one_way")),
    )
    side_a = parts.select(
        brand_a="brand", article_a="article", article_raw_a="article_raw"
    )
    side_b = parts.select(
        brand_b="brand", article_b="article", article_raw_b="article_raw"
    )
    return pl.concat([side_a[a], side_b[b]], how="horizontal").with_columns(
        kind=pl.Series(kind, dtype=pl.String),
        row=pl.int_range(1, edges + 1, dtype=pl.Int32),
    )


# Measuring in a child process -----------------------------------------------------


def _percentiles(latencies_ns: list[int]) -> dict[str, float]:
    ms = np.asarray(latencies_ns, dtype=np.float64) / 1e6
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 4),
        "p99_ms": round(float(np.percentile(ms, 99)), 4),
        "max_ms": round(float(ms.max()), 3),
    }


def _graph_task(task: dict[str, Any]) -> dict[str, Any]:
    from crosses.graph import open_graph

    queries = json.loads(Path(task["queries"]).read_text(encoding="utf-8"))
    floor = peak_rss_mb()
    started = time.perf_counter()
    graph = open_graph(Path(task["lake"]), depth=task["depth"])
    load_s = time.perf_counter() - started
    latencies, counts = [], []
    for brand, article_raw, _article in queries:
        t0 = time.perf_counter_ns()
        answer = graph.analogs(brand, article_raw)
        latencies.append(time.perf_counter_ns() - t0)
        counts.append(len(answer.analogs))
    return {
        "load_s": round(load_s, 2),
        "nodes": graph.node_count,
        "graph_edges": graph.edge_count,
        "mean_analogs": round(float(np.mean(counts)), 1),
        "mean_analogs_baseline_parts": round(float(np.mean(counts[: task["n"]])), 1),
        **_percentiles(latencies),
        "rss_floor_mb": round(floor, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


BASELINE_SQL = """
WITH RECURSIVE walk(brand, article, depth) AS (
    SELECT ?::VARCHAR, ?::VARCHAR, 0
    UNION
    SELECT arcs.tb, arcs.ta, walk.depth + 1
    FROM walk JOIN arcs ON arcs.fb = walk.brand AND arcs.fa = walk.article
    WHERE walk.depth < ?
)
SELECT DISTINCT brand, article FROM walk
WHERE depth > 0 AND NOT (brand = ? AND article = ?)
"""


def _duckdb_task(task: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    queries = json.loads(Path(task["queries"]).read_text(encoding="utf-8"))
    queries = queries[: task["n"]]
    floor = peak_rss_mb()
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE arcs AS "
        "SELECT brand_a AS fb, article_a AS fa, brand_b AS tb, article_b AS ta "
        "FROM read_parquet($files) WHERE NOT blocked "
        "UNION ALL "
        "SELECT brand_b, article_b, brand_a, article_a "
        "FROM read_parquet($files) WHERE NOT blocked AND kind IN ('analog', 'oe')",
        {"files": task["files"]},
    )
    con.execute("CREATE INDEX arcs_from ON arcs (fb, fa)")
    load_s = time.perf_counter() - started
    latencies, found = [], 0
    for brand, _article_raw, article in queries:
        t0 = time.perf_counter_ns()
        rows = con.execute(
            BASELINE_SQL, [brand, article, task["depth"], brand, article]
        ).fetchall()
        latencies.append(time.perf_counter_ns() - t0)
        found += len(rows)
    return {
        "load_s": round(load_s, 2),
        "mean_analogs": round(found / max(len(queries), 1), 1),
        **_percentiles(latencies),
        "rss_floor_mb": round(floor, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


TASKS = {"graph": _graph_task, "duckdb": _duckdb_task}


def run_child(task: dict[str, Any]) -> dict[str, Any]:
    """Run a task of this module in a fresh Python process."""
    return run_task_in_child(task, module=__name__)


# The benchmark ----------------------------------------------------------------------


def bench_crosses(
    *,
    edges: int = 5_000_000,
    parts: int = 2_000_000,
    queries: int = 10_000,
    baseline_queries: int = 200,
    depth: int = 2,
    data_dir: Path,
    seed: int = 7,
    keep: bool = False,
) -> dict[str, Any]:
    """Generate, publish and resolve synthetic crosses; return every figure."""
    if edges < 1 or parts < 2 or queries < 1 or baseline_queries < 1:
        raise ValueError("edges, queries and baseline_queries ≥ 1, parts ≥ 2")
    tmp_root = data_dir / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-crosses-", dir=tmp_root))
    try:
        return _bench(folder, edges, parts, queries, baseline_queries, depth, seed)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _publish(folder: Path, frame: pl.DataFrame) -> list[str]:
    from crosses import store

    lake = folder / "lake"
    size = -(-frame.height // SOURCES)
    for i in range(SOURCES):
        chunk = frame.slice(i * size, size)
        if chunk.is_empty():
            continue
        store.publish(
            lake, source=f"bench-{i:02d}", load_id=store.new_load_id(), edges=chunk,
            fingerprint="bench", file="synthetic", keep=1,
        )  # fmt: skip
    return [str(p) for p in store.live_files(lake).values()]


def _bench(
    folder: Path,
    edges: int,
    parts: int,
    queries: int,
    baseline_queries: int,
    depth: int,
    seed: int,
) -> dict[str, Any]:
    started = time.perf_counter()
    catalogue = synthetic_parts(parts, seed=seed)
    frame = synthetic_edges(edges, catalogue, seed=seed)
    sample = np.random.default_rng(seed + 1).integers(0, parts, queries)
    picked = catalogue[sample].select("brand", "article_raw", "article").rows()
    query_file = folder / "queries.json"
    query_file.write_text(json.dumps(picked, ensure_ascii=False), encoding="utf-8")
    generate_s = time.perf_counter() - started
    del catalogue
    started = time.perf_counter()
    files = _publish(folder, frame)
    publish_s = time.perf_counter() - started
    del frame
    n_base = min(baseline_queries, queries)
    ours = run_child(
        {"kind": "graph", "lake": str(folder / "lake"), "queries": str(query_file),
         "depth": depth, "n": n_base}
    )  # fmt: skip
    base = run_child(
        {"kind": "duckdb", "files": files, "queries": str(query_file),
         "n": n_base, "depth": depth}
    )  # fmt: skip
    from pipelines.bench import machine

    ratio = base["p50_ms"] / ours["p50_ms"] if ours["p50_ms"] else 0.0
    result: dict[str, Any] = {
        "edges": edges,
        "parts": parts,
        "depth": depth,
        "queries": queries,
        "baseline_queries": n_base,
        "generate_s": round(generate_s, 2),
        "publish_s": round(publish_s, 2),
        "load_s": ours["load_s"],
        "nodes": ours["nodes"],
        "mean_analogs": ours["mean_analogs"],
        "p50_ms": ours["p50_ms"],
        "p99_ms": ours["p99_ms"],
        "max_ms": ours["max_ms"],
        "peak_rss_mb": ours["peak_rss_mb"],
        "rss_floor_mb": ours["rss_floor_mb"],
        "baseline_load_s": base["load_s"],
        "baseline_p50_ms": base["p50_ms"],
        "baseline_p99_ms": base["p99_ms"],
        "baseline_mean_analogs": base["mean_analogs"],
        "mean_analogs_baseline_parts": ours["mean_analogs_baseline_parts"],
        "baseline_peak_rss_mb": base["peak_rss_mb"],
        "ratio": round(ratio, 1),
        "targets": {"p99_ms": TARGET_P99_MS, "ratio": TARGET_RATIO},
    }
    result["meets"] = {
        "p99_ms": result["p99_ms"] < TARGET_P99_MS,
        "ratio": result["ratio"] > TARGET_RATIO,
    }
    result["machine"] = machine()
    return result


if __name__ == "__main__":  # the child side of `run_child`
    task = json.loads(sys.argv[1])
    print(json.dumps(TASKS[task["kind"]](task)))
