"""Data pipelines: coordinator files -> validated Polars frames -> DuckDB warehouse."""
