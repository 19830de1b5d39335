"""The catalogue in Dagster: loading catalogue versions dropped into the inbox."""
