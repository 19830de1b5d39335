"""`parts bench crosses` at toy sizes: the figures exist; speed is never asserted."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from crosses import store
from parts.cli import app
from parts.settings import Settings
from pipelines.crosslists.bench import bench_crosses, synthetic_edges, synthetic_parts

KEYS = ("p50_ms", "p99_ms", "baseline_p50_ms", "ratio", "peak_rss_mb", "load_s",
        "baseline_load_s", "edges", "parts", "mean_analogs")  # fmt: skip


def test_synthetic_crosses_are_deterministic_and_valid() -> None:
    parts = synthetic_parts(1000)
    assert parts.select("brand", "article").n_unique() == 1000
    edges = synthetic_edges(3000, parts)
    assert edges.equals(synthetic_edges(3000, synthetic_parts(1000)))
    assert set(edges["kind"].unique()) <= set(store.KINDS)
    assert edges.filter(
        (pl.col("brand_a") == pl.col("brand_b"))
        & (pl.col("article_a") == pl.col("article_b"))
    ).is_empty()
    oe = edges.filter(pl.col("kind") == "oe")
    assert oe.height > 0 and oe["brand_b"].is_in(["TOYOTA", "NISSAN", "HYUNDAI", "KIA",
        "VOLKSWAGEN", "MERCEDES-BENZ", "BMW", "RENAULT", "FORD", "VOLVO", "SCANIA",
        "LADA"]).all()  # fmt: skip


def test_bench_at_toy_size(tmp_path: Path) -> None:
    result = bench_crosses(edges=3000, parts=1500, queries=200, baseline_queries=10,
                           data_dir=tmp_path)  # fmt: skip
    for key in KEYS:
        assert key in result
    assert result["p50_ms"] > 0 and result["baseline_p50_ms"] > 0
    assert result["mean_analogs_baseline_parts"] <= result["baseline_mean_analogs"]
    assert not any((tmp_path / "tmp").iterdir())


def test_cli_json_is_the_last_line(settings: Settings) -> None:
    result = CliRunner().invoke(
        app, ["bench", "crosses", "--edges", "2000", "--parts", "1000", "--queries", "100",
              "--baseline-queries", "5", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(KEYS) <= set(data)
