"""The offers index in step with the lake: sync from profiles, Dagster asset."""
