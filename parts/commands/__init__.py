"""Command groups of the `parts` CLI, one module per area.

Each module defines `register(app, bench_app)` adding its commands; `parts.cli`
calls every module found here, so adding an area never edits the CLI core.
"""
